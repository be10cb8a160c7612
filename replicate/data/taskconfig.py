"""Tasks as data: the pydantic schema of replicate/tasks/**/*.yaml, and loading with `include:` bases."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synth.core.errors import ConfigError

TASKS_DIR = Path(__file__).resolve().parents[1] / "tasks"

TaskType = Literal["classification", "multiple_choice", "span_qa", "tagging", "retrieval", "mlm"]
Benchmark = Literal["xtreme", "xtreme-r", "intermediate"]
SplitRole = Literal["train", "validation", "test"]

# Canonical column names each task type needs (the `columns` mapping points them at dataset columns).
REQUIRED_COLUMNS: dict[str, set[str]] = {
    "classification": {"text_a", "label"},
    "multiple_choice": {"label"},
    "span_qa": {"id", "context", "question", "answers"},
    "tagging": {"tokens", "tags"},
    "retrieval": {"source", "target"},
    "mlm": {"text"},  # unlabelled text for masked-language-model co-training
}
OPTIONAL_COLUMNS: dict[str, set[str]] = {
    "classification": {"text_b"},
    "multiple_choice": {"context", "question", "choices", "question_type"},
    "span_qa": {"title"},
    "tagging": set(),
    "retrieval": {"source_id", "target_id"},
    "mlm": {"language"},
}


class HFSource(BaseModel):
    """Where the data lives on the Hugging Face Hub."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Dataset repository id, e.g. 'facebook/xnli'.")
    config: str | None = Field(None, description="Dataset config name (None = the default config).")
    revision: str | None = Field(None, description="Git revision; 'refs/convert/parquet' for script-only repos.")


class Splits(BaseModel):
    """Dataset split names for our three roles (None = this task has no such split)."""

    model_config = ConfigDict(extra="forbid")

    train: str | None = None
    validation: str | None = None
    test: str | None = None


class RowFilter(BaseModel):
    """Keep rows whose `column` starts with `startswith` (TyDiQA mixes languages in one config)."""

    model_config = ConfigDict(extra="forbid")

    column: str
    startswith: str


class TaskConfig(BaseModel):
    """One task (or one language of a multilingual task): data source, columns, labels, lengths, metrics."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Task name; per-language variants are '<family>_<lang>'.")
    version: int = Field(ge=0, description="Bump when loading or featurisation changes (keys the feature cache).")
    description: str = Field("", description="One line for `tasks ls`.")
    type: TaskType
    benchmark: Benchmark = Field(description="Benchmark whose language set this task follows.")
    family: str | None = Field(None, description="Tasks sharing data and per-language files (default: name).")
    language: str | None = Field(None, description="Set on per-language variants only.")
    languages: list[str] = Field(default_factory=list, description="Evaluation languages (ISO 639-1).")
    hf: HFSource | None = Field(None, description="Hub source; None = local files only (e.g. CCGbank).")
    splits: Splits = Field(default_factory=Splits)
    columns: dict[str, str | list[str]] = Field(description="Canonical name -> dataset column (dotted for nested).")
    labels: list[str] | None = Field(None, description="Label names in id order; None = derive from data.")
    question_templates: dict[str, str] | None = Field(None, description="COPA: question type -> question text.")
    row_filter: RowFilter | None = None
    drop_unlabelled: bool = Field(False, description="Drop rows whose label is -1 (SNLI, GLUE test splits).")
    mixture: list[str] | None = Field(None, description="Component tasks, examples-proportional (ANLI+).")
    max_length: int = Field(128, gt=8, le=4096)
    doc_stride: int | None = Field(None, gt=0, description="Span QA: tokens each context window advances by.")
    null_answers: bool = Field(False, description="Span QA (SQuAD v2): questions may have no answer; predict '' "
                                                  "when the no-answer (CLS) score beats the best span.")
    max_query_length: int | None = Field(None, gt=0, description="Span QA: question truncation length.")
    metrics: list[str] = Field(default_factory=list, description="Registered metric names; the first is the "
                               "primary (every type but an mlm corpus has at least one).")
    train_task: str | None = Field(None, description="English task trained on before zero-shot evaluation.")
    train_before: list[str] = Field(default_factory=list, description="Tasks trained on, in order, before train_task.")
    local_files: str | dict[str, str] | None = Field(
        None, description="Offline file pattern under data_dir with {split} and {lang}; or split role -> pattern.")
    local_format: Literal["auto", "squad"] = Field("auto", description="'squad': nested SQuAD v1.1 JSON.")
    license_note: str | None = Field(None, description="Shown when data must be supplied by the user.")
    not_as_published: str | None = Field(None, description="How evaluation here departs from the published "
                                         "protocol; set = results are not a replication of the published numbers.")

    @property
    def family_name(self) -> str:
        return self.family or self.name

    @property
    def primary_metric(self) -> str:
        return self.metrics[0]

    def split_name(self, role: str) -> str | None:
        """Dataset split name for a role ('train' / 'validation' / 'test')."""
        if role not in ("train", "validation", "test"):
            raise ConfigError(f"unknown split role {role!r}", hint="use train, validation or test")
        return getattr(self.splits, role)

    def for_language(self, language: str) -> "TaskConfig":
        """The per-language variant of this task (itself when it already is one)."""
        if self.language is not None:
            if language != self.language:
                raise ConfigError(f"task {self.name!r} is the {self.language!r} variant, not {language!r}")
            return self
        if language not in self.languages:
            raise ConfigError(f"task {self.name!r} has no language {language!r}",
                              hint=f"languages: {', '.join(self.languages) or 'none'}")
        return load_task(f"{self.family_name}_{language}")

    @model_validator(mode="after")
    def _check(self) -> "TaskConfig":
        if not self.metrics and self.type != "mlm":
            raise ValueError("a task needs at least one metric (only an mlm corpus is trained without one)")
        required = REQUIRED_COLUMNS[self.type]
        if self.mixture is None:
            missing = required - set(self.columns)
            if missing:
                raise ValueError(f"{self.type} task needs columns: {', '.join(sorted(missing))}")
        unknown = set(self.columns) - required - OPTIONAL_COLUMNS[self.type]
        if unknown:
            raise ValueError(f"unknown canonical columns for {self.type}: {', '.join(sorted(unknown))}")
        if self.type == "multiple_choice" and "choices" not in self.columns:
            raise ValueError("multiple_choice task needs a `choices` column (a list column or a list of columns)")
        if self.type == "span_qa" and self.doc_stride is None:
            raise ValueError("span_qa task needs doc_stride")
        if self.hf is None and self.mixture is None and self.local_files is None and self.license_note is None:
            raise ValueError("a task without `hf` must say where its local files come from (license_note)")
        if self.language is not None and self.languages != [self.language]:
            raise ValueError("a per-language variant lists exactly its own language in `languages`")
        return self


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    """A task file's mapping. PyYAML's C loader with YAML 1.2 scalars (synth.core.yamlio.fast_loader: `no` stays
    Norwegian, not False) reads the ~260 task files ~12x faster than ruamel's pure-Python one (a plan of xstilts
    loads ~170 of them); tests check both loaders agree on every task file."""
    import yaml

    from synth.core.yamlio import fast_loader

    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=fast_loader())
    except Exception as exc:
        raise ConfigError(f"{path}: cannot parse YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def read_task_file(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The raw mapping of one task file with its `include:` bases merged in (bases first, deep merge)."""
    if path in _seen:
        raise ConfigError(f"{path}: include cycle through {', '.join(p.name for p in _seen)}")
    data = _read_yaml(path)
    include = data.pop("include", None)
    if include is None:
        return data
    base_path = (path.parent / include).resolve()
    if not base_path.exists():
        raise ConfigError(f"{path}: included file {include!r} not found")
    return _deep_merge(read_task_file(base_path, _seen + (path,)), data)


def _is_task_file(path: Path) -> bool:
    # Files starting with "_" are shared bases, not tasks (lm-eval's *_common_yaml idea).
    return path.suffix == ".yaml" and not path.name.startswith("_")


@lru_cache(maxsize=1)
def _index(tasks_dir: Path = TASKS_DIR) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for path in sorted(tasks_dir.rglob("*.yaml")):
        if _is_task_file(path) and path.stem not in ("benchmarks",):
            if path.stem in index:
                raise ConfigError(f"duplicate task file name {path.stem!r}: {index[path.stem]} and {path}")
            index[path.stem] = path
    return index


def task_path(name: str) -> Path:
    """The YAML file that defines a task (file stem = task name)."""
    index = _index()
    if name not in index:
        raise ConfigError(f"unknown task {name!r}", hint="`synth replicate tasks ls` lists them")
    return index[name]


def load_task_file(path: Path) -> TaskConfig:
    """Validate one task file (with includes) into a TaskConfig; ConfigError with the file name on failure."""
    data = read_task_file(path)
    try:
        task = TaskConfig.model_validate(data)
    except Exception as exc:
        raise ConfigError(f"{path}: invalid task: {exc}") from exc
    if task.name != path.stem:
        raise ConfigError(f"{path}: task name {task.name!r} differs from the file name {path.stem!r}")
    return task


@lru_cache(maxsize=None)
def load_task(name: str) -> TaskConfig:
    """Load a task by name (e.g. 'xnli', 'xnli_de', 'mnli'). Cached; treat the result as read-only."""
    return load_task_file(task_path(name))


def list_tasks(*, include_variants: bool = False, benchmark: str | None = None) -> list[str]:
    """Task names, sorted; per-language variants only when asked. `benchmark`: its members (benchmarks.yaml)
    plus the tasks whose `benchmark` field names it (e.g. 'intermediate')."""
    from .benchmarks import load_benchmarks

    members = set(load_benchmarks().get(benchmark, {})) if benchmark is not None else None
    names = []
    for name, path in _index().items():
        if not include_variants and path.parent.name == "languages":
            continue
        if benchmark is not None and name not in members and load_task(name).benchmark != benchmark:
            continue
        names.append(name)
    return sorted(names)
