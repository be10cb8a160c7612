"""Cross-paper synthesis on the real corpus: precision and recall of the agreements and disagreements it reports.

Every corpus paper's tables become measurements (synth.claims.measurements.table_measurements) and are grouped
across papers (synth.claims.synthesis.group_measurements); each cross-paper comparison the synthesis makes (two
papers' printed values of one measurement, agreeing or not) is scored against tests/data/synthesis/
cross_paper.yaml, the facts read from the page images. Two sources of cells:

  --cells reader   the tables as synth reads them from the PDFs (the whole pipeline; parsed tables are cached
                   under --cache, keyed by the PDF's sha256 and the parser's version)
  --cells gold     the hand-read cells of tests/data/tables (the synthesis alone, given perfect tables)

    .venv/bin/python bench/bench_synthesis.py --cells reader --cells gold
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = ROOT / "tests" / "data"


def paper_metas() -> dict:
    from synth.core.models import PaperMeta

    spec = yaml.safe_load((DATA / "synthesis" / "papers.yaml").read_text(encoding="utf-8"))["papers"]
    return {pid: PaperMeta(id=pid, version=1, source="local", sha256="", size_bytes=0, fetched_at="",
                           title=m["title"], authors=m["authors"], published=f"{m['year']}-01-01")
            for pid, m in spec.items()}


def reader_tables(pid: str, cache: Path) -> list:
    from synth.core.models import TableBlock
    from synth.papers.parse import PARSER_VERSION, parse_pdf

    pdf = CORPUS / f"{pid}.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]
    path = cache / f"{pid}-{digest}-{PARSER_VERSION}.json"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([t.model_dump(mode="json") for t in parse_pdf(pdf).tables]))
    return [TableBlock.model_validate(t) for t in json.loads(path.read_text())]


def gold_tables(pid: str) -> list:
    """The hand-read cells of tests/data/tables as TableBlocks (caption: its first words, as recorded)."""
    from synth.core.models import TableBlock, TableCell

    for split in ("dev", "test"):
        path = DATA / "tables" / split / f"{pid}.yaml"
        if path.exists():
            break
    else:
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for t in doc["tables"]:
        cells = [TableCell(row=c["row"], row_group=c.get("row_group"), column=c["column"], text=c["text"],
                           values=c["values"], value=c["values"][0] if c["values"] else None,
                           bold=c.get("bold", False)) for c in t["cells"]]
        out.append(TableBlock(label=t["label"], caption=t.get("caption_start", ""), page=t["page"], start=0, end=0,
                              raw="", cells=cells))
    return out


def predicted_pairs(groups) -> list[dict]:
    out = []
    for g in groups:
        for p in g.pairs:
            a, b = g.values[p.a], g.values[p.b]
            out.append({"kind": "agree" if p.status == "agree" else "disagree",
                        "sides": frozenset({(a.paper, a.table, float(a.value)), (b.paper, b.table, float(b.value))}),
                        "what": f"{g.task} / {g.subset or '-'} / {g.metric} / {g.model}: {a.paper} {a.text} vs "
                                f"{b.paper} {b.text}"})
    return out


def score(pred: list[dict], facts: list[dict]) -> dict:
    def sides(f):
        return frozenset({(f["a"]["paper"], f["a"]["table"], float(f["a"]["text"])),
                          (f["b"]["paper"], f["b"]["table"], float(f["b"]["text"]))})

    gold = {(sides(f), f["kind"]) for f in facts}
    got = {(p["sides"], p["kind"]) for p in pred}
    out = {}
    for kind in ("agree", "disagree", "all"):
        g = {x for x in gold if kind in ("all", x[1])}
        p = {x for x in got if kind in ("all", x[1])}
        hit = len(g & p)
        out[kind] = {"gold": len(g), "reported": len(p), "correct": hit,
                     "precision": hit / len(p) if p else None, "recall": hit / len(g) if g else None}
    out["false_positives"] = sorted(x["what"] for x in pred if (x["sides"], x["kind"]) not in gold)
    out["missed"] = sorted(f"{f['dataset']} / {f['metric']} / {f['model']}: {f['a']['text']} vs {f['b']['text']}"
                           for f in facts if (sides(f), f["kind"]) not in got)
    return out


def run(cells: str, cache: Path) -> dict:
    from synth.claims.cell_measurements import Study
    from synth.claims.measurements import table_measurements
    from synth.claims.synthesis import group_measurements

    metas = paper_metas()
    papers = sorted(p.stem for p in CORPUS.glob("*.pdf"))
    study = Study.of([metas[p] for p in papers])
    t0 = time.perf_counter()
    measurements = []
    for pid in papers:
        tables = reader_tables(pid, cache) if cells == "reader" else gold_tables(pid)
        measurements += table_measurements(metas[pid], tables, study)
    t1 = time.perf_counter()
    groups, single, near = group_measurements(measurements, set(), {p: metas[p].title for p in papers})
    t2 = time.perf_counter()
    facts = yaml.safe_load((DATA / "synthesis" / "cross_paper.yaml").read_text(encoding="utf-8"))["facts"]
    result = score(predicted_pairs(groups), facts)
    known = sum(1 for m in measurements if m.task and m.metric and (m.model or m.model_key))
    result.update(cells=cells, papers=len(papers), measurements=len(measurements), groups=len(groups), known=known,
                  near_misses=len(near), measure_s=round(t1 - t0, 2), group_s=round(t2 - t1, 2))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", action="append", choices=["reader", "gold"], help="where the cells come from")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/synth-bench-synthesis"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"{CORPUS} not found: the corpus sits beside the checkout", file=sys.stderr)
        return 2
    results = [run(c, args.cache) for c in args.cells or ["reader"]]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        share = r["known"] / max(r["measurements"], 1)
        print(f"cells: {r['cells']} — {r['papers']} papers, {r['measurements']} measurements ({r['known']} with "
              f"task, metric and model: {share:.1%}), {r['groups']} cross-paper groups, "
              f"{r['near_misses']} near-misses ({r['measure_s']} s + {r['group_s']} s)")
        for kind in ("agree", "disagree", "all"):
            s = r[kind]
            fmt = (lambda x: "n/a" if x is None else f"{x:.3f}")
            print(f"  {kind:9} gold {s['gold']:3}  reported {s['reported']:3}  correct {s['correct']:3}  "
                  f"precision {fmt(s['precision'])}  recall {fmt(s['recall'])}")
        for line in r["false_positives"]:
            print(f"  false positive: {line}")
        for line in r["missed"]:
            print(f"  missed: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
