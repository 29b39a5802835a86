"""Two triage processes on one DB (two terminals): neither loses the other's writes or errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time

from triage.store import STATES, Store, paper_id

SHARED = [f"Shared paper {n}" for n in range(5)]
OWN = {"stars": "Paper only the first process notes", "states": "Paper only the second notes"}
ROUNDS = 150

WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from triage.store import STATES, Store, paper_id
    db, role, go, rounds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    shared = [paper_id(f"Shared paper {n}") for n in range(5)]
    own = paper_id(sys.argv[5])
    with Store(db) as store:
        while not go.exists():
            time.sleep(0.001)
        note = ""
        for n in range(rounds):
            paper = shared[n % len(shared)]
            if role == "stars":
                store.mark([paper], star=n % 2 == 0, add_tags=[f"stars-{n}"])
            else:
                store.mark([paper], state=STATES[n % len(STATES)], add_tags=[f"states-{n}"])
            store.mark(shared, remove_tags=[f"{role}-gone-{n}"], add_tags=[f"{role}-all-{n}"])
            note += f"{role} line {n}\\n"
            store.mark([own], note=note)
    """
)


def test_two_processes_marking_at_once_lose_nothing_and_never_fail(tmp_path):
    db = tmp_path / "triage.db"
    with Store(db) as store:
        store.add_papers(
            [(title, "Abstract.") for title in SHARED + list(OWN.values())],
            source="d.txt",
            listed_on="2026-11-01",
        )
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), role, str(go), str(ROUNDS), own],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, own in OWN.items()
    ]
    go.touch()
    results = [worker.communicate(timeout=240) for worker in workers]
    for worker, (_, err) in zip(workers, results):
        assert worker.returncode == 0 and err == "", err

    with Store(db) as store:
        for n, title in enumerate(SHARED):
            paper = store.get(paper_id(title))
            # The last round touching this paper in each process decides its star and state.
            last = max(r for r in range(ROUNDS) if r % len(SHARED) == n)
            assert paper.starred == (last % 2 == 0)
            assert paper.state == STATES[last % len(STATES)]
            expected = {f"stars-{r}" for r in range(ROUNDS) if r % len(SHARED) == n}
            expected |= {f"states-{r}" for r in range(ROUNDS) if r % len(SHARED) == n}
            expected |= {f"{role}-all-{r}" for role in OWN for r in range(ROUNDS)}
            assert set(paper.tags) == expected
        for role, title in OWN.items():
            assert store.get(paper_id(title)).note == "".join(
                f"{role} line {n}\n" for n in range(ROUNDS)
            )


OPENER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from triage.store import Store
    db, go, ready = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    ready.touch()
    while not go.exists():
        time.sleep(0.0005)
    with Store(db) as store:
        print(store.count())
    """
)


def start_at_once(script: str, args: list[str], tmp_path, count: int = 6) -> list[tuple[str, str]]:
    """Run ``count`` copies of ``script``, released together once all have started.

    Returns (stdout, stderr) of each; every one must have exited cleanly.
    """
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args, str(go), str(tmp_path / f"ready-{n}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    while len(list(tmp_path.glob("ready-*"))) < count:
        time.sleep(0.001)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err
    return outputs


def test_processes_opening_an_older_db_at_once_all_open_it(tmp_path):
    db = tmp_path / "triage.db"
    with Store(db) as store:
        store.add_papers([("A paper", "Abstract.")], source="d.txt", listed_on=None)
        store.mark([paper_id("A paper")], note="kept through the upgrade")
    with sqlite3.connect(db) as conn:  # as a schema-1 triage left it
        conn.execute("DROP TABLE note_history")
        conn.execute("PRAGMA user_version = 1")
    for out, err in start_at_once(OPENER, [str(db)], tmp_path):
        assert out == "1\n", err
    with Store(db) as store:
        assert store.get(paper_id("A paper")).note == "kept through the upgrade"


def test_processes_creating_a_new_db_at_once_all_open_it(tmp_path):
    db = tmp_path / "new" / "triage.db"
    for out, err in start_at_once(OPENER, [str(db)], tmp_path):
        assert out == "0\n", err
