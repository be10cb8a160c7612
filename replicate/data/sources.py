"""Where each task's data comes from, and what that data is: the data identity that step ids hash.

The source is chosen per (task, language, split) when a plan is built: a local file under the data folder
when one exists (or the task has no Hub source, e.g. CCG), else the Hugging Face Hub. A local file's identity
is its size and sha256 (its mtime only decides whether the sha must be recomputed, so copying a data folder
to another machine keeps the step ids); a Hub source's identity is the commit pinned in the Hub lock file by
`synth replicate preflight` (unpinned sources say so, and their ids change once they are pinned).

Evaluation splits fall back per language: a language without the requested split (UD-POS kk/th/tl/yo have
no validation set) is evaluated on its test split, and the fallback is recorded in the step and its results.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import ConfigError, ReplicationError
from synth.core.files import sha256_file, write_json

from .taskconfig import TaskConfig, load_task

SplitRole = Literal["train", "validation", "test"]
LOCAL_SUFFIXES = (".jsonl", ".json", ".parquet")
HUB_LOCK_NAME = "hub.lock.json"


class DataRef(BaseModel):
    """One (task, split) as a step reads it: the chosen source and the identity of the data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str = Field(description="task read (the per-language variant where there is one)")
    split: SplitRole = Field(description="split role actually read")
    requested: SplitRole = Field(description="split role asked for; differs when it fell back")
    fallback: str | None = Field(None, description="why the split fell back (None = no fallback)")
    source: Literal["local", "hub"]
    file: str | None = Field(None, description="local: path relative to the data folder")
    size: int | None = Field(None, description="local: bytes")
    sha256: str | None = Field(None, description="local: content hash")
    mtime: float | None = Field(None, description="local: modification time when fingerprinted (not hashed)")
    hub: str | None = Field(None, description="hub: '<dataset id>' or '<dataset id>:<config>'")
    revision: str | None = Field(None, description="hub: the commit pinned by preflight, else the declared ref")
    pinned: bool = Field(False, description="hub: True when `revision` is a commit from the Hub lock file")

    def identity(self) -> dict:
        """What step ids hash: everything but the mtime."""
        return self.model_dump(mode="json", exclude={"mtime"})

    def describe(self) -> str:
        """One line for plans and results: 'local udpos/test.kk.jsonl (test; no validation split)'."""
        where = f"local {self.file}" if self.source == "local" else (
            f"hub {self.hub}@{self.revision or 'main'}" + ("" if self.pinned else " (unpinned)"))
        return where + (f" ({self.split}: {self.fallback})" if self.fallback else "")


class Unavailable(BaseModel):
    """A (task, split) that no allowed source can provide (local-only plans without the file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    split: SplitRole
    reason: str


# ------------------------------------------------------------------------------------------ local files


def fixtures_dir() -> Path:
    """The bundled tiny fixtures (every task type, exact HF schema): usable as a data folder."""
    return Path(__file__).resolve().parents[1] / "fixtures"


def local_file(config: TaskConfig, split: SplitRole, data_dir: Path | None) -> Path | None:
    """The existing local file of a split under data_dir, or None (no folder, no split, or no file)."""
    if data_dir is None or config.split_name(split) is None:
        return None
    lang = config.language or (config.languages[0] if len(config.languages) == 1 else None)
    pattern = config.local_files
    if isinstance(pattern, dict):
        pattern = pattern.get(split)
        if pattern is None:
            return None
    if pattern is not None:
        if "{lang}" in pattern and lang is None:
            return None
        path = Path(data_dir) / pattern.format(split=split, lang=lang)
        return path if path.is_file() else None
    stem = f"{split}.{config.language}" if config.language else split
    base = Path(data_dir) / config.family_name / stem
    for suffix in LOCAL_SUFFIXES:
        candidate = base.with_name(base.name + suffix)
        if candidate.is_file():
            return candidate
    return None


_FINGERPRINTS: dict[tuple[str, int, int], str] = {}


def fingerprint(path: Path) -> tuple[int, float, str]:
    """(size, mtime, sha256) of a file; the sha is recomputed only when size or mtime changed."""
    stat = Path(path).stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _FINGERPRINTS:
        _FINGERPRINTS[key] = sha256_file(path)
    return stat.st_size, stat.st_mtime, _FINGERPRINTS[key]


def _local_ref(config: TaskConfig, split: SplitRole, requested: SplitRole, path: Path, data_dir: Path,
               fallback: str | None) -> DataRef:
    size, mtime, sha = fingerprint(path)
    try:  # the file was found under data_dir, so no resolving (symlinks, ..) is needed for its relative name
        rel = path.relative_to(data_dir).as_posix()
    except ValueError:
        rel = str(path)
    return DataRef(task=config.name, split=split, requested=requested, fallback=fallback, source="local",
                   file=rel, size=size, sha256=sha, mtime=mtime)


def check_local(ref: DataRef, data_dir: Path | None) -> Path:
    """The file of a local ref, after checking it is still the data the step was planned on."""
    if data_dir is None:
        raise ReplicationError(f"{ref.task} {ref.split}: the step reads local data but no data folder is set",
                               hint="pass --data-dir (or SYNTH_DATA_DIR)")
    path = Path(data_dir) / (ref.file or "")
    if not path.is_file():
        raise ReplicationError(f"{ref.task} {ref.split}: {path} is gone since the plan was made")
    size, _, sha = fingerprint(path)
    if (size, sha) != (ref.size, ref.sha256):
        raise ReplicationError(f"{path} changed since the plan was made (its steps now have other ids)",
                               hint="run the command again: the plan is rebuilt from the current files")
    return path


# ------------------------------------------------------------------------------------------ Hub lock


class HubPin(BaseModel):
    """The commit a Hub dataset reference resolved to when preflight checked it."""

    model_config = ConfigDict(extra="forbid")

    commit: str
    resolved: str = Field(description="when (UTC, ISO 8601)")


class HubLock(BaseModel):
    """The Hub lock file: '<dataset id>@<requested ref>' -> pinned commit. Step ids hash the pins."""

    model_config = ConfigDict(extra="forbid")

    schema_: Literal[1] = Field(1, alias="schema")
    pins: dict[str, HubPin] = Field(default_factory=dict)

    @staticmethod
    def key(dataset: str, requested: str | None) -> str:
        return f"{dataset}@{requested or 'main'}"

    def commit(self, dataset: str, requested: str | None) -> str | None:
        pin = self.pins.get(self.key(dataset, requested))
        return pin.commit if pin else None

    def pin(self, dataset: str, requested: str | None, commit: str) -> None:
        when = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        self.pins[self.key(dataset, requested)] = HubPin(commit=commit, resolved=when)


def read_hub_lock(path: Path | None) -> HubLock:
    """The lock file at `path` (an empty lock when there is none)."""
    if path is None or not Path(path).is_file():
        return HubLock()
    from synth.core.jsonio import JsonError, read_json

    try:
        return HubLock.model_validate(read_json(path))
    except JsonError as exc:
        raise ConfigError(f"{path}: not a Hub lock file ({exc.message})") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a Hub lock file ({type(exc).__name__}: {exc})") from exc


def write_hub_lock(path: Path, lock: HubLock) -> None:
    write_json(path, lock.model_dump(mode="json", by_alias=True))


def _hub_ref(config: TaskConfig, split: SplitRole, requested: SplitRole, lock: HubLock,
             fallback: str | None) -> DataRef:
    assert config.hf is not None
    commit = lock.commit(config.hf.id, config.hf.revision)
    hub = config.hf.id + (f":{config.hf.config}" if config.hf.config else "")
    return DataRef(task=config.name, split=split, requested=requested, fallback=fallback, source="hub", hub=hub,
                   revision=commit or config.hf.revision, pinned=commit is not None)


# ------------------------------------------------------------------------------------------ choosing


def choose_source(config: TaskConfig, requested: SplitRole, *, data_dir: Path | None, lock: HubLock,
                  local_only: bool, fallbacks: tuple[SplitRole, ...] = ()) -> DataRef | Unavailable:
    """The source of one split of one (single-language or per-language) task, with split fallback.

    Order: the requested split from a local file; a fallback split from a local file; the requested split
    from the Hub; a fallback split from the Hub (only splits the task declares count)."""
    roles = [requested, *[f for f in fallbacks if f != requested]]
    declared = [r for r in roles if config.split_name(r) is not None]
    if not declared:
        return Unavailable(task=config.name, split=requested,
                           reason=f"the task declares no {' or '.join(roles)} split")

    def why(role: SplitRole) -> str | None:
        if role == requested:
            return None
        if config.split_name(requested) is None:
            return f"no {requested} split"
        return f"no local {requested} file"

    for role in declared:
        path = local_file(config, role, data_dir)
        if path is not None:
            return _local_ref(config, role, requested, path, Path(data_dir), why(role))
    if config.hf is None or local_only:
        where = f"under {data_dir}" if data_dir else "(no data folder given)"
        if config.hf is None:
            reason = f"local-only task and no local file {where}" + (
                f" ({config.license_note})" if config.license_note else "")
        else:
            reason = f"no local file {where} and the Hub is not allowed (local only)"
        return Unavailable(task=config.name, split=requested, reason=reason)
    role = declared[0]
    return _hub_ref(config, role, requested, lock, why(role) if role != requested else None)


def resolve_split(task: TaskConfig | str, requested: SplitRole, *, data_dir: Path | None, lock: HubLock,
                  local_only: bool, fallbacks: tuple[SplitRole, ...] = ()) -> list[DataRef] | Unavailable:
    """DataRefs of one split of a task; a mixture (ANLI+) resolves to one ref per component."""
    config = load_task(task) if isinstance(task, str) else task
    if config.mixture is None:
        ref = choose_source(config, requested, data_dir=data_dir, lock=lock, local_only=local_only,
                            fallbacks=fallbacks)
        return ref if isinstance(ref, Unavailable) else [ref]
    refs: list[DataRef] = []
    for name in config.mixture:
        component = load_task(name)
        if component.split_name(requested) is None:
            continue
        ref = choose_source(component, requested, data_dir=data_dir, lock=lock, local_only=local_only)
        if isinstance(ref, Unavailable):
            return Unavailable(task=config.name, split=requested, reason=f"component {name}: {ref.reason}")
        refs.append(ref)
    if not refs:
        return Unavailable(task=config.name, split=requested, reason=f"no component has a {requested} split")
    return refs


def resolve_data_dir(explicit: Path | str | None, profile_data: str, settings_data_dir: Path | None) -> Path | None:
    """The data folder of a run: --data-dir, else the profile's bundled fixtures, else SYNTH_DATA_DIR."""
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise ConfigError(f"--data-dir {explicit}: not a folder")
        return path.resolve()
    if profile_data == "fixtures":
        return fixtures_dir()
    if settings_data_dir is not None:
        if not Path(settings_data_dir).is_dir():
            raise ConfigError(f"SYNTH_DATA_DIR={settings_data_dir}: not a folder")
        return Path(settings_data_dir).resolve()
    return None


def hub_offline() -> bool:
    """True when the environment forbids Hub access (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE)."""
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


HUB_PROBE_TIMEOUT_S = 5.0


def hub_unreachable(timeout_s: float = HUB_PROBE_TIMEOUT_S) -> str | None:
    """Why the Hub cannot be used now (offline variables set, or its host not answering), or None when it can.

    One TCP connection to HF_ENDPOINT (default huggingface.co:443), at most `timeout_s`: asked once before a run,
    instead of every step finding out on its own through the datasets library's retries (minutes per step)."""
    import socket
    from urllib.parse import urlsplit

    if hub_offline():
        return "HF_HUB_OFFLINE / HF_DATASETS_OFFLINE is set"
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT", "").strip() or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        return f"{host} cannot be reached ({exc.strerror or type(exc).__name__})"
    return None
