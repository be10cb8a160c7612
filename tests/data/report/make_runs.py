"""Writes tests/data/report/runs/*/results.json: hand-chosen scores (0-100) of a fixed small replication grid.

Run from the repository root: `.venv/bin/python tests/data/report/make_runs.py`. The documents follow the
synth.replicate.results schema; the numbers are made up for the report's golden test, not produced by a model.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "runs"
BASE = {"xnli": {"en": 61.2, "de": 57.1, "sw": 40.2, "ur": 43.3}, "pawsx": {"en": 70.1, "de": 65.5, "ja": 58.0}}
SHIFT = {None: {}, "mnli": {"en": 1.0, "de": 1.8, "sw": 4.1, "ur": 3.0, "ja": 2.2},
         "squad": {"en": -0.4, "de": 0.2, "sw": 1.1, "ur": 0.4, "ja": -0.6}}
VOLUME = {1000: 0.4, 4000: 1.0, None: 1.1}  # share of the full MNLI gain reached with that many examples
RUNS = [("xnli", None, None, 1), ("xnli", None, None, 2), ("xnli", "mnli", 1000, 1), ("xnli", "mnli", 4000, 1),
        ("xnli", "squad", None, 1), ("pawsx", None, None, 1), ("pawsx", "mnli", 4000, 1)]


def main() -> None:
    for i, (target, inter, n, seed) in enumerate(RUNS):
        score = {}
        for lang, v in BASE[target].items():
            gain = SHIFT[inter].get(lang, 0.0) * (VOLUME[n] if inter == "mnli" else 1.0)
            score[lang] = round(v + gain + (0.3 if seed == 2 else 0.0), 2)
        step = f"eval-{i:02d}{target[:2]}{(inter or 'base')[:2]}{seed}0"
        doc = {"schema": 1, "step_id": step, "experiment": "demo", "profile": "tiny", "fidelity": "pipeline-check",
               "target": target, "intermediate": inter, "intermediate_examples": n, "seed": seed,
               "model": "tiny-xlmr (random init)", "metric": "accuracy",
               "per_language": {lang: {"accuracy": v} for lang, v in score.items()}, "score": score,
               "task_score": round(sum(score.values()) / len(score), 4), "config": {step: {"lr": 1e-4}},
               "versions": {"synth": "0.1.0"}, "git": "0123abc", "created": "2026-01-01T00:00:00+00:00",
               "predictions": None}
        path = ROOT / step / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
