"""Atomic file writes and hashing: every artifact is written to a temp file and renamed into place."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from synth.core.errors import SynthError


def _umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter before Python 3.13's os API)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temp file next to `path`; on clean exit fsync and rename it over `path`, else delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes 0600 files; what we publish follows the umask like any open() would (0644 usually)
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb", encoding=None) as fh:
        fh.write(data)


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Sorted, indented JSON for stable diffs."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_jsonl(path: str | os.PathLike, rows: Iterable[Any]) -> None:
    with atomic_open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")


def read_jsonl(path: str | os.PathLike) -> Iterator[dict]:
    """Stream a JSONL file row by row (synth.core.jsonio: a hostile line is one JsonError naming it)."""
    from synth.core.jsonio import iter_jsonl

    yield from iter_jsonl(path)


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def stable_hash(obj: Any, length: int = 8) -> str:
    """Short content hash of a JSON-serialisable object (sorted keys), used for settings and step ids."""
    data = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:length]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (temp files named after a dead writer's pid may be cleaned)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def make_temp_dir(parent: str | os.PathLike, prefix: str) -> Path:
    """A new temp folder in `parent` with the umask's permissions (mkdtemp alone makes it 0700)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    tmp.chmod(0o777 & ~_umask())
    return tmp


@contextmanager
def atomic_dir(folder: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp folder next to `folder`; on clean exit it replaces `folder` whole, else it is removed."""
    import shutil

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(folder.parent, f".{folder.name}.")
    try:
        yield tmp
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def folder_lock(path: str | os.PathLike, wait_s: float = 120.0, *, error: type[SynthError] = SynthError) -> Iterator[None]:
    """An exclusive advisory lock for writing `path`: a flock on its folder (no lock file is left behind), so
    every writer of files in one study folder (claims.yaml, its search log) waits for the others. After `wait_s`
    seconds: `error`. Folders that cannot be locked (some network file systems) are used unlocked."""
    import fcntl
    import time

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise error(f"{path}: another synth process has been writing it for over {wait_s:.0f} s; "
                                "try again when it has finished") from None
                time.sleep(0.05)
            except OSError:  # locking not supported here
                break
        yield
    finally:
        os.close(fd)  # closing releases the lock
