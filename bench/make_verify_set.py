"""Build the labelled set for `synth verify`: generated papers (v1 and v2 with different numbers) in a library,
and claims with planted errors of every kind, each with its gold label.

    .venv/bin/python bench/make_verify_set.py --out .synth-cache/verify-set --papers 30 --seed 7
    .venv/bin/python bench/make_verify_set.py --out .synth-cache/verify-set-hard --papers 12 --seed 23 --variant hard

Writes OUT/library/ (papers 2101.000NN v1 + v2, parsed by synth's own parser) and OUT/claims.jsonl, one row per
claim: {id, text, cites, truncated, kind, gold, paper, split}. Papers are split 70/30 into train / test, so no
test claim comes from a paper seen in training. Claim kinds and their gold labels:

    verbatim, rounded, truncated, paraphrase, two_sentences,
    table_only (a number only Table 1 gives)                   -> supported
    extra_clause, extra_words                                  -> partially_supported
    wrong_number, wrong_entity, table_wrong                    -> contradicted
    other_version                                              -> version_mismatch
    not_in_paper                                               -> not_found
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth.verify.evidence import normalise  # noqa: E402
from synth.core.numbers import extract_numbers  # noqa: E402
from synth.demo.pdfgen import SectionSpec, render_pdf  # noqa: E402
from synth.demo.papers import LANGUAGE_NAMES, stilts_study_spec

GOLD = {"verbatim": "supported", "rounded": "supported", "truncated": "supported", "paraphrase": "supported",
        "two_sentences": "supported", "extra_clause": "partially_supported",
        "extra_words": "partially_supported", "wrong_number": "contradicted",
        "wrong_entity": "contradicted", "other_version": "version_mismatch", "not_in_paper": "not_found",
        "table_only": "supported", "table_wrong": "contradicted"}
TARGETS = [("XNLI", "accuracy"), ("PAWS-X", "accuracy"), ("XCOPA", "accuracy"), ("XQuAD", "F1"),
           ("MLQA", "F1"), ("TyDiQA", "F1"), ("WikiANN", "F1"), ("UD-POS", "F1")]
TASKS = ["MNLI", "SQuAD", "HellaSwag", "QQP", "CommonsenseQA", "Cosmos QA", "SocialIQA", "CCG", "ANLI+", "BoolQ"]
LANGS = ["en", "de", "fr", "es", "ru", "zh", "ar", "hi", "sw", "ur", "th", "tr", "vi", "bg", "el", "ja", "ko", "yo"]
# Analysis statements: each paper states some of them; the rest are claims that are "not in the paper".
ANALYSIS = [
    "The gains from {task} are concentrated on {lang}, where {metric} rises by {d_lang} points over the baseline.",
    "Averaged over the non-English languages, {task} scores {avg_ne} in {metric}.",
    "The spread between the best and the worst intermediate task is {spread} points.",
    "English {metric} with {task} is {en_val}, while {lang} reaches only {lang_val}.",
    "Out of {n_tasks} intermediate tasks, {k_pos} improve the average over the model without intermediate training.",
    "We did not try combining {task} and {task2} in a multi-task setup.",
    "{task2} transfers worse than {task}, with an average of {avg2} against {avg1}.",
    "The zero-shot gap between English and {lang} shrinks from {gap_b} to {gap_t} points with {task}.",
    "Low-resource languages such as {lang} benefit more than high-resource ones in our {target} experiments.",
    "Training on {task} for {epochs} epochs suffices to reach {avg1} on average.",
    "Intermediate training with {task2} brings {lang} from {base_lang} to {val2_lang}.",
    "A single run of {task} takes about {hours} GPU hours on one accelerator.",
    "Our {target} baseline of {base_avg} is close to the number reported by Conneau et al. (2020).",
    "{task} and {task2} differ by {diff12} points in average {metric}.",
    "Restarting from the original checkpoint instead of the intermediate model costs {cost} points on {lang}.",
    "Freezing the lower half of the encoder during intermediate training makes no measurable difference.",
    "Machine-translated training data for {lang} was not used in any of our runs.",
    "The variance across random seeds is highest for {lang}, at {sd} points.",
]
SYNONYMS = [("improves", "raises"), ("average", "mean"), ("largest", "biggest"), ("reaches", "attains"),
            ("compared with", "versus"), ("above", "higher than"), ("below", "lower than"),
            ("most effective", "best"), ("We study", "This paper studies"), ("measure", "assess"),
            ("Without intermediate training", "With no intermediate training"), ("therefore", "thus"),
            ("choice", "option"), ("concentrated on", "largest for"), ("suffices", "is enough"),
            ("lists", "reports"), ("in our setting", "in this setup"), ("study", "investigate")]
SPELL = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
EXTRA = ["and {lang} gains {x} points as well", "while the gain on {lang} is {x} points",
         "and {metric} on {lang} reaches {x}"]
EXTRA_WORDS = ["and this pattern holds consistently for every low-resource language, regardless of script or "
               "morphology, which suggests that transfer is driven by shared semantic structure",
               "which our ablations attribute almost entirely to better calibration of the classifier head after "
               "continued pretraining on unlabeled multilingual text",
               "even though the encoder was never exposed to parallel sentences or bilingual dictionaries during any "
               "stage of pretraining or fine-tuning"]
# The 'hard' variant is an out-of-distribution check: rewrites the verifier's synonym table does not know,
# shorter cut-offs and other added clauses. Nothing in synth was tuned on it.
HARD_SYNONYMS = [("improves", "pushes up"), ("average", "overall"), ("largest", "most pronounced"),
                 ("reaches", "hits"), ("compared with", "as opposed to"), ("above", "beyond"),
                 ("below", "under"), ("most effective", "strongest"), ("We study", "We look at"),
                 ("measure", "quantify"), ("Without intermediate training", "Lacking intermediate training"),
                 ("therefore", "hence"), ("choice", "pick"), ("gain", "benefit"), ("suffices", "is sufficient"),
                 ("lists", "shows"), ("the baseline", "the plain model"), ("intermediate task", "auxiliary task")]
HARD_EXTRA = ["although {lang} still lags behind at {x}", "and on {lang} the score climbs to {x}",
              "with a further {x}-point jump on {lang}"]
VARIANTS = {"standard": (SYNONYMS, EXTRA, (0.45, 0.85)), "hard": (HARD_SYNONYMS, HARD_EXTRA, (0.3, 0.6))}


@dataclass
class PaperPlan:
    pid: str
    target: str
    metric: str
    decimals: int
    numbers: dict[int, dict[str, dict[str, float]]]  # version -> row -> language -> score
    analysis: list[int]  # indices into ANALYSIS that this paper states
    split: str


def _avg(row: dict[str, float]) -> float:
    return sum(row.values()) / len(row)


def plan_papers(n: int, seed: int) -> list[PaperPlan]:
    rng = random.Random(seed)
    plans = []
    for i in range(n):
        target, metric = rng.choice(TARGETS)
        tasks = rng.sample(TASKS, rng.randint(2, 4))
        langs = ["en", *rng.sample([lang for lang in LANGS if lang != "en"], rng.randint(3, 5))]
        base = {lang: round(rng.uniform(45, 85), 2) for lang in langs}
        v1 = {"baseline": base}
        for task in tasks:
            v1[task] = {lang: round(base[lang] + rng.uniform(-2.5, 8.0), 2) for lang in langs}
        # v2 revises every score by a visible amount (never within rounding of v1)
        v2 = {row: {lang: round(v + rng.choice([-1, 1]) * rng.uniform(0.6, 2.4), 2) for lang, v in vals.items()}
              for row, vals in v1.items()}
        analysis = sorted(rng.sample(range(len(ANALYSIS)), 9))
        plans.append(PaperPlan(f"2101.{i + 1:05d}", target, metric, rng.choice([1, 2]), {1: v1, 2: v2}, analysis,
                               "train" if rng.random() < 0.7 else "test"))
    return plans


def _fill(template: str, plan: PaperPlan, version: int, rng: random.Random | None = None) -> str:
    """Fill an analysis template from the paper's numbers (rng: random numbers, for statements not in it)."""
    nums = plan.numbers[version]
    d = plan.decimals
    f = lambda v: f"{v:.{d}f}"  # noqa: E731
    tasks = [t for t in nums if t != "baseline"]
    langs = list(nums["baseline"])
    task, task2 = tasks[0], tasks[-1] if len(tasks) > 1 else tasks[0]
    lang = langs[-1]
    base, best = nums["baseline"], nums[task]
    avgs = {t: _avg(nums[t]) for t in nums}
    r = rng.uniform if rng else None
    values = {
        "task": task, "task2": task2, "lang": LANGUAGE_NAMES.get(lang, lang), "metric": plan.metric,
        "target": plan.target, "n_tasks": len(tasks), "epochs": 3, "hours": 12,
        "d_lang": f(abs(best[lang] - base[lang])), "avg_ne": f(_avg({k: v for k, v in best.items() if k != "en"})),
        "spread": f(max(avgs[t] for t in tasks) - min(avgs[t] for t in tasks)), "en_val": f(best["en"]),
        "lang_val": f(best[lang]), "k_pos": sum(avgs[t] > avgs["baseline"] for t in tasks),
        "avg1": f(avgs[task]), "avg2": f(avgs[task2]), "gap_b": f(base["en"] - base[lang]),
        "gap_t": f(best["en"] - best[lang]), "base_lang": f(base[lang]), "val2_lang": f(nums[task2][lang]),
        "base_avg": f(avgs["baseline"]), "diff12": f(abs(avgs[task] - avgs[task2])), "cost": f(1.7), "sd": f(0.9),
    }
    if r:  # a statement the paper does not make: its numbers are invented too
        for key in ("d_lang", "avg_ne", "spread", "en_val", "lang_val", "avg1", "avg2", "gap_b", "gap_t",
                    "base_lang", "val2_lang", "base_avg", "diff12", "cost", "sd"):
            values[key] = f(r(0.5, 90))
        values["hours"], values["epochs"], values["k_pos"] = rng.randint(20, 90), rng.randint(4, 9), rng.randint(0, 3)
    return template.format(**values)


def paper_spec(plan: PaperPlan, version: int):
    spec = stilts_study_spec(plan.numbers[version], version, target=plan.target, metric=plan.metric,
                             decimals=plan.decimals, title=f"Intermediate-Task Transfer for {plan.target} ({plan.pid})")
    sentences = [_fill(ANALYSIS[i], plan, version) for i in plan.analysis]
    spec.sections.insert(-1, SectionSpec("3.1", "Analysis", [" ".join(sentences[:5]), " ".join(sentences[5:])]))
    return spec


def build_library(out: Path, plans: list[PaperPlan]) -> None:
    from synth.papers.library import Library
    from synth.core.models import PaperMeta

    library = Library(out / "library")
    pdf_dir = out / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for plan in plans:
        for version in (1, 2):
            pdf = render_pdf(paper_spec(plan, version), pdf_dir / f"{plan.pid}v{version}.pdf")
            meta = PaperMeta(id=plan.pid, version=version, source="arxiv", sha256="", size_bytes=0, fetched_at=now,
                             title=f"Intermediate-Task Transfer for {plan.target}")
            library.add_pdf(pdf, meta)
    library.close()


# ------------------------------------------------------------------------------------------------ planting


def _claim_sentences(library, meta) -> list[str]:
    keep = ("Abstract", "Results", "Analysis", "Conclusion", "Languages")
    out = []
    for s in library.iter_sentences(meta):
        digits = sum(ch.isdigit() for ch in s.text)
        if s.kind == "body" and s.section and any(k in s.section[-1] for k in keep) and len(s.text) > 40 \
                and "This version" not in s.text and digits < 0.2 * len(s.text):  # not a table read as text
            out.append(s.text)
    return out


def _adjacent_pairs(library, meta) -> list[tuple[str, str]]:
    """Consecutive body sentences of one section (a claim may span two of them)."""
    sents = [s for s in library.iter_sentences(meta) if s.kind == "body" and s.section]
    return [(a.text, b.text) for a, b in zip(sents, sents[1:])
            if b.idx == a.idx + 1 and a.section == b.section and len(a.text) + len(b.text) < 300]


def _replace_number(text: str, rng: random.Random, forbidden: set[float]) -> str | None:
    nums = [n for n in extract_numbers(text) if not n.spelled]
    if not nums:
        return None
    n = rng.choice(nums)
    for _ in range(20):
        delta = rng.choice([-1, 1]) * (rng.uniform(0.7, 4.0) if n.decimals else rng.randint(1, 3))
        value = abs(n.value) + delta
        if value <= 0 or any(abs(value - v) < 0.55 for v in forbidden):
            continue
        new = f"{value:.{n.decimals}f}"
        raw = re.search(r"\d[\d,]*(?:\.\d+)?", n.text)
        return text[:n.start] + n.text.replace(raw.group(0), new, 1) + text[n.end:]
    return None


def _round_number(text: str) -> str | None:
    nums = [n for n in extract_numbers(text) if n.decimals >= 1 and not n.spelled]
    for n in nums:
        raw = re.search(r"\d+\.\d+", n.text).group(0)
        new = f"{float(raw):.{n.decimals - 1}f}"
        if float(new) != float(raw) and float(new) != 0:
            return text[:n.start] + n.text.replace(raw, new, 1) + text[n.end:]
    return None


def _paraphrase(text: str, rng: random.Random, synonyms: list[tuple[str, str]] = SYNONYMS) -> str | None:
    out, changed = text, 0
    for a, b in rng.sample(synonyms, len(synonyms)):
        if a in out and changed < 3:
            out, changed = out.replace(a, b, 1), changed + 1
    m = re.search(r"\b(\d) (languages|intermediate tasks)", out)
    if m and int(m.group(1)) in SPELL:
        out, changed = out[:m.start(1)] + SPELL[int(m.group(1))] + out[m.end(1):], changed + 1
    return out if changed else None


def _swap_entity(text: str, plan: PaperPlan, rng: random.Random) -> str | None:
    from synth.claims.entities import entity_spans

    spans = [s for s in entity_spans(text) if s.category in ("tasks", "languages")]
    if not spans:
        return None
    span = rng.choice(spans)
    if span.category == "languages":
        pool = [LANGUAGE_NAMES[c] for c in LANGUAGE_NAMES if LANGUAGE_NAMES[c] not in text]
    else:
        pool = [t for t in TASKS + [t for t, _ in TARGETS] if t not in text and t != span.text]
    return text[:span.start] + rng.choice(pool) + text[span.end:]


def _truncate(text: str, rng: random.Random, share: tuple[float, float] = (0.45, 0.85)) -> str:
    cut = int(len(text) * rng.uniform(*share))
    while cut < len(text) - 2 and not (text[cut - 1].isalnum() and text[cut].isalnum()):
        cut += 1  # cut inside a word, the way review tables clip their cells
    return text[:cut] + rng.choice(["", "…", "..."])


def plant_claims(out: Path, plans: list[PaperPlan], seed: int, variant: str = "standard") -> list[dict]:
    from synth.papers.library import Library

    synonyms, extras, cut_share = VARIANTS[variant]
    rng = random.Random(seed + 1)
    library = Library(out / "library")
    rows: list[dict] = []
    for plan in plans:
        v1, v2 = (library.get(f"{plan.pid}v{v}") for v in (1, 2))
        s1, s2 = _claim_sentences(library, v1), _claim_sentences(library, v2)
        masked1 = {normalise(t): t for t in s1}
        differing = [(masked1[normalise(t)], t) for t in s2 if normalise(t) in masked1 and masked1[normalise(t)] != t]
        every_number = {abs(n.value) for t in s1 + s2 for n in extract_numbers(t)}
        claims: list[tuple[str, str, list[str], bool]] = []  # (kind, text, cites, truncated)

        def add(kind: str, text: str | None, cites: list[str] | None = None, truncated: bool = False) -> None:
            if text:
                claims.append((kind, text, cites or [plan.pid], truncated))

        for text in rng.sample(s2, min(3, len(s2))):
            add("verbatim", text)
        if differing:
            old, new = rng.choice(differing)
            add("verbatim", old, [f"{plan.pid}v1"])
        for text in rng.sample(s2, min(6, len(s2)))[:2]:
            add("rounded", _round_number(text))
        for text in rng.sample(s2, 2):
            add("truncated", _truncate(text, rng, cut_share), truncated=rng.random() < 0.3)
        for text in rng.sample(s2, min(len(s2), 8)):
            if sum(k == "paraphrase" for k, *_ in claims) < 3:
                add("paraphrase", _paraphrase(text, rng, synonyms))
        pairs = _adjacent_pairs(library, v2)
        if pairs:
            add("two_sentences", " ".join(rng.choice(pairs)))
        for text in rng.sample(s2, 3):
            add("wrong_number", _replace_number(text, rng, every_number))
        for text in rng.sample(s2, min(len(s2), 6)):
            if sum(k == "wrong_entity" for k, *_ in claims) < 2:
                add("wrong_entity", _swap_entity(text, plan, rng))
        for old, new in rng.sample(differing, min(3, len(differing))):
            if rng.random() < 0.5:
                add("other_version", old)  # v1 numbers, checked against the latest version
            else:
                add("other_version", new, [f"{plan.pid}v1"])  # v2 numbers, checked against v1
        # numbers that only Table 1 gives (no sentence states them), once right and once wrong
        stated = " ".join(s.text for s in library.iter_sentences(v2))
        cells = [c for t in library.tables(v2) for c in t.cells
                 if c.row != "baseline" and c.column_label in LANGUAGE_NAMES and c.text not in stated]
        for kind, cell in zip(("table_only", "table_wrong"), rng.sample(cells, min(2, len(cells)))):
            value = cell.value if kind == "table_only" else cell.value + rng.choice([-1, 1]) * rng.uniform(1.2, 4.0)
            add(kind, f"Intermediate training on {cell.row} gives {value:.{plan.decimals}f} {plan.metric} on "
                      f"{LANGUAGE_NAMES[cell.column_label]}.")
        unused = [i for i in range(len(ANALYSIS)) if i not in plan.analysis]
        for i in rng.sample(unused, 3):
            add("not_in_paper", _fill(ANALYSIS[i], plan, 2, rng))
        langs_absent = [LANGUAGE_NAMES[c] for c in LANGUAGE_NAMES if c not in plan.numbers[2]["baseline"]]
        for text in rng.sample([t for t in s2 if extract_numbers(t)], 2):
            extra = rng.choice(extras).format(lang=rng.choice(langs_absent), x=f"{rng.uniform(91, 99):.1f}",
                                             metric=plan.metric)
            add("extra_clause", f"{text.rstrip('.')}, {extra}.")
        # an added statement with no number or name in it: only the words show it is not in the source
        for text in rng.sample(s2, 1):
            add("extra_words", f"{text.rstrip('.')}, {rng.choice(EXTRA_WORDS)}.")
        for n, (kind, text, cites, truncated) in enumerate(claims, 1):
            rows.append({"id": f"{plan.pid}-c{n:02d}", "text": text, "cites": cites, "truncated": truncated,
                         "kind": kind, "gold": GOLD[kind], "paper": plan.pid, "split": plan.split})
    library.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".synth-cache" / "verify-set")
    parser.add_argument("--papers", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="standard",
                        help="'hard': rewrites and cut-offs the verifier was not tuned on (out-of-distribution)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    plans = plan_papers(args.papers, args.seed)
    if not (args.out / "library" / "synth.sqlite").exists():
        build_library(args.out, plans)
    rows = plant_claims(args.out, plans, args.seed, args.variant)
    with open(args.out / "claims.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (args.out / "manifest.json").write_text(json.dumps({
        "script": "bench/make_verify_set.py", "papers": args.papers, "seed": args.seed, "claims": len(rows),
        "variant": args.variant,
        "made": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}, indent=2))
    kinds = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"{len(rows)} claims from {args.papers} papers in {time.perf_counter() - start:.1f}s: {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
