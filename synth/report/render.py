"""`synth report`: claims file + library + results documents → reports/<name>.md (or .html) with PNG figures.

Deterministic by construction: the context is sorted and clock-free, figures are byte-stable PNGs, and
provenance (input hashes, versions) sits in a footer. Re-rendering unchanged inputs gives identical bytes.
"""

from __future__ import annotations

import base64
import math
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from synth import __version__
from synth.core.errors import ClaimsError, ConfigError, SynthError
from synth.core.files import sha256_file, stable_hash, write_text
from synth.core.models import ClaimsFile, PaperMeta
from synth.report.context import NOT_VERIFIED, Figure, build_context
from synth.report.markdown import finalize as md_finalize, md_cell, md_code, md_join, md_prose, md_url, safe_url
from synth.report.results import BASELINE, LanguageGrouping, LoadedResults, load_results
from synth.core.settings import Settings

FORMATS = {"md": "report.md.j2", "html": "report.html.j2"}


@dataclass
class ReportResult:
    """What `write_report` wrote: the report file, its figures and the verdict counts."""

    path: Path
    format: str
    figures: list[Path] = field(default_factory=list)
    claims: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    results: int = 0
    limitations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"path": str(self.path), "format": self.format, "figures": [str(p) for p in self.figures],
                "claims": self.claims, "counts": self.counts, "results": self.results,
                "limitations": self.limitations}


# ------------------------------------------------------------------------------------------ filters




def fmt_conf(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def fmt_score(value: float | None, fraction: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if fraction else f"{value:.1f}"


def fmt_delta(value: float | None, fraction: bool) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    digits = 3 if fraction else 1
    value = round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0: no "-0.000" in the report
    return f"{value:+.{digits}f}"


def fmt_stat(s, fraction: bool) -> str:
    if s is None or math.isnan(s.mean):
        return "n/a"
    text = fmt_score(s.mean, fraction)
    if s.sd is not None:
        text += f" ± {fmt_score(s.sd, fraction)}"
    return f"{text} (n={s.n})" if s.n > 1 else text


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe slug, cut at a word boundary when longer than `limit`."""
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(text) > limit:
        text = text[:limit + 1].rsplit("-", 1)[0] if "-" in text[:limit + 1] else text[:limit]
    return text


def _environment(templates: Path, html: bool):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        # untrusted text (titles, claims, file names) is escaped in both formats: HTML by markupsafe, markdown by
        # synth.report.markdown (every printed value goes through its `finalize`)
        autoescape=True,
        finalize=None if html else md_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(conf=fmt_conf, score=fmt_score, delta=fmt_delta, stat=fmt_stat,
                       label=lambda s: str(s).replace("_", " "), slug=slug)
    if html:
        env.filters.update(md=str, code=str, prose=str, url=safe_url)
    else:
        env.filters.update(md=md_cell, code=md_code, prose=md_prose, url=md_url, join=md_join)
    return env


def render(context: dict, *, templates: Path, fmt: str = "md") -> str:
    """Render the context with templates/<report.md.j2|report.html.j2>; template problems → ConfigError."""
    import jinja2

    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    name = FORMATS[fmt]
    env = _environment(templates, html=fmt == "html")
    try:
        text = env.get_template(name).render(**context)
        # one blank line at most between blocks (templates stay readable without whitespace gymnastics)
        return re.sub(r"\n{3,}", "\n\n", text) if fmt == "md" else text
    except jinja2.TemplateSyntaxError as exc:
        where = Path(exc.filename).name if exc.filename else (exc.name or name)
        raise ConfigError(f"template error in {where} line {exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"template {exc.name} not found in {templates}") from exc
    except Exception as exc:  # runtime errors inside a template: undefined names, bad filters
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if not frames:
            raise
        frame = frames[-1]
        raise ConfigError(f"template error in {Path(frame.filename).name} line {frame.lineno}: {exc}") from exc


# ------------------------------------------------------------------------------------------ figures


def plan_figures(context: dict, prefix: str) -> list[Figure]:
    """Describe every figure of the report (verdicts, per-language, scaling) and attach them to the context."""
    figures = []
    counts = dict(context["counts"])
    if counts:
        fig = Figure(file=f"{prefix}/verdicts.png", kind="verdicts", data={"counts": counts},
                     caption=f"Verdicts of the {context['n_claims']} claims.")
        context["verdict_figure"] = fig
        figures.append(fig)
    else:
        context["verdict_figure"] = None
    for g in context["groups"]:
        stem = slug(f"{g.experiment}-{g.profile}")
        sub = f"{g.experiment}, profile {g.profile} ({g.fidelity})"
        for t in g.targets:
            series = {}
            for config in [c for c in (BASELINE, t.best) if c is not None and c in t.configs]:
                series[config] = [t.per_language[lang][config].mean if config in t.per_language[lang] else None
                                  for lang in t.languages]
            if series and t.languages:
                t.figures.append(Figure(
                    file=f"{prefix}/{stem}-{slug(t.target)}-languages.png", kind="languages",
                    caption=f"{t.target}: zero-shot {t.metric or 'score'} per language, "
                            + " vs ".join(series) + f" ({sub}).",
                    data={"target": t.target, "metric": t.metric, "languages": t.languages, "series": series,
                          "subtitle": sub}))
            for task, volumes in t.scaling.items():
                curves = {cls: [(n, by_class[cls]) for n, by_class in volumes.items() if cls in by_class]
                          for cls in t.classes}
                has_base = BASELINE in t.configs
                t.figures.append(Figure(
                    file=f"{prefix}/{stem}-{slug(t.target)}-scaling-{slug(task)}.png", kind="scaling",
                    caption=f"{t.target}: {'change over the baseline' if has_base else 'score'} by "
                            f"{task} training examples, per resource class ({sub}).",
                    data={"target": t.target, "task": task, "curves": {c: p for c, p in curves.items() if p},
                          "ylabel": "Δ vs baseline" if has_base else (t.metric or "score"), "subtitle": sub}))
            figures.extend(t.figures)
    from synth.report.question import question_figures

    figures.extend(question_figures(context.get("question_sweeps", []), prefix))
    return figures


def draw_figures(figures: list[Figure], out: Path) -> list[Path]:
    from synth.report import figures as draw

    paths = []
    for f in figures:
        path = out / f.file
        path.parent.mkdir(parents=True, exist_ok=True)
        if f.kind == "verdicts":
            draw.verdict_chart(f.data["counts"], path)
        elif f.kind == "languages":
            draw.language_chart(path=path, **f.data)
        elif f.kind == "question_seeds":
            from synth.report.question_figure import question_seeds_chart

            question_seeds_chart(path=path, **f.data)
        elif f.kind == "question":
            from synth.report.question_figure import question_chart

            question_chart(path=path, **f.data)
        else:
            draw.scaling_chart(path=path, **f.data)
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------ inputs


def load_claims_file(path: Path, *, study_only: bool = False) -> ClaimsFile:
    """The claims file through synth.claims.document (file:line errors); an empty one is an input error, and so
    is one with no claims unless `study_only` (the report shows replication results and checks no claims)."""
    from synth.claims.document import load_claims

    if not path.exists():
        raise ClaimsError(f"claims file not found: {path}", hint="run `synth extract` or `synth import-report` first")
    if not path.read_text(encoding="utf-8", errors="replace").strip():
        raise ClaimsError(f"claims file is empty: {path}", hint="run `synth extract` or `synth import-report` first")
    cf = load_claims(path, read_only=True).data
    if not cf.claims and not study_only:
        raise ClaimsError(f"{path} has no claims: nothing to report",
                          hint="run `synth extract` or `synth import-report` first")
    return cf


def library_papers(settings: Settings) -> tuple[list[PaperMeta], str | None]:
    """Paper metadata from the library, sorted; a missing library folder is a limitation, not an error."""
    if not settings.home.exists():
        return [], f"The library folder {settings.home} does not exist: sources are listed from the claims file only."
    from synth.papers.library import Library

    with Library.open(settings) as lib:
        papers = lib.papers()
    return sorted(papers, key=lambda m: (m.id, m.version)), None


def experiment_grouping(experiment: str) -> LanguageGrouping:
    """The language rows an experiment's `reporting:` block asks for (defaults for an unknown experiment)."""
    from synth.replicate.experiments import Reporting, load_experiment
    from synth.replicate.data.languages import group

    try:
        reporting = load_experiment(experiment).reporting
    except SynthError:
        reporting = Reporting()
    return LanguageGrouping(by_class=reporting.group_languages_by == "resource_class",
                            groups={name: set(group(name)) for name in reporting.language_groups})


def templates_dir(settings: Settings) -> Path:
    """The templates folder: SYNTH_TEMPLATES when set, else the templates shipped in the package."""
    if settings.templates is not None:
        return settings.templates
    from importlib.resources import files

    return Path(str(files("synth.templates")))


def provenance(claims_path: Path, papers: list[PaperMeta], results: LoadedResults, settings: Settings,
               fmt: str) -> dict:
    templates = sorted(p for p in templates_dir(settings).glob("*.j2"))
    return {
        "synth": __version__,
        "claims_file": claims_path.name,
        "claims_sha256": sha256_file(claims_path),
        "papers": len(papers),
        "papers_hash": stable_hash(sorted((m.key, m.sha256) for m in papers)),
        "results": len(results.docs),
        "results_hash": stable_hash(sorted(d.step_id for d in results.docs)),
        "git": sorted({d.git for d in results.docs if d.git}),
        "templates": FORMATS[fmt],
        "templates_hash": stable_hash([(p.name, sha256_file(p)) for p in templates]),
        "settings": settings.fingerprint(),
    }


FIGURES_MANIFEST = ".synth-figures"  # in the figures folder: the files the last report drew there


def remove_stale_figures(folder: Path, drawn: list[Path]) -> None:
    """Delete figures an earlier report drew that this one did not, and record what this one drew.

    Only files named in the folder's manifest are ever deleted: the folder may be a link to the user's own
    pictures, or hold files someone put there by hand."""
    manifest = folder / FIGURES_MANIFEST
    names = sorted(p.name for p in drawn if p.parent == folder)
    try:
        previous = manifest.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        previous = []
    for name in previous:
        if name and name not in names and "/" not in name and name not in (".", "..", FIGURES_MANIFEST):
            (folder / name).unlink(missing_ok=True)
    if names or previous:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(manifest, "".join(f"{n}\n" for n in names))


def write_report(settings: Settings, *, out: Path | None = None, fmt: str = "md",
                 name: str | None = None) -> ReportResult:
    """Render the study report of settings.claims into out/<name>.<fmt> (+ <name>-figures/*.png)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out) if out is not None else settings.reports
    results = load_results(settings.runs)
    cf = load_claims_file(settings.claims, study_only=bool(results.docs))  # no claims: the runs are the report
    papers, library_note = library_papers(settings)
    from synth.replicate.data.languages import load_languages

    context = build_context(cf, papers=papers, results=results, languages=load_languages(),
                            provenance=provenance(settings.claims, papers, results, settings, fmt),
                            library_note=library_note, grouping=experiment_grouping)
    from synth.report.synthesis import synthesis_context

    context.update(synthesis_context(cf, settings, papers))  # search flow + cross-paper synthesis (_synthesis.j2)
    name = slug(name) if name else (slug(context["title"]) or "report")
    if not name:
        raise ConfigError("report name is empty after removing characters unsafe in file names")
    figure_dir = f"{name}-figures"
    from synth.report.question import build_question

    context["question_sweeps"], context["question_notes"] = build_question(results.docs, runs=settings.runs,
                                                                          languages=context["languages"])
    figures = plan_figures(context, figure_dir)
    paths = draw_figures(figures, out)
    remove_stale_figures(out / figure_dir, paths)

    def figure_src(fig: Figure) -> str:
        if fmt == "md":
            return fig.file
        return "data:image/png;base64," + base64.b64encode((out / fig.file).read_bytes()).decode("ascii")

    context["figure_src"] = figure_src
    text = render(context, templates=templates_dir(settings), fmt=fmt)
    path = out / f"{name}.{fmt}"
    write_text(path, text)
    counts = {label: n for label, n in context["counts"]}
    return ReportResult(path=path, format=fmt, figures=paths, claims=context["n_claims"], counts=counts,
                        results=len(results.docs), limitations=context["limitations"])


__all__ = ["ReportResult", "write_report", "render", "build_context", "md_cell", "NOT_VERIFIED"]
