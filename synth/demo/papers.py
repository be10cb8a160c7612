"""Ready-made paper specs for synth.demo.pdfgen: a small STILTs study with given numbers, and a long benchmark paper.

Both are deterministic: the same arguments always give the same spec (and so the same PDF text).
"""

from __future__ import annotations

from synth.claims.evaluation import GoldPaper, stored_pdf
from synth.demo.pdfgen import PaperSpec, SectionSpec, TableSpec, render_pdf

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "ru": "Russian", "zh": "Chinese",
    "ar": "Arabic", "hi": "Hindi", "sw": "Swahili", "ur": "Urdu", "th": "Thai", "tr": "Turkish",
    "vi": "Vietnamese", "bg": "Bulgarian", "el": "Greek", "ja": "Japanese", "ko": "Korean", "yo": "Yoruba",
}
STILTS_REFERENCES = [
    "Alexis Conneau, Kartikay Khandelwal, Naman Goyal, Vishrav Chaudhary, Guillaume Wenzek, Francisco "
    "Guzmán, Edouard Grave, Myle Ott, Luke Zettlemoyer, and Veselin Stoyanov. 2020. Unsupervised cross-lingual "
    "representation learning at scale. In Proceedings of the 58th Annual Meeting of the Association for "
    "Computational Linguistics, pages 8440-8451.",
    "Junjie Hu, Sebastian Ruder, Aditya Siddhant, Graham Neubig, Orhan Firat, and Melvin Johnson. 2020. XTREME: "
    "A massively multilingual multi-task benchmark for evaluating cross-lingual generalization. In Proceedings "
    "of the 37th International Conference on Machine Learning.",
    "Jason Phang, Thibault Févry, and Samuel R. Bowman. 2018. Sentence encoders on STILTs: Supplementary "
    "training on intermediate labeled-data tasks. arXiv preprint arXiv:1811.01088.",
    "Jason Phang, Iacer Calixto, Phu Mon Htut, Yada Pruksachatkun, Haokun Liu, Clara Vania, Katharina Kann, "
    "and Samuel R. Bowman. 2020. English intermediate-task training improves zero-shot cross-lingual transfer "
    "too. In Proceedings of AACL-IJCNLP 2020, pages 557-575.",
    "Yada Pruksachatkun, Jason Phang, Haokun Liu, Phu Mon Htut, Xiaoyi Zhang, Richard Yuanzhe Pang, Clara "
    "Vania, Katharina Kann, and Samuel R. Bowman. 2020. Intermediate-task transfer learning with pretrained "
    "language models: When and why does it work? In Proceedings of ACL 2020, pages 5231-5247.",
]


def stilts_study_spec(
    numbers: dict[str, dict[str, float]],
    version: int = 1,
    *,
    baseline: str = "baseline",
    target: str = "XNLI",
    metric: str = "accuracy",
    decimals: int = 1,
    two_columns: bool = True,
    title: str | None = None,
    arxiv_id: str | None = None,
) -> PaperSpec:
    """A small STILTs-style study: intermediate-task training on English tasks, zero-shot transfer to N languages.

    `numbers` maps a row (the `baseline` row = no intermediate task, every other key = an intermediate task)
    to {language code: score}; every row must cover the same languages. Averages are unweighted means over
    languages. The abstract, the results text and Table 1 state these numbers with `decimals` decimals.
    With `arxiv_id`, page 1 carries an arXiv stamp "arXiv:<id>v<version> [cs.CL] ..." as real preprints do.
    """
    if baseline not in numbers or len(numbers) < 2:
        raise ValueError(f"numbers needs a {baseline!r} row and at least one intermediate-task row")
    langs = list(numbers[baseline])
    if not langs or any(list(row) != langs for row in numbers.values()):
        raise ValueError("every row of numbers must cover the same languages, in the same order")

    def f(value: float) -> str:
        return f"{value:.{decimals}f}"

    # Round first, so that every difference stated in the text equals the difference of the printed numbers.
    numbers = {name: {lang: round(v, decimals) for lang, v in row.items()} for name, row in numbers.items()}
    avg = {name: round(sum(row.values()) / len(row), decimals) for name, row in numbers.items()}
    tasks = [name for name in numbers if name != baseline]
    best = max(tasks, key=lambda t: avg[t])
    base_avg = avg[baseline]
    gain = round(avg[best] - base_avg, decimals)
    deltas = {lang: round(numbers[best][lang] - numbers[baseline][lang], decimals) for lang in langs}
    top_lang = max(langs, key=lambda lang: deltas[lang])
    names = [f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})" for lang in langs]
    n = len(langs)
    word = "improves" if gain >= 0 else "lowers"

    abstract = (
        f"We study intermediate-task training on English tasks (STILTs) for a multilingual encoder and measure "
        f"zero-shot cross-lingual transfer to {n} languages on {target}. Intermediate training on {best} {word} "
        f"the average {target} {metric} from {f(base_avg)} to {f(avg[best])}, a change of {gain:+.{decimals}f} "
        f"points over the baseline without an intermediate task. The largest gain is on "
        f"{LANGUAGE_NAMES.get(top_lang, top_lang)}, with {deltas[top_lang]:+.{decimals}f} points."
    )
    intro = [
        "Pretrained multilingual encoders such as XLM-R (Conneau et al., 2020) transfer surprisingly well across "
        "languages: a model fine-tuned on English data can be evaluated zero-shot on other languages. "
        "Supplementary training on intermediate labeled-data tasks, i.e. STILTs (Phang et al., 2018), often "
        "improves the target task in English. Whether such intermediate-task training also helps cross-lingual "
        "transfer, e.g. to low-resource languages, is the question of this study.",
        "Following Phang et al. (2020), we first train the encoder on an English intermediate task, then "
        f"fine-tune it on the English training data of {target}, and finally evaluate the resulting model on "
        "every test language without any target-language supervision. Results are reported in Tab. 1 and "
        "Fig. 1 of the original work motivates the design.",
    ]
    method = [
        "The intermediate tasks are " + ", ".join(tasks) + ". Only the encoder is transferred between phases; "
        "task heads are re-initialised for every task. We use the same learning rate, batch size and number of "
        "epochs for every run, and report the mean over seeds.",
        f"We evaluate on {n} languages: " + ", ".join(names) + f". The score of a model is its {metric} on each "
        "language, and the average is the unweighted mean over languages"
        + (" (English included)." if "en" in langs else "."),
    ]
    results = [
        f"Table 1 lists zero-shot {target} {metric} per language. Without intermediate training the average is "
        f"{f(base_avg)}."
    ]
    for task in tasks:
        diff = round(avg[task] - base_avg, decimals)
        where = "above" if diff >= 0 else "below"
        results.append(
            f"With {task} as the intermediate task, the average {metric} is {f(avg[task])}, "
            f"{abs(diff):.{decimals}f} points {where} the baseline ({f(base_avg)})."
        )
    results.append(
        f"On {LANGUAGE_NAMES.get(top_lang, top_lang)}, {best} reaches {f(numbers[best][top_lang])} compared with "
        f"{f(numbers[baseline][top_lang])} for the baseline, the largest per-language gain in our study."
    )
    table = TableSpec(
        label="Table 1",
        caption=f"Zero-shot {target} {metric} (%) per language after intermediate-task training; Avg is the "
                "unweighted mean over languages.",
        header=["Intermediate", *langs, "Avg"],
        rows=[[name, *[numbers[name][lang] for lang in langs], avg[name]] for name in numbers],
        decimals=decimals,
    )
    conclusion = [
        f"Intermediate-task training on {best} is the most effective choice in our setting, with a gain of "
        f"{gain:+.{decimals}f} points in average {metric}. Cross-lingual transfer from English intermediate tasks "
        "is therefore worth testing before collecting target-language data."
    ]
    if version > 1:
        conclusion.append(f"This version (v{version}) updates the results in Table 1 and the abstract.")
    return PaperSpec(
        title=title or "Does English Intermediate-Task Training Help Zero-Shot Cross-Lingual Transfer?",
        authors=["Ada Example", "Grace Sample", "Alan Placeholder"],
        abstract=abstract,
        sections=[
            SectionSpec("1", "Introduction", intro),
            SectionSpec("2", "Method", method[:1]),
            SectionSpec("2.1", "Languages and Evaluation", method[1:]),
            SectionSpec("3", "Results", results, [table]),
            SectionSpec("4", "Conclusion", conclusion),
        ],
        references=STILTS_REFERENCES,
        appendix=[SectionSpec("A", "Training Details", [
            "All runs fine-tune the full encoder with AdamW; hyperparameters are identical across intermediate "
            "tasks so that differences come from the intermediate data alone."])],
        two_columns=two_columns,
        running_header=f"X-STILTs study (version {version})",
        arxiv_stamp=f"arXiv:{arxiv_id}v{version} [cs.CL] {4 + version} Jul 2020" if arxiv_id else None,
        first_page_number=1,
    )


_WORDS = ("representation evaluation multilingual efficient classification generalization transformer "
          "significant benchmark performance fine-tuning zero-shot cross-lingual intermediate configuration "
          "architecture optimization regularization distribution vocabulary tokenization experiment "
          "difference improvement baseline accuracy language coverage").split()
_TEMPLATES = (
    "The {a} of the {b} model is {n} on average, which differs from the {c} reported by Smith et al. (2019).",
    "We observe a {a} of {n} points (Fig. {k}), i.e. the {b} remains stable across {c} settings.",
    "As shown in Tab. {k}, the {a} improves by {n}% over the {b}, e.g. for the {c} split.",
    "Prior work (Conneau et al., 2020; Hu et al., 2020) studied the {a} of {b} models vs. {c} baselines.",
    "Our {a} uses {k} seeds and a {b} schedule; the {c} is reported with two decimals, e.g. {n}.",
    "Does the {a} hold for the {b}? We find that it does for {k} of {m} languages in the {c} benchmark.",
)


def long_spec(pages: int = 30, seed: int = 0) -> PaperSpec:
    """A deterministic long two-column paper of about `pages` pages (benchmarks and stress tests)."""
    import random

    rng = random.Random(seed)
    chars_per_page = 4900  # measured for the default two-column layout at 9.5 pt (spec chars per page)

    def sentence() -> str:
        w = rng.sample(_WORDS, 3)
        return rng.choice(_TEMPLATES).format(a=w[0], b=w[1], c=w[2], n=f"{rng.uniform(1, 95):.1f}",
                                             k=rng.randint(1, 9), m=rng.randint(10, 40))

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(rng.randint(4, 8)))

    sections, budget, number = [], (pages - 1) * chars_per_page, 0  # the references fill about one page
    while budget > 0:
        number += 1
        for sub in range(3):
            if budget <= 0:
                break
            paras = [paragraph() for _ in range(3)]
            tables = []
            if sub == 1:
                langs = ["en", "de", "fr", "sw", "ur"]
                tables.append(TableSpec(
                    label=f"Table {number}", caption=f"Zero-shot accuracy for setting {number}.",
                    header=["Model", *langs, "Avg"],
                    rows=[[name, *[round(rng.uniform(40, 90), 1) for _ in langs], round(rng.uniform(40, 90), 1)]
                          for name in ("Baseline", "MNLI", "SQuAD", "HellaSwag")]))
            sections.append(SectionSpec(f"{number}.{sub}" if sub else str(number),
                                        f"{rng.choice(_WORDS).capitalize()} Analysis", paras, tables))
            budget -= sum(len(p) for p in paras) + 400 * len(tables) + 150
    return PaperSpec(
        title="A Long Synthetic Study of Cross-Lingual Transfer for Benchmarking",
        authors=["Bench Author", "Second Author"],
        abstract=paragraph(),
        sections=sections,
        references=STILTS_REFERENCES * 2,
        running_header="Synthetic long paper for parser benchmarks",
        first_page_number=101,
    )


__all__ = ["stilts_study_spec", "long_spec", "LANGUAGE_NAMES", "STILTS_REFERENCES"]


def gold_paper_pdf(paper: GoldPaper, workdir: Path) -> Path | None:
    """The PDF of a gold paper: the stored one (None when absent) or one generated into `workdir`."""
    if paper.pdf:
        return stored_pdf(paper, workdir)
    if paper.generate == "xstilts-preprint":
        from synth.demo.preprint import render_preprint

        return render_preprint(workdir / f"{paper.name}.pdf", paper.version)
    if paper.generate == "stilts":
        spec = stilts_study_spec(paper.numbers or {}, paper.version)
    else:
        raw = dict(paper.spec or {})
        sections = [SectionSpec(s.get("number"), s["title"], list(s.get("paragraphs", [])),
                                [TableSpec(**t) for t in s.get("tables", [])]) for s in raw.pop("sections")]
        spec = PaperSpec(sections=sections, **raw)
    return render_pdf(spec, workdir / f"{paper.name}.pdf")
