"""Run `synth` on a read-only or nearly full file system: a private mount namespace (unshare) with a read-only
bind mount or a tiny tmpfs. Tests that need it skip cleanly where unprivileged namespaces are not available."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from tests.hardening.conftest import SYNTH, Proc


@lru_cache(maxsize=1)
def namespaces_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
                            "mount -t tmpfs -o size=64k tmpfs /tmp"], capture_output=True, timeout=30)
    return probe.returncode == 0


def run_mounted(mount: str, *synth_args: str, env: dict, timeout: float = 120) -> Proc:
    """`mount` (shell commands run as root in a private mount namespace), then `synth ARGS` there."""
    command = " ".join(shlex.quote(a) for a in (str(SYNTH), *synth_args))
    p = subprocess.run(["unshare", "-rm", "sh", "-c", f"set -e; {mount}; {command}"], env=env,
                       capture_output=True, text=True, timeout=timeout)
    return Proc(p.returncode, p.stdout, p.stderr)


def read_only(folder: Path) -> str:
    q = shlex.quote(str(folder))
    return f"mount --bind {q} {q}; mount -o remount,bind,ro {q}"


def tiny_disk(folder: Path, size_kib: int) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"mount -t tmpfs -o size={size_kib}k tmpfs {shlex.quote(str(folder))}"
