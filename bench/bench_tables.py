"""Table readers side by side on the hand-read table gold (tests/data/tables/{dev,test}/): cell accuracy (row,
column path and values right), row groups, table recall, and seconds per paper.

    .venv/bin/python bench/bench_tables.py [--split dev|test|latex|all] [--engine text|pdfplumber|both] [--show]

`latex` is more dev material: documents written in LaTeX in the table styles of ML papers by helpers who had not
read the reader (tests/data/tables/latex/: the PDFs, their sources in src/, gold from the sources).

`accuracy`: row label, column path and numbers right; `by path`: the row matched by its label path (group +
label), since where a two-level label is split is a convention. `text` is the pypdf layout reader (synth.papers.parse.tables, what synth used before); `pdfplumber` reads each
page's characters and ruling lines (synth.papers.parse.table_reader). Test-split numbers are the result; dev
numbers are those the reader was developed on.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"

from synth.papers.parse.table_gold import load_table_gold, score_tables  # noqa: E402


def engine_tables(engine: str, pdf: Path, pages: list[int]):
    if engine == "text":
        from synth.papers.parse import parse_pdf

        return parse_pdf(pdf, tables=False).tables
    from synth.papers.parse.table_reader import read_pdf_tables

    return read_pdf_tables(pdf, pages)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="all", choices=["dev", "test", "latex", "all"])
    ap.add_argument("--engine", default="both", choices=["text", "pdfplumber", "both"])
    ap.add_argument("--show", action="store_true", help="print each table's score")
    args = ap.parse_args()
    splits = ["dev", "latex", "test"] if args.split == "all" else [args.split]
    engines = ["text", "pdfplumber"] if args.engine == "both" else [args.engine]
    print(f"{'split':5} {'engine':10} {'papers':>6} {'tables':>6} {'recall':>7} {'cells':>6} {'accuracy':>8} "
          f"{'by path':>7} {'row grp':>7} {'text':>6} {'bold':>6} {'read':>6} {'row ok':>6} {'col ok':>6} {'s/paper':>8}")
    for split in splits:
        folder = ROOT / "tests" / "data" / "tables" / split
        golds = [load_table_gold(p) for p in sorted(folder.glob("*.yaml"))]
        pdf_folder = folder if split == "latex" else CORPUS
        if not golds:
            continue
        for engine in engines:
            total: dict = {}
            seconds = 0.0
            for gold in golds:
                pages = sorted({t.page for t in gold.tables})
                t0 = time.perf_counter()
                tables = engine_tables(engine, pdf_folder / gold.paper, pages)
                seconds += time.perf_counter() - t0
                s = score_tables(gold, tables)
                if args.show:
                    for label, (right, n) in s["per_table"].items():
                        print(f"   {gold.paper:28} {label:9} {right:4}/{n:<4}")
                for k, v in s.items():
                    if isinstance(v, int):
                        total[k] = total.get(k, 0) + v
            n = max(total["cells"], 1)
            right = max(total["right"], 1)
            print(f"{split:5} {engine:10} {len(golds):6} {total['tables']:6} {total['structured'] / total['tables']:7.3f} "
                  f"{total['cells']:6} {total['right'] / n:8.3f} {total['right_path'] / n:7.3f} {total['row_group'] / right:7.3f} "
                  f"{total['text'] / right:6.3f} {total['bold'] / right:6.3f} {total['value_read'] / n:6.3f} "
                  f"{total['row_named'] / n:6.3f} {total['column_named'] / n:6.3f} {seconds / len(golds):8.2f}")


if __name__ == "__main__":
    main()
