"""Fetch-path costs on the loopback arXiv mirror, side by side with the obvious alternatives.

1. Metadata: all ids in ONE batched API request vs one request per id, both with arXiv's 3 s rate limit.
2. Download: synth's robust downloader (resume file, unbuffered writes, sha256, atomic rename) vs a plain
   `urllib.request.urlopen(url).read()` into memory + write, for one large PDF-sized body.

    .venv/bin/python bench/bench_fetch.py [--ids 4] [--mb 40] [--delay 3] [--out docs/benchmarks/fetch_path.md]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth.core.models import PaperRef  # noqa: E402
from synth.core.settings import Settings  # noqa: E402
from synth.papers.sources.arxiv import ArxivClient  # noqa: E402
from synth.papers.sources.http import download  # noqa: E402
from synth.demo.loopback import ArxivMirror, MirrorPaper  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=4)
    parser.add_argument("--mb", type=float, default=40.0)
    parser.add_argument("--delay", type=float, default=3.0, help="seconds between API calls (arXiv asks for 3)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    body = b"%PDF-1.7\n" + os.urandom(int(args.mb * 1024 * 1024))
    papers = [MirrorPaper(f"2101.{i:05d}", 1, f"Paper {i}", pdf=b"%PDF-1.7\n") for i in range(args.ids)]
    papers.append(MirrorPaper("2101.99999", 1, "Big", pdf=body))
    lines = []
    with ArxivMirror(papers) as mirror, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp) / "lib", arxiv_api=mirror.api_url, arxiv_pdf=mirror.pdf_url,
                            arxiv_delay=args.delay, max_pdf_mb=args.mb + 1)
        refs = [PaperRef.parse(p.key) for p in papers[: args.ids]]

        start = time.perf_counter()
        ArxivClient(settings).lookup(refs)
        batched = time.perf_counter() - start
        n_batched = len(mirror.seen("api"))
        start = time.perf_counter()
        client = ArxivClient(settings)
        for ref in refs:
            client.lookup([ref])
        one_by_one = time.perf_counter() - start
        n_single = len(mirror.seen("api")) - n_batched
        lines += [
            f"Metadata for {args.ids} ids, {args.delay:g} s between API calls:",
            "",
            "| approach | API requests | wall s |",
            "|---|---:|---:|",
            f"| synth: one batched `id_list` request | {n_batched} | {batched:.2f} |",
            f"| one request per id | {n_single} | {one_by_one:.2f} |",
            "",
        ]

        url = f"{mirror.pdf_url}/2101.99999v1"
        ours, plain = [], []
        for i in range(args.repeat):
            dest = Path(tmp) / f"ours{i}.pdf"
            start = time.perf_counter()
            got = download(url, dest, settings)
            ours.append(time.perf_counter() - start)
            assert got.sha256 == hashlib.sha256(body).hexdigest()
            dest2 = Path(tmp) / f"plain{i}.pdf"
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as r:
                dest2.write_bytes(r.read())
            plain.append(time.perf_counter() - start)
            dest.unlink()
            dest2.unlink()
        mb = len(body) / 1024 / 1024
        o, p = statistics.median(ours), statistics.median(plain)
        lines += [
            f"Download of one {mb:.0f} MiB body from the loopback mirror (median of {args.repeat}):",
            "",
            "| approach | wall s | MiB/s |",
            "|---|---:|---:|",
            f"| synth `download` (resume file, unbuffered writes, sha256, atomic rename) | {o:.3f} | {mb / o:.0f} |",
            f"| plain `urlopen(url).read()` + write (no hash, no resume, no cap) | {p:.3f} | {mb / p:.0f} |",
            "",
            f"Peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
            "(includes the mirror's in-memory body; the plain read also holds the whole body, synth streams it).",
        ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
