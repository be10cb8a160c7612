"""`synth replicate preflight`: before any GPU time, check that every (task, language, split) a plan reads can be
read from the source the plan chose, and pin the Hub commits the step ids will hash.

Local files are read whole where that is cheap (JSON lines: every line must parse) and their first row is
checked for the task's columns. Hub sources need the Hub: offline, preflight says which checks those are; online
it loads one row of each (streaming) and writes the commit each dataset reference resolves to into the Hub lock
file, so the next plan's ids name the exact data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from synth.core.errors import NetworkError, ReplicationError, SynthError
from synth.core.jsonio import JsonError, loads

from ..data.sources import DataRef, HubLock, hub_offline, read_hub_lock, write_hub_lock
from .plan import Plan
from ..data.taskconfig import TaskConfig, load_task

Status = Literal["ok", "missing", "bad", "needs-hub"]


class Check(BaseModel):
    """One (task, split) check."""

    task: str
    split: str
    source: str = Field(description="what was (or would be) read")
    status: Status
    message: str = ""


class PreflightReport(BaseModel):
    experiment: str
    profile: str
    offline: bool
    checks: list[Check]
    pinned: dict[str, str] = Field(default_factory=dict, description="Hub references pinned now -> commit")
    lock_file: str | None = None

    def count(self, status: Status) -> int:
        return sum(c.status == status for c in self.checks)

    @property
    def ok(self) -> bool:
        return not any(c.status in ("missing", "bad") for c in self.checks)


def plan_refs(plan: Plan) -> list[DataRef]:
    """Every distinct (task, split) ref the plan reads."""
    refs: dict[tuple[str, str], DataRef] = {}
    for step in plan.steps.values():
        c = step.config
        group = list(c.inputs.values()) if c.kind == "eval" else [
            r for inputs in (c.train_inputs, c.dev_inputs) for rs in inputs.values() for r in rs]
        for ref in group:
            refs.setdefault((ref.task, ref.split), ref)
    return sorted(refs.values(), key=lambda r: (r.task, r.split))


def _required_columns(config: TaskConfig) -> set[str]:
    names = set()
    for spec in config.columns.values():
        for column in spec if isinstance(spec, list) else [spec]:
            names.add(column.split(".")[0])
    return names


def _first_row_local(config: TaskConfig, path: Path) -> dict:
    """The first row of a local file, having parsed all of it where that is cheap; ReplicationError when bad."""
    from ..data.loading import _is_squad_document, read_squad_json

    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(path).read_row_group(0) if pq.ParquetFile(path).num_row_groups else None
        if table is None or table.num_rows == 0:
            raise ReplicationError(f"{path}: no rows")
        return table.slice(0, 1).to_pylist()[0]
    if config.local_format == "squad" or (path.suffix == ".json" and _is_squad_document(path)):
        rows = read_squad_json(path)
        if not rows:
            raise ReplicationError(f"{path}: no questions")
        return rows[0]
    if path.suffix == ".json" and _starts_with_array(path):
        return _first_row_of_array(path)
    first = None
    with open(path, encoding="utf-8") as fh:
        try:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = loads(line, what=f"{path}:{number}", max_number=math.inf)
                if not isinstance(row, dict):
                    raise ReplicationError(f"{path}:{number}: the row is not a JSON object but a {type(row).__name__}")
                first = first if first is not None else row
        except JsonError as exc:
            raise ReplicationError(f"{path}:{number}: invalid JSON ({exc.reason})") from None
        except UnicodeDecodeError as exc:
            raise ReplicationError(f"{path}: not UTF-8 ({exc.reason})") from exc
    if first is None:
        raise ReplicationError(f"{path}: no rows")
    return first


def _starts_with_array(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4096).lstrip().startswith(b"[")


def _first_row_of_array(path: Path) -> dict:
    """A .json file holding one array of row objects (what `datasets` reads as well as JSON lines)."""
    try:
        rows = loads(path.read_text(encoding="utf-8"), what=str(path), max_number=math.inf)
    except JsonError as exc:
        raise ReplicationError(f"{path}: invalid JSON ({exc.reason})") from None
    except UnicodeDecodeError as exc:
        raise ReplicationError(f"{path}: not UTF-8 ({exc.reason})") from exc
    if not rows:
        raise ReplicationError(f"{path}: no rows")
    odd = next((i for i, row in enumerate(rows) if not isinstance(row, dict)), None)
    if odd is not None:
        raise ReplicationError(f"{path}: row {odd + 1} is not a JSON object but a {type(rows[odd]).__name__}")
    return rows[0]


def check_local(ref: DataRef, data_dir: Path | None) -> Check:
    from ..data.sources import check_local as verify_fingerprint

    config = load_task(ref.task)
    try:
        path = verify_fingerprint(ref, data_dir)
        row = _first_row_local(config, path)
    except SynthError as exc:
        return Check(task=ref.task, split=ref.split, source=ref.describe(), status="bad", message=str(exc))
    missing = sorted(_required_columns(config) - set(row))
    if missing:
        return Check(task=ref.task, split=ref.split, source=ref.describe(), status="bad",
                     message=f"first row lacks column(s) {', '.join(missing)} (has {', '.join(sorted(row))})")
    return Check(task=ref.task, split=ref.split, source=ref.describe(), status="ok")


class HubUnreachable(NetworkError):
    """The Hub cannot be reached at all (no network, offline mode): the remaining Hub checks cannot run."""


def _unreachable(exc: BaseException) -> bool:
    names = " ".join(type(e).__name__ for e in (exc, exc.__cause__, exc.__context__) if e is not None)
    return any(word in names for word in ("Connect", "Timeout", "Offline", "NameResolution"))


def resolve_hub_commit(dataset: str, requested: str | None) -> str:
    """The commit a Hub dataset reference (branch, tag or 'refs/convert/parquet') points at now."""
    import os

    from huggingface_hub import HfApi

    try:  # HF_ENDPOINT read now (mirrors, proxies, tests), not when huggingface_hub was imported
        api = HfApi(endpoint=os.environ.get("HF_ENDPOINT") or None)
        return api.dataset_info(dataset, revision=requested or "main").sha
    except Exception as exc:  # noqa: BLE001  offline, unknown repo, no such ref: one clear message
        text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if _unreachable(exc):
            raise HubUnreachable(f"the Hub is unreachable ({text})") from exc
        raise NetworkError(f"cannot resolve {dataset}@{requested or 'main'} on the Hub: {text}") from exc


def check_hub(ref: DataRef, lock: HubLock, pinned: dict[str, str]) -> Check:
    """Load one row of a Hub split (streaming) and pin the dataset's commit."""
    config = load_task(ref.task)
    assert config.hf is not None
    key = HubLock.key(config.hf.id, config.hf.revision)
    try:
        if key not in pinned and not lock.commit(config.hf.id, config.hf.revision):
            pinned[key] = resolve_hub_commit(config.hf.id, config.hf.revision)
            lock.pin(config.hf.id, config.hf.revision, pinned[key])
        row = _first_row_hub(config, ref.split, lock.commit(config.hf.id, config.hf.revision))
    except HubUnreachable:
        raise
    except SynthError as exc:
        return Check(task=ref.task, split=ref.split, source=ref.describe(), status="bad", message=str(exc))
    missing = sorted(_required_columns(config) - set(row))
    status: Status = "bad" if missing else "ok"
    return Check(task=ref.task, split=ref.split, source=ref.describe(), status=status,
                 message=f"first row lacks column(s) {', '.join(missing)}" if missing else "")


def _first_row_hub(config: TaskConfig, split: str, revision: str | None) -> dict:
    import datasets

    from ..data.loading import PARQUET_EXPORT

    name = config.split_name(split)
    try:
        if config.hf.revision == PARQUET_EXPORT:
            ref = (revision or PARQUET_EXPORT).replace("/", "%2F")
            pattern = f"hf://datasets/{config.hf.id}@{ref}/{config.hf.config or 'default'}/{name}/*.parquet"
            stream = datasets.load_dataset("parquet", data_files={name: pattern}, split=name, streaming=True)
        else:
            stream = datasets.load_dataset(config.hf.id, config.hf.config, split=name, revision=revision,
                                           streaming=True)
        return next(iter(stream))
    except StopIteration as exc:
        raise ReplicationError(f"{config.hf.id} {config.hf.config or ''} {name}: no rows") from exc
    except Exception as exc:  # noqa: BLE001  unknown config or split, network: say which
        raise ReplicationError(f"cannot load one row of {config.hf.id}"
                               f"{':' + config.hf.config if config.hf.config else ''} split {name!r}: "
                               f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from exc


def preflight(plan: Plan, *, lock_file: Path | None, offline: bool | None = None) -> PreflightReport:
    """Check every (task, split) of the plan; online, pin Hub commits into `lock_file`."""
    offline = hub_offline() if offline is None else offline
    lock = read_hub_lock(lock_file)
    checks = [Check(task=line.split(":")[0], split="-", source="none", status="missing",
                    message=line.split(": ", 1)[1] if ": " in line else line) for line in plan.unavailable]
    pinned: dict[str, str] = {}
    why_offline = "offline" if offline else ""
    for ref in plan_refs(plan):
        if ref.source == "local":
            checks.append(check_local(ref, plan.data_dir))
            continue
        if not why_offline:
            try:
                checks.append(check_hub(ref, lock, pinned))
                continue
            except HubUnreachable as exc:
                why_offline, offline = exc.message, True
        checks.append(Check(task=ref.task, split=ref.split, source=ref.describe(), status="needs-hub",
                            message=f"needs the Hub ({why_offline}): run preflight online to load a row and pin it"))
    if pinned and lock_file is not None:
        write_hub_lock(lock_file, lock)
    return PreflightReport(experiment=plan.experiment.name, profile=plan.profile.name, offline=offline,
                           checks=checks, pinned=pinned, lock_file=str(lock_file) if lock_file else None)
