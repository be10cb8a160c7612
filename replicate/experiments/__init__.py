"""Experiments as data: the pydantic schema of replicate/experiments/*.yaml and their loader.

An experiment is a grid: intermediate tasks (plus the no-intermediate baseline and an optional multi-task
mixture) × target tasks × intermediate data volumes × seeds, with the hyper-parameters of the recipe.
`synth.replicate.pipeline.plan` expands it into content-addressed steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from synth.core.errors import ConfigError

EXPERIMENTS_DIR = Path(__file__).resolve().parent


class Hyper(BaseModel):
    """Hyper-parameters of one training phase; unset fields inherit from the level above."""

    model_config = ConfigDict(extra="forbid")

    learning_rate: float | None = Field(None, gt=0)
    warmup_ratio: float | None = Field(None, ge=0, le=1)
    effective_batch: int | None = Field(None, ge=1, description="examples per optimizer step over all devices")
    batch_size: int | None = Field(None, ge=1, description="per-device micro-batch (accumulation makes up the rest)")
    max_length: int | None = Field(None, ge=8)
    epochs: float | None = Field(None, gt=0)
    max_steps: int | None = Field(None, ge=1)
    eval_every: int | None = Field(None, ge=0)
    patience: int | None = Field(None, ge=1)
    weight_decay: float | None = Field(None, ge=0)
    dev_examples: int | None = Field(None, ge=1, description="English dev examples used for model selection "
                                     "and early stopping (jiant: a 500-example subset); None = all")
    min_steps: int | None = Field(None, ge=1, description="at least this many optimizer steps on a data-volume "
                                  "point (more epochs over a small subsample), so a small volume is not also "
                                  "small compute; applies to sized volumes, not to 'full'")
    selection: Literal["best_dev", "final"] | None = Field(
        None, description="which weights a phase keeps: best_dev = the best English dev score (evaluated every "
        "eval_every steps, early stopping after `patience`); final = the last step's, no dev evaluation (the "
        "same rule for every arm of a volume sweep)")
    dev_subset: Literal["first", "sample"] | None = Field(
        None, description="how `dev_examples` rows are chosen: the first N of the dev split (the paper: "
        "'the first 500 development examples') or a seeded, label-stratified sample")

    def over(self, base: "Hyper") -> "Hyper":
        """These settings laid over `base` (ours win where set)."""
        merged = base.model_dump()
        merged.update({k: v for k, v in self.model_dump().items() if v is not None})
        return Hyper(**merged)


class Multitask(BaseModel):
    """One intermediate model trained on a mixture of tasks (examples-proportional sampling)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("multitask", description="how the mixture is named in results")
    tasks: list[str] = Field(min_length=2)
    cap_examples: int | None = Field(None, ge=1, description="K of examples-proportional mixing (Raffel et al., "
                                     "2020): per epoch a task contributes min(n, K) examples, a fresh sample of "
                                     "its training set each epoch; None = no cap (plain proportional)")


class MLMCoTraining(BaseModel):
    """Masked-LM co-training during intermediate training (X-STILTs section 6, claim c06): for each listed
    intermediate task an extra arm '<task>+mlm' trains the task and MLM on `corpus` together (one encoder, one head
    each, single-task batches mixed in proportion to their sizes, so the corpus's size sets the MLM share)."""

    model_config = ConfigDict(extra="forbid")

    corpus: str = Field(description="an mlm-type task: unlabelled multilingual text")
    intermediates: list[str] = Field(min_length=1, description="intermediate tasks that get a '+mlm' arm")


class Departure(BaseModel):
    """One way this experiment knowingly differs from the paper it replicates (shown in the plan)."""

    model_config = ConfigDict(extra="forbid")

    what: str = Field(description="the setting, in a few words")
    paper: str = Field(description="what the paper did (with where it says so)")
    here: str = Field(description="what this experiment does instead")
    why: str = Field(description="why, and what it may change in the numbers")


class PublishedBaseline(BaseModel):
    """Published scores a claim compares against (the paper's own reference), per target task."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="where the numbers are from (paper, table)")
    model: str
    split: Literal["validation", "test"]
    scores: dict[str, float] = Field(description="target -> task score on the XTREME scale (QA: (F1 + EM) / 2)")
    note: str | None = Field(None, description="how the numbers were transcribed and checked")


class Estimand(BaseModel):
    """The one pre-registered primary estimand: a slope contrast on one target, one arm, one model."""

    model_config = ConfigDict(extra="forbid")

    target: str
    model: str
    arm: Literal["equal_steps", "epochs"] = "equal_steps"
    low: str = Field("low_resource", description="language group whose slope comes first")
    high: str = Field("high_resource", description="language group subtracted")
    description: str = Field(description="the estimand in words, as pre-registered")

    @property
    def name(self) -> str:
        """The contrast's name in synth.replicate.study.seed_level."""
        return f"{self.target}: slope {self.low} - {self.high}"


class Design(BaseModel):
    """What makes a volume study able to answer its question; `validate_design` checks the grid against it."""

    model_config = ConfigDict(extra="forbid")

    primary_arm: Literal["equal_steps"] = Field("equal_steps", description="every volume trains exactly "
                                                "`fixed_steps` optimizer steps (more epochs over fewer examples)")
    secondary_arms: list[Literal["epochs"]] = Field(default_factory=lambda: ["epochs"], description="the epoch "
                                                    "arm: each volume its own epochs (data and compute vary together)")
    min_seeds: int = Field(5, ge=2, description="paired seeds (a seed = one subsample, init and order per volume)")
    min_models: int = Field(3, ge=1, description="model sizes (each with its own learning rate in per_model)")
    min_curve_volumes: int = Field(7, ge=3, description="volumes before curve shapes (log-linear vs power law) "
                                   "are compared")
    compare_curves: bool = Field(True, description="compare curve shapes at all (false: only slopes are "
                                 "estimated, and fewer than min_curve_volumes volumes are allowed)")
    primary: Estimand
    language_groups: dict[str, list[str]] = Field(description="groups fixed before any result is seen (explicit "
                                                  "language lists, not recomputed from a class table later)")
    covariates: list[Literal["cc100_log_size", "fertility", "syntactic_distance"]] = Field(
        default_factory=lambda: ["cc100_log_size"], description="language-level covariates of the slope contrast")
    correction: Literal["holm"] = Field("holm", description="multiplicity correction of every non-primary test")
    volume_by_size: tuple[str, str] | None = Field(None, description="(larger, smaller) model of the explicit "
                                                   "volume × size contrast on the primary target")


class Reporting(BaseModel):
    """How the report groups this experiment's languages (read by synth.report)."""

    model_config = ConfigDict(extra="forbid")

    group_languages_by: Literal["resource_class", "none"] = Field(
        "resource_class", description="rows per Joshi resource class, or none")
    language_groups: list[str] = Field(
        default_factory=lambda: ["low_resource", "mid_resource", "high_resource"],
        description="named language groups (languages.yaml) with a row of their own, in this order")
    kind: Literal["study", "pilot"] = Field("study", description="a pilot is labelled as one in the report, "
                                                "with `scope` saying what it is evidence about")
    scope: str | None = Field(None, description="what the results are evidence about (model, data), in words")
    caveats: list[str] = Field(default_factory=list, description="measured limits of these results a reader must "
                               "know, shown beside them in the report (each a sentence or two, with its numbers)")


class Experiment(BaseModel):
    """One experiment file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    paper: str | None = Field(None, description="arXiv id of the study it replicates")
    benchmark: Literal["xtreme", "xtreme-r"]
    model: str = Field("xlm-roberta-large", description="base encoder (hub id); profiles may substitute it")
    models: list[str] = Field(default_factory=list, description="encoders to run the same grid with (a model-"
                              "scaling axis); empty = [model]; a profile with its own encoder replaces the axis")
    fixed_steps: int | None = Field(None, ge=1, description="also train every data-volume point for exactly this "
                                    "many optimizer steps (the fixed-compute arm, reported as '<task>@<N>steps')")
    retrieval_layer: int = Field(14, ge=0, description="hidden layer mean-pooled by retrieval targets")
    intermediates: list[str] = Field(default_factory=list, description="English intermediate tasks")
    baseline: bool = Field(True, description="also run every target without intermediate training")
    multitask: Multitask | None = None
    mlm: MLMCoTraining | None = Field(None, description="masked-LM co-training arms")
    targets: list[str] = Field(min_length=1)
    intermediate_examples: list[int | Literal["full"]] = Field(
        default_factory=lambda: ["full"], description="intermediate training-set sizes (data-volume sweep)")
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    eval_split: Literal["validation", "test"] = Field("validation", description="the study reports dev sets")
    eval_languages: dict[str, list[str]] = Field(default_factory=dict, description="target -> the languages "
                                                 "evaluated, fixed in advance (default: every language of the task)")
    eval_test: bool = Field(False, description="also evaluate each target's test split where the task has one "
                            "(papers' headline numbers are test scores: verdicts choose on dev, report test)")
    defaults: Hyper = Field(default_factory=Hyper, description="every phase")
    span_qa: Hyper = Field(default_factory=Hyper, description="span-QA phases (overrides defaults)")
    intermediate: Hyper = Field(default_factory=Hyper, description="intermediate phases (overrides the above)")
    target: Hyper = Field(default_factory=Hyper, description="target-task phases (overrides defaults and span_qa; "
                          "jiant: dev every 1,000 steps on a 500-example English subset)")
    per_task: dict[str, Hyper] = Field(default_factory=dict, description="task name -> overrides (last word)")
    reporting: Reporting = Field(default_factory=Reporting)
    per_model: dict[str, Hyper] = Field(default_factory=dict, description="encoder -> overrides (a learning "
                                        "rate per model size), between the phase settings and per_task")
    design: Design | None = Field(None, description="the study design the grid must satisfy (volume studies)")
    departures: list[Departure] = Field(default_factory=list, description="every known difference from the "
                                        "paper's recipe; the dry run lists them")
    published_baseline: PublishedBaseline | None = Field(
        None, description="the paper's own reference scores where its headline gain is measured against them "
        "(X-STILTs c05: +5.4 over Hu et al.'s published XLM-R Large, not over a re-run baseline)")

    @field_validator("intermediate_examples")
    @classmethod
    def _sorted_unique(cls, values: list) -> list:
        if len(set(map(str, values))) != len(values):
            raise ValueError("intermediate_examples has duplicates")
        return values

    def hyper_for(self, task_name: str, task_type: str, *, intermediate: bool, model: str | None = None) -> Hyper:
        """Resolved hyper-parameters of one training phase:
        defaults < span_qa < intermediate|target < per_model < per_task."""
        hyper = self.defaults
        if task_type == "span_qa":
            hyper = self.span_qa.over(hyper)
        hyper = (self.intermediate if intermediate else self.target).over(hyper)
        if model is not None and model in self.per_model:
            hyper = self.per_model[model].over(hyper)
        if task_name in self.per_task:
            hyper = self.per_task[task_name].over(hyper)
        return hyper


def experiment_path(name_or_path: str) -> Path:
    """A bundled experiment by name ('xstilts') or a YAML file path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    bundled = EXPERIMENTS_DIR / f"{name_or_path}.yaml"
    if bundled.exists():
        return bundled
    known = ", ".join(sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml") if not p.stem.startswith("_")))
    raise ConfigError(f"unknown experiment {name_or_path!r}", hint=f"bundled: {known}")


def load_experiment(name_or_path: str) -> Experiment:
    """Load and validate an experiment file; ConfigError (exit 2) naming the file on any problem."""
    from ruamel.yaml import YAML

    path = experiment_path(name_or_path)
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise ConfigError(f"{path}: cannot parse YAML: {exc}") from exc
    try:
        experiment = Experiment.model_validate(data)
    except Exception as exc:
        raise ConfigError(f"{path}: invalid experiment: {exc}") from exc
    return experiment


def list_experiments() -> list[str]:
    return sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml") if not p.stem.startswith("_"))
