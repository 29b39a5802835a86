"""The shared file under the conditions sync clients create: copied at any moment, a publish
killed midway, two machines changing their copies between syncs with conflict copies left
behind. Real processes where a process matters; the sync clients are simulated here."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from triage.store import Entry, Store, paper_id
from triage.store.snapshot import check_copy
from triage.sync.publish import TEMPORARY_PREFIX
from triage.sync.shared import SharedFile

WORKER = textwrap.dedent(
    """
    import random, sys
    from pathlib import Path
    from triage.store import Entry, Store
    from triage.sync.shared import SharedFile
    db, shared, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    chance = random.Random(int(sys.argv[4]))
    with Store(db) as store:
        sync = SharedFile(store, machine="worker")
        sync.attach(shared)
        ids = store.ids_newest_first()
        n = 0
        while not stop.exists():
            paper = chance.choice(ids)
            if n % 7 == 0:
                store.add_papers([Entry(f"Imported paper {n}", "An abstract. " * 40)],
                                 source=f"dump-{n}.txt", listed_on="2026-11-20")
            else:
                store.mark([paper], star=n % 2 == 0, note=f"note {n}", add_tags=[f"t{n % 5}"])
            sync.sync()
            print(sync.settings["clean"], flush=True)
            n += 1
    """
)


def library(path: Path, papers: int) -> Path:
    with Store(path) as store:
        store.add_papers(
            [Entry(f"Paper number {n}", f"Abstract {n}. " * 60) for n in range(papers)],
            source="start.txt",
            listed_on="2026-11-19",
        )
    return path


def start_worker(
    tmp_path: Path, db: Path, shared: Path, seed: int
) -> tuple[subprocess.Popen, Path]:
    stop = tmp_path / f"stop-{seed}"
    env = {**os.environ, "TRIAGE_DATA_DIR": str(tmp_path / f"worker-{seed}")}
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(db), str(shared), str(stop), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not shared.exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the worker never published"
        time.sleep(0.01)
    return process, stop


def test_a_copy_taken_at_any_moment_is_a_whole_triage_db(tmp_path):
    db = library(tmp_path / "working.db", 200)
    shared = tmp_path / "Sync" / "triage.db"
    shared.parent.mkdir()
    worker, stop = start_worker(tmp_path, db, shared, seed=1)
    copies = []
    versions_seen = set()  # each publish renames a new file in
    chance = random.Random(7)
    deadline = time.monotonic() + 90
    try:
        # as a sync client would: whenever it notices the file, over many publishes however
        # slowly a loaded machine runs the worker
        while len(copies) < 300 or (len(versions_seen) < 25 and time.monotonic() < deadline):
            copy = tmp_path / "copies" / f"{len(copies)}.db"
            copy.parent.mkdir(exist_ok=True)
            seen = os.stat(shared)
            versions_seen.add((seen.st_ino, seen.st_mtime_ns))
            shutil.copyfile(shared, copy)
            copies.append(copy)
            time.sleep(chance.random() * 0.004)
    finally:
        stop.touch()
        out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    publishes = len(out.splitlines())
    assert publishes > 20, "the copies must overlap many publishes"
    distinct = {hashlib.sha256(copy.read_bytes()).hexdigest() for copy in copies}
    assert len(distinct) > 5  # copies of many versions, not one
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", copy
        assert check_copy(copy).library_id is not None
        with Store(copy, create=False) as opened:
            assert opened.count() >= 200


def test_a_publish_killed_midway_leaves_the_old_or_the_new_file_never_a_torn_one(tmp_path):
    db = library(tmp_path / "working.db", 3000)  # a few MB: a publish takes a while
    shared = tmp_path / "Sync" / "triage.db"
    shared.parent.mkdir()
    chance = random.Random(3)
    left_behind = 0
    for round_ in range(8):
        worker, _ = start_worker(tmp_path, db, shared, seed=100 + round_)
        time.sleep(0.05 + chance.random() * 0.3)
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=60)
        with sqlite3.connect(f"file:{shared}?mode=ro&immutable=1", uri=True) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] >= 3000
        left_behind += len(list(shared.parent.glob(f"{TEMPORARY_PREFIX}*")))
        assert sorted(p.name for p in shared.parent.iterdir() if "journal" in p.name) == []
    with Store(db) as store:
        sync = SharedFile(store, machine="worker")
        sync.attach(shared)
    assert sorted(p.name for p in shared.parent.iterdir()) == ["triage.db"]
    print(f"temporaries left by killed publishes: {left_behind}")


class SyncClient:
    """Carries each machine's shared folder to the other, as Syncthing would: a file changed on
    one side replaces the other's; changed on both, one wins and the other is kept beside it as
    a conflict copy. Files are written to a temporary and renamed, as the clients do."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.known: dict[str, str | None] = {}
        self.conflicts = 0

    @staticmethod
    def digest(path: Path) -> str | None:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    @staticmethod
    def put(source: Path, target: Path) -> None:
        temporary = target.with_name(f".syncthing.{target.name}.tmp")
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)

    def carry(self) -> None:
        names = {p.name for folder in self.folders for p in folder.glob("*.db")}
        for name in sorted(names):
            files = [folder / name for folder in self.folders]
            changed = [f for f in files if f.exists() and self.digest(f) != self.known.get(name)]
            if len(changed) == 2:  # both changed: the first folder's wins
                self.conflicts += 1
                stamp = f"20261123-{self.conflicts:06d}"
                for folder in self.folders:
                    self.put(changed[1], folder / f"triage.sync-conflict-{stamp}-DESKTOP.db")
                changed = changed[:1]
            if changed:
                for target in files:
                    if target != changed[0]:
                        self.put(changed[0], target)
                self.known[name] = self.digest(changed[0])
            gone = [f for f in files if not f.exists()]
            if gone and len(gone) < len(files) and self.known.get(name):
                for target in files:  # moved aside on one machine: gone on the other too
                    target.unlink(missing_ok=True)
                self.known.pop(name, None)


@pytest.mark.parametrize("seed", range(1, 6))
def test_two_machines_changing_their_copies_end_with_the_same_data_and_every_change(tmp_path, seed):
    chance = random.Random(seed)
    machines = {}
    for name in ("laptop", "desktop"):
        folder = tmp_path / name / "Sync"
        folder.mkdir(parents=True)
        store = Store(library(tmp_path / name / "triage.db", 0))
        machines[name] = (store, SharedFile(store, machine=name), folder / "triage.db")
    laptop_store, laptop_sync, laptop_shared = machines["laptop"]
    laptop_store.add_papers(
        [Entry(f"Shared paper {n}", "Abstract.") for n in range(12)],
        source="d.txt",
        listed_on="2026-11-20",
    )
    laptop_sync.attach(laptop_shared)
    client = SyncClient([laptop_shared.parent, machines["desktop"][2].parent])
    client.carry()
    machines["desktop"][1].attach(machines["desktop"][2])
    client.carry()
    expected_star: dict[str, bool] = {}
    expected_state: dict[str, str] = {}
    expected_tags: dict[tuple[str, str], bool] = {}
    expected_note: dict[str, str] = {}
    imported = [f"Shared paper {n}" for n in range(12)]
    for step in range(150):
        name = chance.choice(["laptop", "desktop"])
        store, sync, _ = machines[name]
        ids = store.ids_newest_first()
        paper = chance.choice(ids)
        action = chance.random()
        if action < 0.2:
            star = chance.random() < 0.5
            if store.mark([paper], star=star):  # a mark that changes nothing is no event
                expected_star[paper] = star
        elif action < 0.35:
            state = chance.choice(["inbox", "reading", "read", "archived"])
            if store.mark([paper], state=state):
                expected_state[paper] = state
        elif action < 0.55:
            tag = f"tag-{chance.randrange(4)}"
            present = chance.random() < 0.6
            if store.mark([paper], **{"add_tags" if present else "remove_tags": [tag]}):
                expected_tags[(paper, tag)] = present
        elif action < 0.65:
            # each machine writes the notes of its own half of the papers (a note written on
            # both between syncs is kept as a conflict block: tested in test_merge)
            own = [p for p in ids if (int(p, 16) % 2 == 0) == (name == "laptop")]
            if own:
                note_paper = chance.choice(own)
                store.mark([note_paper], note=f"{name} note {step}")
                expected_note[note_paper] = f"{name} note {step}"
        elif action < 0.72:
            store.add_papers(
                [Entry(f"{name} paper {step}", "Abstract.")],
                source=f"{name}-{step}.txt",
                listed_on="2026-11-21",
            )
            imported.append(f"{name} paper {step}")
        elif action < 0.9:
            sync.sync()
        else:
            client.carry()
    for _ in range(4):  # the last syncs: each machine, the client in between
        for _store, sync, _shared in machines.values():
            client.carry()
            sync.sync()
        client.carry()
    seen = {}
    for name, (store, _, _) in machines.items():
        seen[name] = {p.id: (p.starred, p.state, p.note, tuple(p.tags)) for p in store.papers()}
        store.close()
    assert seen["laptop"] == seen["desktop"]
    final = seen["laptop"]
    assert client.conflicts > 0, "the run must have made conflict copies"
    for paper, star in expected_star.items():
        assert final[paper][0] == star
    for paper, state in expected_state.items():
        assert final[paper][1] == state
    for paper, note in expected_note.items():
        assert final[paper][2] == note
    for (paper, tag), present in expected_tags.items():
        assert (tag in final[paper][3]) == present, (paper, tag)
    assert set(final) == {paper_id(title) for title in imported}
