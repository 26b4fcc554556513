"""Crash-safe staging of a batch's files (NTC-7: no orphan notice, no orphan ledger row).

Protocol, per batch (``out_dir/.logidesk-staging/``):

1. take an exclusive OS lock on ``<batch>.lock`` (released by the OS if the process dies),
   then create ``<batch>/`` and render every document there under its final name;
2. write ``<batch>/manifest.json`` (ledger identity, batch id, files) and fsync it;
3. insert the ledger rows and COMMIT — this is the single point of truth;
4. rename each staged file into ``out_dir`` (atomic ``os.replace`` on one filesystem), then
   remove the staging folder and the lock.

Crash window: a crash before (3) leaves a staging folder whose batch has no ledger rows →
:func:`recover` deletes it. A crash between (3) and the end of (4) leaves rows whose files
are still staged → :func:`recover` finishes the renames (roll forward). ``recover`` runs at the
start of every batch and skips folders whose lock is still held by a live process.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any, BinaryIO, Callable

if sys.platform == "win32":  # pragma: no cover - Windows clients
    import msvcrt
else:
    import fcntl

STAGING = ".logidesk-staging"
MANIFEST = "manifest.json"


def _lock(fh: Any, blocking: bool) -> bool:
    """Exclusive lock on an open file; False if held elsewhere (non-blocking)."""
    if sys.platform == "win32":  # pragma: no cover - Windows clients
        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), mode, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        return True
    except OSError:
        return False


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """One batch's staging folder, locked for the life of the batch."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = out_dir / STAGING
        self.batch_id = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:12]}"
        self.lock_path = self.root / f"{self.batch_id}.lock"
        for attempt in range(20):  # another process may remove the empty root meanwhile
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                fh = open(self.lock_path, "a+b")
            except FileNotFoundError:
                if attempt == 19:
                    raise
                continue
            _lock(fh, blocking=True)
            # a recover() elsewhere may have found the lock file free in the instant between
            # our open and our lock, and removed it: a lock on a removed file protects nothing
            if _still_linked(fh, self.lock_path):
                self._lock_fh: BinaryIO | None = fh
                break
            fh.close()
            if attempt == 19:
                raise OSError(f"无法锁定暂存文件 {self.lock_path}")
        self.dir = self.root / self.batch_id
        self.dir.mkdir()
        self.moves: list[tuple[str, str]] = []  # (staged name, final path)

    def path(self, final: Path) -> Path:
        """Where to write the staged copy of ``final`` (same name, staging folder)."""
        self.moves.append((final.name, str(final)))
        return self.dir / final.name

    def write_manifest(self, ledger_ident: str) -> None:
        """Step 2: the manifest recovery reads; fsynced before the ledger commit."""
        data = {"ledger": ledger_ident, "batch_id": self.batch_id, "files": self.moves}
        tmp = self.dir / (MANIFEST + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.dir / MANIFEST)
        for name, _ in self.moves:  # staged documents durable too
            with open(self.dir / name, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(self.dir)

    def publish(self) -> None:
        """Step 4: move every staged file into place, then drop the staging folder."""
        for name, final in self.moves:
            src = self.dir / name
            if src.exists():
                os.replace(src, final)
        _fsync_dir(self.out_dir)
        self.close(remove=True)

    def abort(self) -> None:
        """Failure before commit: delete everything staged."""
        self.close(remove=True)

    def close(self, remove: bool) -> None:
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None
            if remove:
                try:
                    self.lock_path.unlink()
                except OSError:
                    pass
                _remove_if_empty(self.root)


def _still_linked(fh: Any, path: Path) -> bool:
    """Whether the open, locked file ``fh`` is still the one at ``path`` (not removed or
    replaced meanwhile). Windows does not remove a file that is open, so it always is."""
    if sys.platform == "win32":  # pragma: no cover - Windows clients
        return True
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fh.fileno())
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def _remove_if_empty(root: Path) -> None:
    try:
        root.rmdir()
    except OSError:
        pass


def _drop_stale_lock(root: Path, entry: Path) -> None:
    """A lock file without its batch folder: removed once no process holds it."""
    if (root / entry.stem).exists():
        return
    try:
        fh = open(entry, "a+b")
    except FileNotFoundError:  # finished and removed meanwhile
        return
    try:
        if _lock(fh, blocking=False):  # removed while held: see Staging.__init__
            try:
                entry.unlink()
            except OSError:
                pass
    finally:
        fh.close()


def _read_manifest(batch_dir: Path) -> dict[str, Any] | None:
    """The batch's manifest; None when it was never written (crash before step 2) or is torn."""
    manifest = batch_dir / MANIFEST
    if not manifest.exists():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError:
        return None


def _settle(batch_dir: Path, ledger_ident: str, batch_committed: Callable[[str], bool],
            stats: dict[str, Any]) -> bool:
    """Roll a committed batch forward or discard an uncommitted one (its lock is held);
    False when the batch belongs to another ledger and is left alone."""
    data = _read_manifest(batch_dir)
    if data is not None and data.get("ledger") != ledger_ident:
        return False  # another ledger's batch: leave it for that ledger
    if data is not None and batch_committed(data["batch_id"]):
        for name, final in data["files"]:
            src = batch_dir / name
            if src.exists():
                os.replace(src, final)
                stats["rolled_forward"] += 1
        stats["batches"].append(data["batch_id"])
    else:
        stats["discarded"] += 1
    shutil.rmtree(batch_dir, ignore_errors=True)
    return True


def _recover_batch(root: Path, batch_dir: Path, ledger_ident: str,
                   batch_committed: Callable[[str], bool], stats: dict[str, Any]) -> None:
    """One staged batch: skipped while a live process holds its lock, else settled and its
    lock file removed."""
    lock_path = root / f"{batch_dir.name}.lock"
    try:
        fh = open(lock_path, "a+b")
    except FileNotFoundError:  # the staging root went away meanwhile
        return
    try:
        # not locked: a live process owns this batch; gone: finished meanwhile
        settled = (_lock(fh, blocking=False) and batch_dir.exists()
                   and _settle(batch_dir, ledger_ident, batch_committed, stats))
    finally:
        fh.close()
    if not settled:
        return
    try:
        if not batch_dir.exists():
            lock_path.unlink()
    except OSError:
        pass


def recover(out_dir: Path, ledger_ident: str, batch_committed: Callable[[str], bool]) -> dict[str, Any]:
    """Finish or undo batches left by crashed processes in ``out_dir`` (see module doc).

    Returns counts: ``rolled_forward`` files moved into place, ``discarded`` batches removed,
    and ``batches``: the ids of the committed batches whose files were completed."""
    stats: dict[str, Any] = {"rolled_forward": 0, "discarded": 0, "batches": []}
    root = out_dir / STAGING
    if not root.is_dir():
        return stats
    try:
        entries = sorted(root.iterdir())
    except FileNotFoundError:
        return stats
    for entry in entries:
        if entry.suffix == ".lock":
            _drop_stale_lock(root, entry)
        elif entry.is_dir():
            _recover_batch(root, entry, ledger_ident, batch_committed, stats)
    _remove_if_empty(root)
    return stats
