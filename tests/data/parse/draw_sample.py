"""Draw the seeded sentence sample of a corpus PDF for hand marking (tests/data/parse/sentence_sample.yaml).

    .venv/bin/python tests/data/parse/draw_sample.py P16-1162.pdf --seed 12 --n 45 > /tmp/sample.yaml

Every drawn sentence is written with `whole: null` and `section_right: null`; a person replaces each null by
reading the sentence against the PDF and appends the block to sentence_sample.yaml (nulls do not validate).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", help="file name in ../shared/corpus")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--n", type=int, default=45)
    ap.add_argument("--role", choices=("before", "after"), default="after")
    args = ap.parse_args()

    from synth.core.yamlio import make_yaml
    from synth.papers.parse import parse_pdf
    from synth.papers.parse.sample import draw_sample

    parsed = parse_pdf(CORPUS / args.pdf)
    picked = draw_sample(parsed.sentences, args.n, args.seed)
    block = {"paper": args.pdf, "parser": parsed.parser, "role": args.role, "seed": args.seed,
             "population": sum(s.kind != "references" for s in parsed.sentences),
             "sentences": [{"idx": s.idx, "page": s.page, "section": s.section, "kind": s.kind, "text": s.text,
                            "whole": None, "section_right": None, "note": ""} for s in picked]}
    make_yaml().dump([block], sys.stdout)


if __name__ == "__main__":
    main()
