"""Fit `synth verify` on the dev split of the hand-labelled corpus claims, report it on the held-out test split,
ship the weights.

    .venv/bin/python bench/fit_verifier.py                 # fit on dev, score test (aggregate), synthetic rows
    .venv/bin/python bench/fit_verifier.py --no-synthetic  # real papers only

The dev split (tests/data/verify/corpus/dev/*.yaml, 10 papers, plus the older CheckList and BPE sets
real_claims_*.yaml) is what is fitted on; the test split (tests/data/verify/corpus/test, 8 other papers, written
by people who never read the code) is only scored, never read: its per-claim verdicts are not printed. The papers
are added to a library as local PDFs (cached the way bench/bench_verify_corpus.py caches them) and the claims go
through the review importer (a markdown review citing the references), so reference matching is exercised too.
What is fitted: the decision thresholds (`found`: how surely the best passage states the claim; `inconclusive`:
the relatedness above which an unstated claim is called inconclusive rather than not found; grid search for
accuracy minus the rate of serious errors) and the confidence model (synth.verify.calibration: logistic
regression of "the label is right" on the dev verdicts; inconclusive verdicts carry no confidence).
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
sys.path.insert(0, str(ROOT / "bench"))

from synth.claims.importers import import_review  # noqa: E402
from synth.core.files import write_json, write_text  # noqa: E402
from synth.core.models import LABELS_TEXT, Claim, Verification  # noqa: E402
from synth.papers.library import Library  # noqa: E402
from synth.verify.assess import DEFAULT_THRESHOLDS  # noqa: E402
from synth.verify.calibration import DEFAULT_PATH, Calibrator, classification_metrics, expected_calibration_error  # noqa: E402
from synth.verify.claim_verifier import Verifier  # noqa: E402
from synth.verify.evaluation import LabelledClaim, load_labelled_set, review_markdown, trust_metrics  # noqa: E402
from synth.verify.label_model import RELABELLED, LabelModel  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
# Ties go to the first value listed: the middle of each range, never a rule switched off by chance.
GRID = {"found": [0.55, 0.5], "inconclusive": [0.3, 0.35, 0.4, 0.45]}
LABEL_GRID = {"serious_cost": [2.0, 1.0, 1.5, 3.0], "abstain_cost": [1.0, 0.5, 0.7]}
SYNTHETIC = ("verify-set", "verify-set-hard", "verify-set-hard2")


def split_library(split: str, cache: Path) -> tuple[list[LabelledClaim], dict, Library]:
    """The split's labelled claims, papers, and its cached library (bench_verify_corpus.corpus_library)."""
    import bench_verify_corpus as corpus

    paths = corpus.split_sets(split, older=True)
    labelled = load_labelled_set(*paths)
    settings = corpus.corpus_library(split, paths, cache, keep=True)
    return labelled.claims, labelled.papers, Library.open(settings)


def corpus_papers(split: str) -> set[str]:
    """The corpus papers of a split (the older CheckList and BPE sets left out)."""
    import bench_verify_corpus as corpus

    return set(load_labelled_set(*corpus.split_sets(split, older=False)).papers)


def imported_claims(library: Library, labelled: list[LabelledClaim], papers: dict, out: Path) -> list[Claim]:
    """The labelled claims as a person's review (claims table citing [n], references with arXiv URLs and
    titles), read back through the review importer against the library."""
    path = out / "review.md"
    write_text(path, review_markdown(labelled, papers))
    claims = import_review(path, library=library).claims
    unresolved = [c.id for c in claims if not c.cites or not c.cites[0].startswith("local-")]
    if unresolved:
        raise SystemExit(f"references not matched to the local PDFs: {unresolved[:5]}")
    return claims


def run(verifier: Verifier, claims: list[Claim], thresholds: dict, calibrator: Calibrator,
        label_model: LabelModel | None = None) -> list[Verification]:
    """Verify with these thresholds, calibrator and label model (one Verifier per library and mode: caches are
    reused)."""
    verifier.thresholds = verifier.assessor.thresholds = {**DEFAULT_THRESHOLDS, **thresholds}
    verifier.calibrator = calibrator
    verifier.label_model = label_model
    return [verifier.verify(c) for c in claims]


def relabel(verdicts: list[Verification], model: LabelModel) -> list[Verification]:
    """The rules' verdicts as the label model decides them (what Verifier does with a label model)."""
    out = []
    for v in verdicts:
        if v.label in RELABELLED:
            label, confidence = model.verdict(v.features, v.label)
            v = v.model_copy(update={"label": label, "confidence": confidence})
        out.append(v)
    return out


def synthetic_training_rows(thresholds: dict, calibrator: Calibrator, base: Path) -> list[tuple[dict, str, str]]:
    """(features, rules' label, gold) of the standard synthetic set's training papers (never its test papers):
    the label model learns from them too, so it keeps what the rules get right on planted errors (a clause the
    paper lacks, a claim it never makes) while it learns how real reviews paraphrase."""
    folder = base / "verify-set"
    if not (folder / "claims.jsonl").exists():
        raise SystemExit(f"{folder} is missing: run bench/make_verify_set.py --out {folder} --papers 30 --seed 7 "
                         "(or pass --no-synthetic)")
    data = [json.loads(line) for line in (folder / "claims.jsonl").read_text(encoding="utf-8").splitlines() if line]
    data = [r for r in data if r["split"] != "test" and r["gold"] != "version_mismatch"]
    verifier = Verifier(Library(folder / "library"), thresholds=thresholds, calibrator=calibrator)
    verdicts = [verifier.verify(Claim(id=r["id"], text=r["text"], cites=r["cites"], truncated=r["truncated"],
                                      origin="imported")) for r in data]
    return [(v.features, v.label, r["gold"]) for v, r in zip(verdicts, data)]


def cross_validated(verdicts: list[Verification], gold: list[LabelledClaim], pdfs: list[str],
                    extra: list[tuple[dict, str, str]], **costs) -> list[Verification]:
    """Each paper's verdicts relabelled by a label model fitted on the other papers (leave one paper out) and the
    `extra` rows: the dev numbers a researcher can compare with the held-out test split's. `pdfs`: each claim's
    PDF file (two sets may name one paper with different keys: its claims are left out together)."""
    out: list[Verification | None] = [None] * len(verdicts)
    for paper in sorted(set(pdfs)):
        rest = [i for i, pdf in enumerate(pdfs) if pdf != paper]
        model = LabelModel.fit([verdicts[i].features for i in rest] + [f for f, _, _ in extra],
                               [verdicts[i].label for i in rest] + [r for _, r, _ in extra],
                               [gold[i].gold for i in rest] + [g for _, _, g in extra], **costs)
        mine = [i for i, pdf in enumerate(pdfs) if pdf == paper]
        for i, v in zip(mine, relabel([verdicts[i] for i in mine], model)):
            out[i] = v
    return out


def fit_label_model(verdicts: list[Verification], gold: list[LabelledClaim], pdfs: list[str],
                    extra: list[tuple[dict, str, str]]) -> tuple[LabelModel, dict, list]:
    """Costs by leave-one-paper-out cross-validation on dev (objective: accuracy minus serious-error rate), then
    the model fitted on all of dev and the `extra` rows; its cross-validated dev verdicts."""
    table, best, best_key = {}, None, None
    for serious_cost, abstain_cost in itertools.product(LABEL_GRID["serious_cost"], LABEL_GRID["abstain_cost"]):
        costs = {"serious_cost": serious_cost, "abstain_cost": abstain_cost}
        m = trust_metrics(gold, cross_validated(verdicts, gold, pdfs, extra, **costs))
        table[f"serious_cost={serious_cost} abstain_cost={abstain_cost}"] = {
            "accuracy": m["accuracy"], "serious": m["serious"], "inconclusive": m["inconclusive"]}
        print(f"  label model serious cost {serious_cost} abstain cost {abstain_cost}: accuracy {m['accuracy']:.3f}"
              f" serious {m['serious']} inconclusive {m['inconclusive']}", file=sys.stderr)
        if best_key is None or objective(m) > best_key:
            best, best_key = costs, objective(m)
    model = LabelModel.fit([v.features for v in verdicts] + [f for f, _, _ in extra],
                           [v.label for v in verdicts] + [r for _, r, _ in extra],
                           [g.gold for g in gold] + [g for _, _, g in extra], **best)
    return model, table, cross_validated(verdicts, gold, pdfs, extra, **best)


def objective(m: dict) -> tuple[float, float]:
    """What a researcher wants: right verdicts, and above all no serious error (faithful called contradicted or
    not found, wrong called supported)."""
    return round(m["accuracy"] - m["serious_rate"], 6), round(m["accuracy"], 6)


def synthetic_accuracy(thresholds: dict, base: Path) -> float | None:
    """Accuracy on the standard synthetic set's test papers with these thresholds (None when it is not built)."""
    folder = base / "verify-set"
    if not (folder / "claims.jsonl").exists():
        return None
    data = [json.loads(line) for line in (folder / "claims.jsonl").read_text(encoding="utf-8").splitlines() if line]
    data = [r for r in data if r["split"] == "test"]
    verifier = Verifier(Library(folder / "library"), thresholds=thresholds, calibrator=Calibrator())
    labels = [verifier.verify(Claim(id=r["id"], text=r["text"], cites=r["cites"], truncated=r["truncated"],
                                    origin="imported")).label for r in data]
    return sum(lab == r["gold"] for lab, r in zip(labels, data)) / len(data)


def fit(verifier: Verifier, claims: list[Claim], gold: list[LabelledClaim], synthetic_dir: Path | None = None,
        synthetic_floor: float | None = None) -> tuple[dict, Calibrator, dict]:
    """Thresholds by grid search (objective on dev; only settings that keep the synthetic set at or above
    `synthetic_floor`), then the confidence model on those verdicts."""
    best, best_key, grid = dict(DEFAULT_THRESHOLDS), None, {}
    for found, inconclusive in itertools.product(GRID["found"], GRID["inconclusive"]):
        th = {**DEFAULT_THRESHOLDS, "found": found, "inconclusive": inconclusive}
        m = trust_metrics(gold, run(verifier, claims, th, Calibrator()))
        synth = synthetic_accuracy(th, synthetic_dir) if synthetic_dir and synthetic_floor is not None else None
        grid[f"found={found} inconclusive={inconclusive}"] = {"accuracy": m["accuracy"], "serious": m["serious"],
                                                              "synthetic_accuracy": synth}
        print(f"  found {found} inconclusive {inconclusive}: accuracy {m['accuracy']:.3f} serious {m['serious']}"
              f" synthetic {synth}", file=sys.stderr)
        allowed = synth is None or synth >= synthetic_floor - 1e-9
        if allowed and (best_key is None or objective(m) > best_key):
            best, best_key = th, objective(m)
    verdicts = run(verifier, claims, best, Calibrator())
    kept = [(v, g) for v, g in zip(verdicts, gold) if v.label != "inconclusive"]
    calibrator = Calibrator.fit([v.features for v, _ in kept], [v.label for v, _ in kept],
                                [v.label == g.gold for v, g in kept])
    return best, calibrator, grid


def synthetic_rows(thresholds: dict, calibrator: Calibrator, base: Path = ROOT / ".synth-cache",
                   label_model: LabelModel | None = None) -> dict:
    """The shipped weights on the generated sets (test split of the standard set, the hard sets whole)."""
    rows = {}
    for name in SYNTHETIC:
        folder = base / name
        if not (folder / "claims.jsonl").exists():
            continue
        data = [json.loads(line) for line in (folder / "claims.jsonl").read_text(encoding="utf-8").splitlines()
                if line]
        if name == "verify-set":
            data = [r for r in data if r["split"] == "test"]
        verifier = Verifier(Library(folder / "library"), thresholds=thresholds, calibrator=calibrator,
                            label_model=label_model)
        verdicts = [verifier.verify(Claim(id=r["id"], text=r["text"], cites=r["cites"], truncated=r["truncated"],
                                          origin="imported")) for r in data]
        gold = [r["gold"] for r in data]
        m = classification_metrics(gold, [v.label for v in verdicts], list(LABELS_TEXT))
        right = [v.label == g for v, g in zip(verdicts, gold)]
        scored = [(v.confidence, r) for v, r in zip(verdicts, right) if v.confidence is not None]  # not inconclusive
        m["ece"] = expected_calibration_error([p for p, _ in scored], [r for _, r in scored])
        m["mean_confidence"] = sum(p for p, _ in scored) / len(scored)
        m["n"] = len(data)
        rows[name] = m
    return rows


def _row(name: str, m: dict) -> str:
    ece = "–" if m.get("ece") is None else f"{m['ece']:.3f}"
    conf = "–" if m.get("mean_confidence") is None else f"{m['mean_confidence']:.3f}"
    extra = ""
    if "flipped_supported" in m:
        wn = m["wrong_number_contradicted"]
        extra = f" | {m['flipped_supported']} | {'–' if wn is None else f'{wn:.2f}'}"
    return f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {ece} | {conf}{extra} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/synth-verify-corpus"))
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="where to write the fitted verifier.json")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--no-synthetic-training", action="store_true",
                        help="fit the label model on the real dev claims only (the synthetic set is still scored)")
    parser.add_argument("--no-label-model", action="store_true", help="ship the rules' labels (no learned verdict)")
    parser.add_argument("--synthetic-dir", type=Path, default=ROOT / ".synth-cache",
                        help="where bench/make_verify_set.py wrote verify-set, verify-set-hard, verify-set-hard2")
    parser.add_argument("--thresholds", type=json.loads,
                        help="fixed thresholds as JSON (skips the grid search), e.g. '{\"found\": 0.55}'")
    parser.add_argument("--synthetic-floor", type=float,
                        help="lowest accuracy the standard synthetic set may fall to (today's minus 0.02)")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is missing: the real labelled sets need the corpus PDFs")
    start = time.perf_counter()
    dev, dev_papers, dev_library = split_library("dev", args.cache)
    dev_claims = imported_claims(dev_library, dev, dev_papers, args.cache / "fit-dev")
    verifier = Verifier(dev_library, thresholds=dict(DEFAULT_THRESHOLDS), calibrator=Calibrator())
    verifier.prime(dev_claims)
    if args.thresholds is not None:
        saved = GRID.copy()
        GRID.update({k: [v] for k, v in args.thresholds.items() if k in GRID})
    shipped_th, shipped_cal, grid = fit(verifier, dev_claims, dev, args.synthetic_dir, args.synthetic_floor)
    if args.thresholds is not None:  # chosen by an earlier grid search (docs/BENCHMARKS.md gives it)
        GRID.update(saved)
    rule_verdicts = run(verifier, dev_claims, shipped_th, shipped_cal)
    rules_dev_m = trust_metrics(dev, rule_verdicts)
    extra = [] if args.no_synthetic or args.no_synthetic_training or args.no_label_model else \
        synthetic_training_rows(shipped_th, shipped_cal, args.synthetic_dir)
    label_model, label_grid, cv_verdicts = (None, {}, rule_verdicts) if args.no_label_model else \
        fit_label_model(rule_verdicts, dev, [dev_papers[c.paper].file for c in dev], extra)
    dev_m = trust_metrics(dev, cv_verdicts)  # with the label model: leave one paper out
    # the corpus papers' claims alone: written as the test split's are (the older CheckList and BPE sets are
    # close restatements, which the rules get right far more often)
    corpus_dev = [i for i, c in enumerate(dev) if c.paper in corpus_papers("dev")]
    corpus_dev_m = trust_metrics([dev[i] for i in corpus_dev], [cv_verdicts[i] for i in corpus_dev])
    test, test_papers, test_library = split_library("test", args.cache)
    test_claims = imported_claims(test_library, test, test_papers, args.cache / "fit-test")
    tester = Verifier(test_library, thresholds=shipped_th, calibrator=shipped_cal)
    tester.prime(test_claims)
    # aggregate only: the test split is never read
    rules_test_m = trust_metrics(test, run(tester, test_claims, shipped_th, shipped_cal))
    test_m = trust_metrics(test, run(tester, test_claims, shipped_th, shipped_cal, label_model))
    synthetic = {} if args.no_synthetic else synthetic_rows(shipped_th, shipped_cal, args.synthetic_dir, label_model)
    keys = ("n", "accuracy", "macro_f1", "serious", "recall_at_1", "recall_at_3", "confidence_right",
            "confidence_wrong", "ece", "inconclusive")
    write_json(args.out, {
        "calibrator": shipped_cal.to_dict(), "thresholds": shipped_th,
        "label_model": label_model.to_dict() if label_model else None,
        "provenance": {
            "script": "bench/fit_verifier.py",
            "data": sorted(str(p.relative_to(ROOT)) for p in __import__("bench_verify_corpus").split_sets("dev", True)),
            "papers": {k: v.file for k, v in dev_papers.items()}, "claims": len(dev), "synthetic_rows": len(extra),
            "fitted": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "model": "thresholds: grid search for accuracy minus serious-error rate on the dev split; label model: "
                     "multinomial L2 logistic regression (scipy L-BFGS) of the true label on check features and the "
                     "rules' label, on dev and the standard synthetic set's training papers, costs chosen by "
                     "leave-one-paper-out cross-validation on dev; confidence without "
                     "the label model: L2 logistic regression of 'label is right', fitted on dev's decided verdicts",
            "threshold_grid": GRID, "grid": grid, "label_grid": LABEL_GRID, "label_costs": label_grid,
            "dev_rules": {k: rules_dev_m[k] for k in keys},
            "dev_corpus_cross_validated": {k: corpus_dev_m[k] for k in keys},
            "dev_cross_validated": {k: dev_m[k] for k in keys},
            "held_out_test_rules": {k: rules_test_m[k] for k in keys},
            "held_out_test": {k: test_m[k] for k in keys},
        },
    })
    print(f"fitted in {time.perf_counter() - start:.0f}s; shipped thresholds {shipped_th}; wrote {args.out}\n")
    print("| split | claims | accuracy | macro-F1 | serious | recall@1 | recall@3 | conf. right | conf. wrong | ECE | "
          "inconclusive |\n|---|---|---|---|---|---|---|---|---|---|---|")
    for name, m in (("dev, rules", rules_dev_m), ("dev, label model (leave one paper out)", dev_m),
                    ("dev corpus papers only, label model (leave one paper out)", corpus_dev_m),
                    ("**test**, rules (held out)", rules_test_m), ("**test**, label model (held out)", test_m)):
        print(f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['serious']} | "
              f"{m['recall_at_1']:.3f} | {m['recall_at_3']:.3f} | {m['confidence_right']:.3f} | "
              f"{m['confidence_wrong']:.3f} | {m['ece']:.3f} | {m['inconclusive']} |")
    print("\n| synthetic set (shipped weights) | claims | accuracy | macro-F1 | ECE | mean confidence |\n|---|---|---|---|---|---|")
    for name, m in synthetic.items():
        print(_row(name, m))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
