"""A Python child process doing part of a long job (an import, an index build) on another core,
spoken to in pickles over its stdin and stdout.

One way to start them all: a plain ``python -c`` child on this interpreter and this
``triage`` (multiprocessing's spawn would run the parent's main script again if it has no
``__main__`` guard), its pipes enlarged so that an item is written in one go (pickled into
the pipe a frame at a time, the sending waited for the interpreter lock at each frame), a
thread sending, so sending never waits for the child, and a child always waited for, whatever
became of its sending. The child's side is :func:`channels`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

PIPE_BYTES = 1 << 20  # the system's usual limit; an index build's batch (~0.7 MB) fits in it
CLOSE_WAIT = 10.0  # seconds a child is given to exit once its input has ended
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # where this triage is
_END = object()  # in the outbox: no more input


class ChildFailed(Exception):
    """The child ended, or answered something that is not a pickle."""


class Child:
    """``python -c code args`` on this ``triage``; :meth:`send` and :meth:`send_each` queue
    input for the sending thread, :meth:`receive` reads an answer, :meth:`close` always ends
    and waits for the child. Raises OSError or ValueError if it cannot be started."""

    def __init__(self, code: str, *args: str, name: str = "child-input") -> None:
        if not sys.executable:
            raise OSError("no Python executable to start")
        paths = [_PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # not into the app's screen; a failure is seen here
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.input: IO[bytes] = self.process.stdin
        self.answers: IO[bytes] = self.process.stdout
        resize = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
        for pipe in (self.input, self.answers):
            if resize is not None:
                with contextlib.suppress(OSError):  # above the system's limit: as it was
                    fcntl.fcntl(pipe.fileno(), resize, PIPE_BYTES)
        self.send_error: BaseException | None = None
        """Why the sending stopped early (the child ended, an item could not be pickled)."""
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_all, name=name, daemon=True)
        self._sender.start()

    def send(self, item: Any) -> None:
        """Queue ``item`` to be pickled into the child's input."""
        self._outbox.put((item,))

    def send_each(self, items: Iterable[Any]) -> None:
        """Queue each of ``items``, taken (and pickled) one at a time by the sending thread."""
        self._outbox.put(items)

    def end_input(self) -> None:
        """The child's input ends once what is queued is sent."""
        self._outbox.put(_END)

    def _send_all(self) -> None:
        try:
            while (queued := self._outbox.get()) is not _END:
                try:
                    for item in queued:
                        self.input.write(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
                        self.input.flush()
                finally:
                    close = getattr(queued, "close", None)
                    if close is not None:  # a generator left midway runs its cleanup now
                        close()
        except BaseException as error:  # the child ended, or an item cannot be pickled
            self.send_error = error
        finally:
            with contextlib.suppress(OSError, ValueError):
                self.input.close()  # the child reads the end of its input

    def receive(self) -> Any:
        """The child's next answer."""
        try:
            return pickle.load(self.answers)
        except Exception as error:  # an answer cut short, or not a pickle of ours
            raise ChildFailed(f"the helper process ended ({error!r})") from None

    def close(self, *, kill: bool = False) -> int:
        """End the child (at once if ``kill``; else it reads the end of its input and is
        given :data:`CLOSE_WAIT` seconds) and wait for it and the sending thread; returns
        its exit status."""
        if kill:
            self.process.kill()  # first: a write into its full pipe ends
        with contextlib.suppress(OSError, ValueError):
            self.answers.close()  # its answers go nowhere: it stops at its next one
        self.end_input()
        try:
            status = self.process.wait(timeout=CLOSE_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._sender.join(timeout=CLOSE_WAIT)
        return status


def channels() -> tuple[IO[bytes], IO[bytes]]:
    """In the child: its input and where its answers go. A Ctrl-C is the parent's to handle,
    and anything printed goes to stderr, not into the answers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    return sys.stdin.buffer, answers


def answer(answers: IO[bytes], item: Any) -> None:
    """In the child: one answer, pickled and sent at once."""
    answers.write(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
    answers.flush()
