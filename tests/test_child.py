"""The helper processes of an import and an index build: what is sent arrives whole, answers
are only answers, and a child is always ended and waited for, whatever went wrong."""

from __future__ import annotations

import pytest

from triage.core.child import Child, ChildFailed

ECHO = (
    "import pickle\n"
    "from triage.core.child import answer, channels\n"
    "texts, answers = channels()\n"
    "while True:\n"
    "    try:\n"
    "        item = pickle.load(texts)\n"
    "    except EOFError:\n"
    "        break\n"
    "    print('a stray print')\n"
    "    answer(answers, item)\n"
)


@pytest.fixture
def echo():
    child = Child(ECHO)
    yield child
    child.close(kill=True)


def test_items_larger_than_a_pipe_arrive_whole_and_prints_are_not_answers(echo):
    large = {"text": "word " * 600_000, "numbers": list(range(50_000))}  # ~3 MB pickled
    echo.send(large)
    echo.send_each(iter(["second", "third"]))
    assert echo.receive() == large
    assert [echo.receive(), echo.receive()] == ["second", "third"]
    assert echo.close() == 0


def test_a_child_whose_sending_fails_is_still_ended_and_waited_for(echo):
    echo.send("first")
    echo.send(lambda: None)  # cannot be pickled: the sending stops, the child's input ends
    echo.send("never sent")
    assert echo.receive() == "first"
    with pytest.raises(ChildFailed):
        echo.receive()
    assert echo.close() == 0
    assert echo.process.poll() == 0
    assert echo.send_error is not None


def test_a_child_that_dies_is_waited_for_and_its_pending_input_dropped():
    child = Child("import sys; sys.exit(3)")
    child.send_each(iter([b"x" * 3_000_000] * 5))  # more than the pipe holds: nobody reads it
    with pytest.raises(ChildFailed):
        child.receive()
    assert child.close() == 3


def test_a_generator_left_midway_is_closed(echo):
    cleaned: list[str] = []

    def items():
        try:
            yield "one"
            yield lambda: None  # the sending fails here
            yield "never"
        finally:
            cleaned.append("done")

    echo.send_each(items())
    assert echo.receive() == "one"
    echo.close()
    assert cleaned == ["done"]


def test_closing_a_child_waiting_for_input_ends_it():
    child = Child(ECHO)
    assert child.close() == 0
