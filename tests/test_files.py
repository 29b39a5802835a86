"""Files written in one step: what a sync client, a reader or a crash can see of them."""

from __future__ import annotations

import os
import stat
import threading

from triage.core.files import atomic_write


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "notes" / "reading.md"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "reading.md"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["reading.md"]


def test_a_new_file_gets_the_permissions_a_plain_open_would_give(tmp_path):
    previous = os.umask(0o027)
    try:
        atomic_write(tmp_path / "fresh.md", "text")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "fresh.md").stat().st_mode) == 0o640


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_two_writers_never_share_a_temporary(tmp_path):
    target = tmp_path / "shared.md"
    texts = [f"writer {n}\n" * 1000 for n in range(8)]
    threads = [threading.Thread(target=atomic_write, args=(target, text)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.read_text() in texts  # one whole text, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["shared.md"]
