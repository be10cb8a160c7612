"""Fit the verifier on the labelled set: grid-search the two decision thresholds for macro-F1 on the train papers,
fit the per-label confidence model on the train verdicts, and report accuracy, macro-F1 and ECE on the held-out
papers. Writes synth/verify/verifier.json (weights + how they were made).

    .venv/bin/python bench/make_verify_set.py --out .synth-cache/verify-set
    .venv/bin/python bench/make_verify_set.py --out .synth-cache/verify-set-hard --papers 12 --seed 23 --variant hard
    .venv/bin/python bench/make_verify_set.py --out .synth-cache/verify-set-hard2 --papers 12 --seed 31 --variant hard
    .venv/bin/python bench/fit_verifier.py --set .synth-cache/verify-set   # also evaluates the two hard sets
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth.verify.calibration import (DEFAULT_PATH, Calibrator, classification_metrics,  # noqa: E402
                               expected_calibration_error)
from synth.core.files import write_json  # noqa: E402
from synth.papers.library import Library  # noqa: E402
from synth.core.models import LABELS_TEXT, Claim  # noqa: E402
from synth.verify.claim_verifier import DEFAULT_THRESHOLDS, Verifier  # noqa: E402

# Ties go to the first value listed: the middle of each range, never a rule switched off by chance.
GRID = {"found": [0.65, 0.6, 0.7, 0.55, 0.75, 0.5], "partial_coverage": [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.0]}


def load_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in (path / "claims.jsonl").read_text(encoding="utf-8").splitlines() if line]


def to_claim(row: dict) -> Claim:
    return Claim(id=row["id"], text=row["text"], cites=row["cites"], truncated=row["truncated"], origin="imported")


_VERIFIERS: dict[int, Verifier] = {}


def run(library: Library, rows: list[dict], thresholds: dict, calibrator: Calibrator) -> list:
    """Verify the rows with these thresholds and calibrator (one Verifier per library: its caches are reused)."""
    verifier = _VERIFIERS.get(id(library))
    if verifier is None:
        verifier = _VERIFIERS[id(library)] = Verifier(library, thresholds=thresholds, calibrator=calibrator)
    verifier.thresholds, verifier.calibrator = {**DEFAULT_THRESHOLDS, **thresholds}, calibrator
    return [verifier.verify(to_claim(r)) for r in rows]


def evaluate(rows: list[dict], verdicts: list) -> dict:
    gold = [r["gold"] for r in rows]
    pred = [v.label for v in verdicts]
    metrics = classification_metrics(gold, pred, list(LABELS_TEXT))
    correct = [g == p for g, p in zip(gold, pred)]
    metrics["ece"] = expected_calibration_error([v.confidence for v in verdicts], correct)
    metrics["n"] = len(rows)
    # claims whose numbers differ from the source must never come out supported
    metrics["supported_with_wrong_numbers"] = sum(
        v.label == "supported" for r, v in zip(rows, verdicts) if r["kind"] in ("wrong_number", "other_version"))
    contradicted = [v for v in verdicts if v.label == "contradicted"]
    metrics["contradicted_naming_both"] = sum("source says" in v.reason for v in contradicted)
    metrics["contradicted"] = len(contradicted)
    metrics["confusion"] = {g: {p: sum(1 for a, b in zip(gold, pred) if a == g and b == p) for p in set(pred)}
                            for g in LABELS_TEXT}
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / ".synth-cache" / "verify-set")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="where to write the fitted verifier.json")
    parser.add_argument("--ood", type=Path, action="append", default=None,
                        help="extra labelled sets evaluated whole, never fitted on (make_verify_set.py --variant hard)")
    args = parser.parse_args(argv)
    rows = load_set(args.set)
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    library = Library(args.set / "library")
    start = time.perf_counter()

    best, best_f1 = dict(DEFAULT_THRESHOLDS), -1.0
    for found, partial in itertools.product(GRID["found"], GRID["partial_coverage"]):
        th = {"found": found, "partial_coverage": partial}
        f1 = evaluate(train, run(library, train, th, Calibrator()))["macro_f1"]
        if f1 > best_f1 + 1e-9:
            best, best_f1 = th, f1
    train_verdicts = run(library, train, best, Calibrator())
    calibrator = Calibrator.fit([v.features for v in train_verdicts], [v.label for v in train_verdicts],
                                [v.label == r["gold"] for r, v in zip(train, train_verdicts)])
    train_metrics = evaluate(train, run(library, train, best, calibrator))
    test_metrics = evaluate(test, run(library, test, best, calibrator))
    ood_dirs = args.ood if args.ood is not None else [
        p for p in (ROOT / ".synth-cache" / "verify-set-hard", ROOT / ".synth-cache" / "verify-set-hard2")
        if (p / "claims.jsonl").exists()]
    ood = {}
    for path in ood_dirs:
        ood_rows = load_set(path)
        ood[path.name] = evaluate(ood_rows, run(Library(path / "library"), ood_rows, best, calibrator))
    manifest = json.loads((args.set / "manifest.json").read_text())
    data = {
        "calibrator": calibrator.to_dict(),
        "thresholds": best,
        "provenance": {
            "script": "bench/fit_verifier.py", "data": {"script": manifest["script"], "papers": manifest["papers"],
                                                       "seed": manifest["seed"], "claims": manifest["claims"]},
            "fitted": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "split": "by paper, 70/30", "n_train": len(train), "n_test": len(test),
            "threshold_grid": GRID, "model": "per-label L2 logistic regression (numpy, Newton), P(label is right)",
            "train": {k: train_metrics[k] for k in ("accuracy", "macro_f1", "ece")},
            "test": {k: test_metrics[k] for k in ("accuracy", "macro_f1", "ece")},
            "out_of_distribution": {name: {k: m[k] for k in ("accuracy", "macro_f1", "ece", "n")}
                                    for name, m in ood.items()},
        },
    }
    write_json(args.out, data)
    print(f"fitted in {time.perf_counter() - start:.1f}s; thresholds {best}; wrote {args.out}\n")
    print("| split | claims | accuracy | macro-F1 (5 labels) | ECE | supported with wrong numbers | "
          "contradicted naming both |")
    print("|---|---|---|---|---|---|---|")
    for name, m in (("train", train_metrics), ("test (held-out papers)", test_metrics),
                    *((f"{n} (out-of-distribution, all)", m) for n, m in ood.items())):
        print(f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['ece']:.3f} | "
              f"{m['supported_with_wrong_numbers']} | {m['contradicted_naming_both']}/{m['contradicted']} |")
    print("\nper label on test:\n\n| label | precision | recall | F1 | support |\n|---|---|---|---|---|")
    for label, m in test_metrics["per_label"].items():
        print(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    print("\nconfusion on test (gold -> predicted):")
    for g, row in test_metrics["confusion"].items():
        print(f"  {g}: {row}")
    for name, m in ood.items():
        print(f"\nconfusion on {name} (gold -> predicted):")
        for g, row in m["confusion"].items():
            print(f"  {g}: {row}")
    (args.set / "fit_report.json").write_text(json.dumps({"train": train_metrics, "test": test_metrics,
                                                          "out_of_distribution": ood, "thresholds": best},
                                                         indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
