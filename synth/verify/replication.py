"""Replication verdicts: a claim's `experiment` link checked against results documents.

Rules (CORE-Bench style):
  * only `paper`-fidelity results are evidence; a tiny/cpu run is a pipeline check → always `inconclusive`;
  * `replicated` when the measured mean is within the claim's tolerance of the expected value, or the expected
    value lies inside the 95% t-interval over seeds;
  * otherwise `not_replicated` when there are at least MIN_SEEDS seeds, or when even one seed misses by more
    than DECISIVE_MISS × tolerance; with fewer seeds and a smaller miss the verdict is `inconclusive`;
  * missing results (a target or configuration never run) → `inconclusive`, saying which;
  * targets evaluated differently from the published protocol (`not_as_published`) → `inconclusive`;
  * the split: where the experiment evaluated a target's test set, values come from test (papers report test
    numbers, e.g. "+5.4 on XTREME"), and `best` still chooses each target's intermediate on dev; the verdict
    says which split was measured and where the choice was made;
  * seeds: a deterministic evaluation shared by several seeds (retrieval on the base model) pairs with each of
    them (`paired_seeds`), so differences keep one value per seed.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

from synth.core.models import Claim, ExperimentLink, ReplicationResult
from synth.replicate.pipeline.results import ResultsDocument, load_all_results

MIN_SEEDS = 3
DECISIVE_MISS = 3.0
BASELINE = "baseline"
BEST = "best"  # per target, the best intermediate task (chosen by mean over seeds)
BENCHMARK_METRICS = {"xtreme_avg", "xtreme_r_avg", "benchmark_avg", "average"}


def t_interval(values: list[float]) -> tuple[float, float, float | None]:
    """(mean, half-width of the 95% t-interval, sample sd); half-width is inf for a single value."""
    import numpy as np
    from scipy import stats

    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2:
        return mean, math.inf, None
    sd = float(data.std(ddof=1))
    return mean, float(stats.t.ppf(0.975, len(data) - 1) * sd / math.sqrt(len(data))), sd


def _languages(link: ExperimentLink) -> set[str] | None:
    if link.languages is None:
        return None
    if isinstance(link.languages, str):
        from synth.replicate.data.languages import group

        return set(group(link.languages))
    return set(link.languages)


def _doc_value(doc: ResultsDocument, link: ExperimentLink, languages: set[str] | None) -> float | None:
    """One document's number for the link: a metric (or the task score) averaged over the chosen languages."""
    metric = link.metric.split(".", 1)[1] if "." in link.metric else link.metric
    use_task_score = metric in BENCHMARK_METRICS or metric in ("task_score", "score") or "." not in link.metric
    values = []
    for lang, score in doc.score.items():
        if languages is not None and lang not in languages:
            continue
        if use_task_score:
            values.append(score)
        elif metric in doc.per_language.get(lang, {}):
            values.append(doc.per_language[lang][metric])
    return sum(values) / len(values) if values else None


def _split_docs(docs: list[ResultsDocument], targets: list[str]) -> tuple[list[ResultsDocument], str]:
    """The documents of the split to measure: each target's test evaluations where there are any, else its
    validation ones; and the name of that split ('test', 'validation' or 'mixed')."""
    chosen, splits = [], set()
    for target in targets:
        of_target = [d for d in docs if d.target == target]
        split = "test" if any(d.split == "test" for d in of_target) else "validation"
        chosen += [d for d in of_target if d.split == split]
        if of_target:
            splits.add(split)
    return chosen, (splits.pop() if len(splits) == 1 else "mixed" if splits else "validation")


def _volume_matches(doc: ResultsDocument, link: ExperimentLink) -> bool:
    """Baselines have no volume; intermediate runs count at the link's volume (None = the full task)."""
    return doc.intermediate is None or doc.intermediate_examples == link.intermediate_examples


def _config_values(docs: list[ResultsDocument], link: ExperimentLink, config: str, languages: set[str] | None,
                   targets: list[str], problems: list[str], dev: list[ResultsDocument] | None = None) -> dict[int, float]:
    """seed -> value of one configuration (an intermediate label or 'baseline'); `dev` chooses for 'best'."""
    if config == BEST:
        return _best_values(docs, link, languages, targets, problems, dev)
    wanted = None if config == BASELINE else config
    by_seed: dict[int, dict[str, float]] = defaultdict(dict)
    for doc in docs:
        if doc.intermediate == wanted and _volume_matches(doc, link) and doc.target in targets:
            value = _doc_value(doc, link, languages)
            if value is not None:
                for seed in doc.seeds:  # a deterministic evaluation pairs with every seed it stands for
                    by_seed[seed][doc.target] = value
    out = {}
    for seed, per_target in sorted(by_seed.items()):
        missing = [t for t in targets if t not in per_target]
        if missing:
            problems.append(f"{config} seed {seed} lacks {', '.join(missing)}")
            continue
        out[seed] = sum(per_target.values()) / len(per_target)  # benchmark = unweighted mean over tasks
    if not out and not problems:
        problems.append(f"no results for {config} on {', '.join(targets)}")
    return out


def _intermediate_table(docs, link, languages, targets) -> dict[str, dict[str, dict[int, float]]]:
    table: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for doc in docs:
        if doc.intermediate is not None and _volume_matches(doc, link) and doc.target in targets:
            value = _doc_value(doc, link, languages)
            if value is not None:
                for seed in doc.seeds:
                    table[doc.target][doc.intermediate][seed] = value
    return table


def _best_values(docs, link, languages, targets, problems, dev=None) -> dict[int, float]:
    """'best': per target the intermediate with the highest mean over seeds on dev (the paper's "best
    intermediate-task model for each target task"), then per seed the mean over targets of its measured values."""
    table = _intermediate_table(docs, link, languages, targets)
    dev_table = _intermediate_table(dev or [], link, languages, targets)
    # a target without a dev set (XQuAD, TyDiQA-GoldP, Tatoeba in XTREME) is chosen on what was measured
    choose_on = {t: dev_table[t] if t in dev_table else table[t] for t in targets if t in table}
    missing = [t for t in targets if t not in table]
    if missing:
        problems.append(f"no intermediate results for {', '.join(missing)}")
        return {}
    chosen = {t: max((i for i in choose_on[t] if i in table[t]), default=None,
                     key=lambda i: sum(choose_on[t][i].values()) / len(choose_on[t][i])) for t in targets}
    if None in chosen.values():
        problems.append("dev and measured results name different intermediates")
        return {}
    seeds = set.intersection(*(set(table[t][chosen[t]]) for t in targets))
    return {s: sum(table[t][chosen[t]][s] for t in targets) / len(targets) for s in sorted(seeds)}


def _parse_comparison(link: ExperimentLink) -> tuple[str, str | None]:
    """('mnli', 'baseline') for a difference, ('mnli', None) for a plain value."""
    text = (link.comparison or "value").strip()
    if text == "value":
        return link.intermediate or BASELINE, None
    m = re.fullmatch(r"\s*(<intermediate>|[\w+-]+?)\s+-\s+([\w+-]+)\s*", text)
    if not m:
        raise ValueError(f"cannot read comparison {text!r} (use 'value' or '<intermediate> - baseline')")
    left = link.intermediate if m[1] == "<intermediate>" else m[1]
    return left or BASELINE, m[2]


def judge_claim(claim: Claim, runs_dir: str | Path) -> ReplicationResult | None:
    """The replication verdict of one claim, or None when the claim has no experiment link."""
    link = claim.experiment
    if link is None:
        return None
    runs_dir = Path(runs_dir)
    docs = [d for d in load_all_results(runs_dir) if d.experiment == link.experiment] if runs_dir.is_dir() else []
    result = ReplicationResult(label="inconclusive", reason="", experiment=link.experiment, metric=link.metric,
                               target=link.target, comparison=link.comparison or "value", expected=link.expected,
                               tolerance=link.tolerance)

    def verdict(label: str, reason: str) -> ReplicationResult:
        return result.model_copy(update={"label": label, "reason": reason})

    if not docs:
        return verdict("inconclusive", f"no results for experiment {link.experiment!r} in {runs_dir}")
    try:
        left, right = _parse_comparison(link)
    except ValueError as exc:
        return verdict("inconclusive", str(exc))
    if link.target:
        targets = [link.target]
    else:  # benchmark average: every target the experiment evaluated
        from synth.replicate.experiments import load_experiment

        targets = list(load_experiment(link.experiment).targets)
    languages = _languages(link)
    problems: list[str] = []
    configs = [left] + ([right] if right else [])
    candidates = [d for d in docs if d.target in targets
                  and ((d.intermediate or BASELINE) in configs or (BEST in configs and d.intermediate))]
    relevant, split = _split_docs(candidates, targets)
    dev = [d for d in candidates if d.split == "validation"]
    selected_on = None
    if BEST in configs:
        with_dev = {d.target for d in dev}
        selected_on = ("validation" if with_dev >= set(targets) else
                       "validation where the target has dev results, else test" if with_dev else split)
    low = sorted({f"{d.profile} ({d.fidelity})" for d in relevant if d.fidelity != "paper"})
    result = result.model_copy(update={"profiles": sorted({d.profile for d in relevant}),
                                       "step_ids": sorted(d.step_id for d in relevant),
                                       "evidence": bool(relevant) and not low, "split": split,
                                       "selected_on": selected_on})
    values_left = _config_values(relevant, link, left, languages, targets, problems, dev)
    values_right = _config_values(relevant, link, right, languages, targets, problems, dev) if right else {}
    if right:
        seeds = sorted(set(values_left) & set(values_right))
        values = [values_left[s] - values_right[s] for s in seeds]
    else:
        seeds, values = sorted(values_left), [values_left[s] for s in sorted(values_left)]
    if values:
        mean, half, sd = t_interval(values)
        result = result.model_copy(update={
            "seeds": seeds, "values": [round(v, 4) for v in values], "measured": round(mean, 4),
            "sd": None if sd is None else round(sd, 4),
            "interval": None if math.isinf(half) else (round(mean - half, 4), round(mean + half, 4))})
    if low:  # the numbers are shown, but they say nothing about the paper's model
        return verdict("inconclusive", f"pipeline check only: results come from profile {', '.join(low)}, which is "
                       "not evidence about the paper's model; run with --profile paper")
    altered = sorted({f"{d.target}: {d.not_as_published}" for d in relevant if d.not_as_published})
    if altered:
        return verdict("inconclusive", "not replicated as published: " + "; ".join(altered))
    if not values:
        return verdict("inconclusive", "missing results: " + "; ".join(problems))
    miss = abs(mean - link.expected)
    where = {"test": "on test", "validation": "on dev", "mixed": "on test where evaluated, else dev"}[split]
    if selected_on:
        where += f"; best intermediate per target chosen on {selected_on.replace('validation', 'dev')}"
    what = (f"measured {mean:.2f} vs expected {link.expected:.2f} (±{link.tolerance:g}) over {len(values)} "
            f"seed(s), {where}")
    if miss <= link.tolerance:
        return verdict("replicated", f"{what}: within tolerance")
    if not math.isinf(half) and miss <= half:
        return verdict("replicated", f"{what}: outside tolerance but inside the 95% seed interval ±{half:.2f}")
    if len(values) >= MIN_SEEDS or miss > DECISIVE_MISS * link.tolerance:
        return verdict("not_replicated", f"{what}: outside tolerance and seed interval")
    return verdict("inconclusive", f"{what}: outside tolerance, but {len(values)} seed(s) < {MIN_SEEDS} cannot "
                   "separate this from seed variance")
