"""One writer at a time per store, and no leftovers from a writer that was killed.

Every write goes through `build_atomically`, which writes a new file beside the store and renames
it into place. Two writers at once would each start from the same old file and the second rename
would drop the first one's rows (issue 15: two imports started together lost one file in 5 of 6
trials). So a writer first takes an exclusive lock on `.<store>.lock` beside the store. It is a
POSIX `flock`: the kernel releases it when the process ends, killed or not, so a lock is never
left stale. The holder removes the file when it is done; a killed one leaves it empty and
unlocked. A second writer waits up to `wait` seconds, then is refused with one line saying who
holds the lock; it has changed nothing.

Holding the lock also proves that no other writer is running, so any `.<store>.*.building` file
beside the store is a killed writer's half-written copy: `remove_leftovers` deletes them, and any
`.<store>.*.retired` file is an old store a finished writer left to be freed apart (`replace`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StoreBusy(RuntimeError):
    """Another process is writing the store; str() is one line for the user."""


_held = threading.local()  # paths this thread holds the lock of (the lock is re-entrant in-process)


def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def leftovers(target: Path) -> list[Path]:
    """Temporary files of a build or import of `target` (and their write-ahead logs), the folders
    DuckDB spilled to while writing them, and old store files left to be freed (`replace`): exactly
    the names tempfile.mkstemp gives build_atomically and `replace` (8 random characters), never
    another store's (".s.duckdb.copy.x.building" belongs to s.duckdb.copy)."""
    files = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.(building(\.wal)?|retired)")
    folders = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.building\.spill")
    return sorted(
        p
        for p in target.parent.glob(f".{glob.escape(target.name)}.*")
        if (files.fullmatch(p.name) and p.is_file() and not p.is_symlink())
        or (folders.fullmatch(p.name) and p.is_dir() and not p.is_symlink())
    )


@contextmanager
def writer_lock(target: Path | str, *, wait: float = 0.0, what: str = "a write", notify=None) -> Iterator[None]:
    """Hold the store's writer lock for the block; StoreBusy when another process holds it for
    longer than `wait` seconds. `what` ("an import of tickets.csv") is recorded for the refusal
    message another writer gets. `notify(line)`, when given, is told once that this waits, and for whom."""
    target = Path(target).resolve()
    held = getattr(_held, "paths", None)
    if held is None:
        held = _held.paths = {}
    if held.get(target):
        held[target] += 1
        try:
            yield
        finally:
            held[target] -= 1
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(lock_path(target), target, time.monotonic() + max(wait, 0.0), wait, notify)
    try:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)  # a killed holder's longer record would leave its tail
        os.pwrite(fd, f"{os.getpid()}\t{stamp}\t{' '.join(what.split())}\n".encode(), 0)
        held[target] = 1
        try:
            yield
        finally:
            held.pop(target, None)
            # Removed while still held: a writer waiting on this file finds it gone and opens a new one.
            lock_path(target).unlink(missing_ok=True)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(path: Path, target: Path, deadline: float, wait: float, notify=None) -> int:
    """A descriptor holding the lock on the file now at `path` (not on one a previous holder has
    just removed)."""
    told = notify is None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusy(_busy_message(target, fd, wait)) from None
                    if not told:
                        busy = _busy_message(target, fd, 0).split(": nothing was changed")[0]
                        notify(f"waiting (up to {wait:g} s): {busy}")
                        told = True
                    time.sleep(0.2)
            mine = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder removed it as we took it: try the new one


def _busy_message(target: Path, fd: int, wait: float) -> str:
    first = os.pread(fd, 500, 0).decode(errors="replace").split("\n")[0]
    holder = first.strip().split("\t")
    who = ""
    if len(holder) == 3:
        pid, since, what = holder
        who = f" ({what}, process {pid}, since {since})"
    waited = f" (waited {wait:g} s)" if wait > 0 else ""
    return f"another process is writing {target.name}{who}{waited}: nothing was changed; try again when it ends"


def remove_leftovers(target: Path | str) -> tuple[int, int]:
    """Delete a killed writer's temporary files beside `target`: (files, bytes) removed. Only call
    it while holding the writer lock (then no live writer owns them). An old store file a finished
    writer left to be freed apart (`.retired`, see `replace`) is deleted too, but not counted: it is
    no sign of a killed writer (its remover may simply not have finished yet)."""
    files = size = 0
    for path in leftovers(Path(target)):
        try:
            if path.is_dir():  # DuckDB's spill files
                bytes_ = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
                shutil.rmtree(path)
            else:
                bytes_ = path.stat().st_size
                path.unlink()
        except FileNotFoundError:
            continue
        if not path.name.endswith(".retired"):
            files += 1
            size += bytes_
    return files, size


# An old store file at least this large is freed by a process of its own once the new file has its
# name: on this machine's disk (ext4 mounted with discard) freeing the 3.3 GB of a 10 M-ticket store
# took 1.6-2.6 s of a 13-19 s daily import, spent after its rows were already in place.
FREE_APART_BYTES = 256 * 1024 * 1024


def replace(new: Path, target: Path) -> None:
    """Rename `new` over `target` (atomic). An old `target` of FREE_APART_BYTES or more first gets a
    second name, `.<store>.<8 characters>.retired`, so the rename does not wait for the disk to free
    its blocks; a process of its own then removes that name, and the writer goes on. A retired file
    that process did not remove (killed, or the machine stopped) is a leftover the next writer
    deletes (`remove_leftovers`). Without hard links (some file systems), a plain rename."""
    try:
        big = target.stat().st_size >= FREE_APART_BYTES
    except FileNotFoundError:
        big = False
    retired = None
    if big:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".retired", dir=target.parent)
        os.close(fd)
        os.unlink(name)  # the name only: os.link makes it the old file's second name
        try:
            os.link(target, name)
            retired = Path(name)
        except OSError:
            retired = None
    try:
        os.replace(new, target)
    except BaseException:
        if retired is not None:
            retired.unlink(missing_ok=True)
        raise
    if retired is not None:
        try:
            _free_apart(retired)
        except Exception:  # the new store is in place: the next writer removes the name
            pass


def _free_apart(path: Path) -> None:
    """Remove `path` in a process that outlives this call: a shell starts `rm` in the background and
    ends at once (waited for here); `rm`, orphaned, is then reaped by the system's init process."""
    try:
        subprocess.run(
            ["sh", "-c", 'rm -f -- "$1" &', "sh", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        path.unlink(missing_ok=True)


def pause_point(stage: str) -> None:
    """A named moment of a write where a test can kill the writer: with $SQ_PAUSE_AT set to the
    stage, print "paused at <stage>" on stderr and wait to be killed. Stages, in order: reading,
    validating, writing, refreshing, committing. Without the variable this does nothing."""
    if os.environ.get("SQ_PAUSE_AT") == stage:
        print(f"paused at {stage}", file=sys.stderr, flush=True)
        time.sleep(3600)
