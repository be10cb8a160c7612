"""The X-STILTs headline as the paper measured it (claim c05: "+5.4 over XLM-R Large on XTREME"): per target the
intermediate task that scores best on the dev split, its test score, the unweighted mean over targets, minus the
same mean of the PUBLISHED baseline (Hu et al.'s XLM-R Large, `published_baseline` in the experiment), not minus
the re-run's own no-intermediate baseline. The own-baseline gap is returned beside it, so the two can be compared.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..experiments import Experiment
from ..pipeline.results import ResultsDocument

__all__ = ["HeadlineGap", "headline_gap"]


class HeadlineGap(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment: str
    targets: list[str]  # targets with a dev choice and a test score
    chosen: dict[str, str]  # target -> intermediate chosen on dev
    best_test: dict[str, float]  # target -> test task score of the chosen intermediate (mean over seeds)
    published: dict[str, float]  # target -> published baseline
    own_baseline: dict[str, float]  # target -> the re-run baseline's test task score (mean over seeds)
    score: float  # mean over targets of best_test
    gap_over_published: float  # the paper's headline quantity
    gap_over_own_baseline: float | None
    missing: list[str]  # published targets without a dev choice or a test score


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def headline_gap(docs: list[ResultsDocument], experiment: Experiment) -> HeadlineGap | None:
    """The c05 quantity from results documents of `experiment` (None without a published baseline)."""
    published = experiment.published_baseline
    if published is None:
        return None
    mine = [d for d in docs if d.experiment == experiment.name]
    chosen, best, own, missing = {}, {}, {}, []
    for target in published.scores:
        def scores(split: str, intermediate: str | None) -> list[float]:
            return [d.task_score for d in mine if d.target == target and d.split == split
                    and d.intermediate == intermediate and d.intermediate_examples is None]

        dev = {i: _mean(s) for i in {d.intermediate for d in mine if d.target == target and d.intermediate}
               if (s := scores("validation", i))}
        if not dev:
            missing.append(target)
            continue
        pick = max(sorted(dev), key=lambda i: dev[i])
        test = scores(published.split, pick)
        if not test:
            missing.append(target)
            continue
        chosen[target], best[target] = pick, _mean(test)
        base = scores(published.split, None)
        if base:
            own[target] = _mean(base)
    targets = sorted(best)
    if not targets:
        return None
    score = _mean([best[t] for t in targets])
    gap = score - _mean([published.scores[t] for t in targets])
    own_gap = score - _mean([own[t] for t in targets]) if set(own) >= set(targets) else None
    return HeadlineGap(experiment=experiment.name, targets=targets, chosen=chosen, best_test=best,
                       published={t: published.scores[t] for t in targets}, own_baseline=own, score=score,
                       gap_over_published=gap, gap_over_own_baseline=own_gap, missing=missing)
