"""One lock per step, so two workers on shared storage never run the same step at once.

The lock is a POSIX record lock (`fcntl.lockf`) on `runs/.locks/<step-id>.lock`: it is released when its
process dies (a killed worker never leaves a stale lock), and it works across machines on NFS v4 and on
local disks. The second worker waits, then finds the step DONE and skips it. Lock files are never deleted:
removing one while another process waits on it would let a third take a different file's lock.
Under DDP only rank 0 takes the lock; the ranks agree on what to do through short collectives (see steps.py).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCKS = ".locks"


def lock_path(runs: Path, step_id: str) -> Path:
    return Path(runs) / LOCKS / f"{step_id}.lock"


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode("utf-8", "replace").strip() or "another worker"
    except OSError:
        return "another worker"


def _open(runs: Path, step_id: str) -> int:
    path = lock_path(runs, step_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)


def _mark(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{socket.gethostname()} pid {os.getpid()}\n".encode())


@contextmanager
def step_lock(runs: Path, step_id: str, *, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the step's lock for the duration of the block; wait (calling `on_wait(holder)` once) if taken."""
    import fcntl

    fd = _open(runs, step_id)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if on_wait is not None:
                on_wait(_holder(fd))
            fcntl.lockf(fd, fcntl.LOCK_EX)
        _mark(fd)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class TryLock:
    """A non-blocking attempt at a step's lock, for callers that must keep polling (DDP rank 0)."""

    def __init__(self, runs: Path, step_id: str):
        self.fd = _open(runs, step_id)
        self.held = False

    def attempt(self) -> bool:
        import fcntl

        try:
            fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        _mark(self.fd)
        self.held = True
        return True

    def holder(self) -> str:
        return _holder(self.fd)

    def release(self) -> None:
        import fcntl

        if self.held:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)
            self.held = False
        os.close(self.fd)


def wait_interval(attempt: int) -> float:
    """Seconds between polls: quick at first, then every 5 s."""
    return min(5.0, 0.2 * (attempt + 1))


def sleep_poll(attempt: int) -> None:
    time.sleep(wait_interval(attempt))
