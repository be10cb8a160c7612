"""`synth report` cost at scale, side by side: markdown (+ PNG figures) vs one self-contained HTML page, for a
synthetic study of N claims (every verdict kind, evidence quotes) and a replication grid of results documents.

Timings are split into loading claims.yaml, building the context, figures and the whole command; a second render checks that unchanged
inputs give identical bytes. The study and results are generated here (made-up numbers, not model output).

    .venv/bin/python bench/bench_report.py [--claims 100 1000] [--repeat 3]

With --corpus N: a real study instead — the first N papers of ../shared/corpus added to a library, their claims
extracted (`synth extract`), the question set; then `synth report` timed twice with claim embeddings on (the
first run with no stored claim embeddings, the second reusing them). The library is kept under --workdir so a
rerun skips parsing and extraction; the claim-embedding store is deleted before the first timed run.

    .venv/bin/python bench/bench_report.py --corpus 13
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELS = ["supported", "partially_supported", "contradicted", "not_found", "version_mismatch", "inconclusive", None]
LANGS = ["en", "de", "ar", "hi", "sw", "ur", "yo", "th", "ja", "ru"]
CONFIGS = [(None, None), ("mnli", 1000), ("mnli", 4000), ("mnli", None), ("squad_v1", None)]


def write_study(folder: Path, n_claims: int) -> None:
    from synth.core.files import write_json, write_text
    from synth.core.models import ClaimsFile

    claims = []
    for i in range(n_claims):
        label = LABELS[i % len(LABELS)]
        text = f"Intermediate task {i} improves zero-shot accuracy on language {LANGS[i % 10]} by {i % 17}.{i % 10} points."
        claim = {"id": f"2401.00001-c{i + 1:04d}", "text": text, "origin": "extracted",
                 "source": {"paper": "2401.00001", "version": 2, "page": 1 + i % 9, "section": ["4 Results"]}}
        if label:
            claim["verification"] = {
                "label": label, "confidence": round(0.5 + (i % 50) / 100, 2), "reason": f"reason for claim {i}",
                "evidence": [{"paper": "2401.00001", "version": 2, "page": 1 + i % 9, "section": ["4 Results"],
                              "quote": text, "score": 0.9}]}
        claims.append(claim)
    cf = ClaimsFile.model_validate({"schema": 1, "study": {"title": "bench", "question": "q?"}, "claims": claims})
    import io

    from ruamel.yaml import YAML

    buf = io.StringIO()
    YAML().dump(cf.model_dump(mode="json", by_alias=True, exclude_none=True), buf)
    write_text(folder / "claims.yaml", buf.getvalue())
    for target in ("xnli", "pawsx"):
        for k, (inter, n) in enumerate(CONFIGS):
            for seed in range(3):
                score = {lang: 40 + j + k + seed * 0.3 for j, lang in enumerate(LANGS)}
                step = f"eval-{target}{k}{seed}"
                write_json(folder / "runs" / step / "results.json", {
                    "schema": 1, "step_id": step, "experiment": "bench", "profile": "tiny",
                    "fidelity": "pipeline-check", "target": target, "intermediate": inter,
                    "intermediate_examples": n, "seed": seed, "model": "tiny", "metric": "accuracy",
                    "per_language": {lg: {"accuracy": v} for lg, v in score.items()}, "score": score,
                    "task_score": sum(score.values()) / len(score), "config": {}, "versions": {},
                    "git": None, "created": "2026-01-01T00:00:00+00:00"})


def measure(folder: Path, fmt: str) -> dict:
    from synth.report import render as report
    from synth.core.settings import Settings

    s = Settings(home=folder / "library", claims=folder / "claims.yaml", runs=folder / "runs",
                 reports=folder / f"reports-{fmt}")
    tl = time.perf_counter()
    cf = report.load_claims_file(s.claims)  # synth.claims.document.load_claims: ruamel round-trip parse
    t0 = time.perf_counter()
    papers, note = report.library_papers(s)
    results = report.load_results(s.runs)
    from synth.replicate.data.languages import load_languages

    context = report.build_context(cf, papers=papers, results=results, languages=load_languages(),
                                   library_note=note, grouping=report.experiment_grouping,
                                   provenance=report.provenance(s.claims, papers, results, s, fmt))
    t1 = time.perf_counter()
    figures = report.plan_figures(context, "bench-figures")
    report.draw_figures(figures, s.reports)
    t2 = time.perf_counter()
    result = report.write_report(s, fmt=fmt, name="bench")  # full command path (figures again + render)
    t3 = time.perf_counter()
    first = hashlib.sha256(result.path.read_bytes()).hexdigest()
    second = hashlib.sha256(report.write_report(s, fmt=fmt, name="bench").path.read_bytes()).hexdigest()
    return {"load_s": t0 - tl, "context_s": t1 - t0, "figures_s": t2 - t1, "write_report_s": t3 - t2,
            "bytes": result.path.stat().st_size, "figures": len(result.figures), "identical": first == second}


QUESTION = ("Does English intermediate-task training improve zero-shot cross-lingual transfer, and how does the "
            "volume of intermediate-task data change it for low-resource languages?")


def corpus_study(folder: Path, n: int):
    """A library of the first `n` corpus papers with their extracted claims (built once, reused)."""
    from synth.claims.document import load_claims, save_claims
    from synth.claims.operations import extract_to_claims
    from synth.core.models import PaperMeta
    from synth.core.settings import Settings
    from synth.papers.library import Library

    pdfs = sorted((ROOT.parent / "shared" / "corpus").glob("*.pdf"))[:n]
    settings = Settings(home=folder / "library", claims=folder / "claims.yaml", runs=folder / "runs",
                        reports=folder / "reports", cache=folder / "cache", embed="verify")
    timings = {}
    if not settings.claims.exists():
        t = time.perf_counter()
        import yaml

        known = yaml.safe_load((ROOT / "tests" / "data" / "synthesis" / "papers.yaml").read_text())["papers"]
        keys = []
        with Library.open(settings.model_copy(update={"embed": "off"})) as lib:
            for pdf in pdfs:  # local ids, with the metadata a fetch would record (titles, authors, year)
                info = known.get(pdf.stem, {})
                pid = "local-" + hashlib.sha256(pdf.read_bytes()).hexdigest()[:12]
                lib.add_pdf(pdf, PaperMeta(id=pid, version=1, source="local", sha256="", size_bytes=0,
                                           fetched_at="2026-01-01T00:00:00Z", title=info.get("title", ""),
                                           authors=info.get("authors", []),
                                           published=f"{info['year']}-01-01" if info else None))
                keys.append(f"{pid}v1")
        timings["add_s"] = time.perf_counter() - t
        t = time.perf_counter()
        extract_to_claims(keys, settings=settings)
        timings["extract_s"] = time.perf_counter() - t
        doc = load_claims(settings.claims)
        doc.data.study.question = QUESTION
        save_claims(doc)
    return settings, len(pdfs), timings


def measure_corpus(n: int, workdir: Path) -> None:
    from synth.claims.document import load_claims
    from synth.report.render import write_report
    from synth.report.synthesis import CLAIM_EMBEDDINGS

    settings, papers, built = corpus_study(workdir / f"corpus-{n}", n)
    (settings.home / CLAIM_EMBEDDINGS).unlink(missing_ok=True)
    claims = len(load_claims(settings.claims).data.claims)
    rows = []
    for run in ("first (no stored claim embeddings)", "second (claim embeddings stored)"):
        t = time.perf_counter()
        result = write_report(settings, fmt="md", name="bench")
        rows.append((run, time.perf_counter() - t, hashlib.sha256(result.path.read_bytes()).hexdigest()))
    print(f"{papers} corpus papers, {claims} claims" + "".join(f", {k} {v:.1f} s" for k, v in built.items()))
    print("| run | `synth report` (s) |\n|---|---:|")
    for run, seconds, _ in rows:
        print(f"| {run} | {seconds:.1f} |")
    print(f"same report both times: {rows[0][2] == rows[1][2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=int, help="time `synth report` on the first N corpus papers instead")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/synth-bench-report"))
    args = parser.parse_args()
    if args.corpus:
        measure_corpus(args.corpus, args.workdir)
        return
    print("| claims | format | load claims.yaml (s) | context (s) | figures (s) | full `write_report` (s) | output bytes "
          "| figures | re-render identical |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for n in args.claims:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_study(folder, n)
            for fmt in ("md", "html"):
                runs = [measure(folder, fmt) for _ in range(args.repeat)]
                med = {k: statistics.median(r[k] for r in runs)
                       for k in ("load_s", "context_s", "figures_s", "write_report_s")}
                r = runs[-1]
                print(f"| {n} | {fmt} | {med['load_s']:.3f} | {med['context_s']:.3f} | {med['figures_s']:.3f} | {med['write_report_s']:.3f} "
                      f"| {r['bytes']:,} | {r['figures']} | {all(x['identical'] for x in runs)} |")
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
