"""A stand-in for the Daily Papers API on 127.0.0.1, serving only what each test writes.

Answers are given per (day, page): a test queues them (a 429, then the page), the last one
stays. A day nobody wrote an answer for is an empty day (``[]``). Every request is recorded.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: object = field(default_factory=list)  # bytes are sent as they are, the rest as JSON
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # accept the request, then say nothing (until the test ends)


def item(number: int, day: str, **paper: object) -> dict[str, object]:
    """An item shaped like the API's: the paper, and the listing around it."""
    paper = {
        "id": f"2611.{10000 + number}",
        "title": f"Paper {number}: A Study of Things",
        "summary": f"Abstract {number}. We study things at length and find more things.",
        "authors": [{"_id": f"a{number}", "name": f"Author {number}", "hidden": False}],
        "publishedAt": f"{day}T17:59:58.000Z",
        "upvotes": number,
        **paper,
    }
    return {
        "paper": paper,
        "publishedAt": f"{day}T01:00:00.000Z",
        "title": paper["title"],
        "summary": paper["summary"],
        "numComments": 2,
        "submittedBy": {"name": "akhaliq", "fullname": "AK"},
    }


class FakeApi:
    def __init__(self) -> None:
        self.answers: dict[tuple[str, int], list[Answer]] = {}
        self.requests: list[dict[str, str]] = []
        self.release = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                api.requests.append({"path": url.path, **query})
                answer = api.answer_for(query.get("date", ""), int(query.get("p", 0)))
                if answer.stall:
                    api.release.wait(10)
                    return
                body = answer.body
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def serve(self, day: str, *pages: list[dict[str, object]]) -> None:
        """The day's items, page by page."""
        for page, items in enumerate(pages):
            self.answers[day, page] = [Answer(body=items)]

    def script(self, day: str, *answers: Answer, page: int = 0) -> None:
        """Answers given in turn to the requests for this page; the last one stays."""
        self.answers[day, page] = list(answers)

    def answer_for(self, day: str, page: int) -> Answer:
        queue = self.answers.get((day, page), [Answer()])
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def asked(self) -> list[tuple[str, str]]:
        """(date, page) of every request, in order."""
        return [(query.get("date", ""), query.get("p", "")) for query in self.requests]

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
