"""Benchmarks as data (replicate/tasks/benchmarks.yaml): which tasks form XTREME and XTREME-R."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from synth.core.errors import ConfigError

BENCHMARKS_FILE = Path(__file__).resolve().parents[1] / "tasks" / "benchmarks.yaml"


class BenchmarkTask(BaseModel):
    """A task's membership in a benchmark; `scoring_name` is its folder in evaluate.py's layout."""

    model_config = ConfigDict(extra="forbid")

    scoring_name: str


@lru_cache(maxsize=1)
def load_benchmarks() -> dict[str, dict[str, BenchmarkTask]]:
    """Benchmark name -> {task name -> BenchmarkTask}, in file order."""
    from ruamel.yaml import YAML

    try:
        raw = YAML(typ="safe").load(BENCHMARKS_FILE.read_text(encoding="utf-8"))
        return {bench: {task: BenchmarkTask.model_validate(spec) for task, spec in members.items()}
                for bench, members in raw.items()}
    except Exception as exc:
        raise ConfigError(f"{BENCHMARKS_FILE}: invalid benchmarks file: {exc}") from exc


def benchmark_tasks(benchmark: str) -> dict[str, BenchmarkTask]:
    """The tasks of one benchmark ('xtreme' or 'xtreme-r')."""
    benchmarks = load_benchmarks()
    if benchmark not in benchmarks:
        raise ConfigError(f"unknown benchmark {benchmark!r}", hint=f"known: {', '.join(benchmarks)}")
    return benchmarks[benchmark]
