"""Results documents (runs/<eval-step>/results.json): every number with how it was made.

One document per evaluation step: per-language metrics, the mean over languages, the resolved configs of the
step and all its ancestors, library versions, git commit, seed, profile and fidelity. `synth report` and the
replication verdicts read these; nothing else is needed to know where a number came from.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import ReplicationError
from synth.core.files import write_json

SCHEMA = 1


class ResultsDocument(BaseModel):
    """The schema of results.json (field names are a contract with the report)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal[1] = Field(SCHEMA, alias="schema")
    step_id: str
    experiment: str
    profile: str
    fidelity: Literal["pipeline-check", "paper"]
    target: str
    intermediate: str | None = None
    intermediate_examples: int | None = None
    seed: int = 0
    paired_seeds: list[int] = Field(default_factory=list, description=(
        "the grid's seeds this result stands for: a deterministic evaluation (e.g. retrieval on the base model) "
        "is run once and paired with every seed of the grid; empty in older documents = [seed]"))
    model: str
    metric: str = Field(description="primary metric; QA task scores are (F1 + EM) / 2 of the first two")
    split: Literal["validation", "test"] = Field("validation", description="split asked for")
    split_fallbacks: dict[str, str] = Field(default_factory=dict, description=(
        "language -> split actually scored, where the requested one does not exist (e.g. UD-POS kk: test)"))
    per_language: dict[str, dict[str, float]] = Field(description="language -> metric -> value (0-100)")
    score: dict[str, float] = Field(description="language -> task score (0-100)")
    task_score: float = Field(description="unweighted mean over the scored languages (0-100)")
    failed_languages: dict[str, str] = Field(default_factory=dict, description=(
        "language -> why it could not be scored (the step is not DONE while any remain)"))
    config: dict = Field(description="resolved config of this step and of each ancestor step, by step id")
    versions: dict[str, str | None]
    git: str | None = None
    created: str
    predictions: str | None = Field(None, description="folder of leaderboard-layout prediction files")
    not_as_published: str | None = Field(None, description="the target's evaluation departs from the published "
                                         "protocol (why); such results never replicate the published numbers")

    def dump(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)

    @property
    def seeds(self) -> list[int]:
        """The seeds this result pairs with (see `paired_seeds`)."""
        return self.paired_seeds or [self.seed]


def library_versions() -> dict[str, str | None]:
    """Versions of the libraries that shape the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in ("torch", "transformers", "tokenizers", "accelerate", "datasets", "synth", "python"):
        if name == "python":
            import platform

            out[name] = platform.python_version()
            continue
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_commit(cwd: Path | None = None) -> str | None:
    """The checkout's commit (with '-dirty' when the tree has changes), or None outside a git checkout."""
    root = cwd or Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=5).stdout.strip()
        if not commit:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def write_results(path: Path, doc: ResultsDocument) -> Path:
    write_json(path, doc.dump())
    return path


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def read_results(path: Path) -> ResultsDocument:
    from synth.core.jsonio import JsonError, read_json

    try:
        # the validated reader: a deep document, NaN/Infinity or 1e308 (an OverflowError in the report) is refused
        data = read_json(path)
        return ResultsDocument.model_validate(data)
    except JsonError as exc:
        raise ReplicationError(f"{path}: not a readable results document: {exc.message}") from None
    except ValueError as exc:
        raise ReplicationError(f"{path}: not a readable results document: {exc}") from exc


def load_all_results(runs: Path) -> list[ResultsDocument]:
    """Every runs/*/results.json, oldest step id first; unreadable ones raise (they should never exist)."""
    return [read_results(p) for p in sorted(Path(runs).glob("*/results.json"))]


def results_table(runs: Path, experiment: str | None = None) -> list[dict]:
    """Flat rows for `synth replicate results`: one per results document."""
    rows = []
    for doc in load_all_results(runs):
        if experiment and doc.experiment != experiment:
            continue
        rows.append({"step_id": doc.step_id, "experiment": doc.experiment, "profile": doc.profile,
                     "fidelity": doc.fidelity, "target": doc.target, "intermediate": doc.intermediate or "baseline",
                     "examples": doc.intermediate_examples, "seed": doc.seed, "metric": doc.metric,
                     "split": doc.split, "task_score": round(doc.task_score, 2), "languages": len(doc.score),
                     "languages_failed": sorted(doc.failed_languages), "split_fallbacks": doc.split_fallbacks,
                     "created": doc.created})
    return rows


class ExportSummary(BaseModel):
    """What `export_results` did: step ids written (new or changed) and those already there byte for byte."""

    destination: str
    written: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    with_examples: int = Field(0, description="steps whose per-example scores (examples.json) came along")


EXPORTED_FILES = ("results.json", "examples.json")


def export_results(runs: Path, destination: Path, experiment: str | None = None) -> ExportSummary:
    """Copy each evaluation step's results.json (and examples.json) from `runs` into destination/<step>/: a
    folder `synth report` reads as its runs folder, without models or checkpoints, small enough to commit."""
    from synth.core.files import write_bytes

    runs, destination = Path(runs), Path(destination)
    if destination.resolve() == runs.resolve():
        raise ReplicationError(f"{destination} is the runs folder itself: export to another folder")
    summary = ExportSummary(destination=str(destination))
    docs = {path: read_results(path) for path in sorted(runs.glob("*/results.json"))}  # a bad one stops it all
    chosen = [path for path, doc in docs.items() if not experiment or doc.experiment == experiment]
    for path in chosen:
        changed = False
        for name in EXPORTED_FILES:
            source, target = path.parent / name, destination / path.parent.name / name
            if not source.exists():
                continue
            data = source.read_bytes()
            if not (target.exists() and target.read_bytes() == data):
                write_bytes(target, data)
                changed = True
        summary.with_examples += (path.parent / EXPORTED_FILES[1]).exists()
        (summary.written if changed else summary.unchanged).append(path.parent.name)
    if not summary.written and not summary.unchanged:
        which = f" of experiment {experiment!r}" if experiment else ""
        raise ReplicationError(f"no results documents{which} in {runs}",
                               hint="run `synth replicate run EXPERIMENT` first, or pass --runs")
    return summary
