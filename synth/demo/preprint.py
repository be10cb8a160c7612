"""A stand-in for the X-STILTs preprint (arXiv:2005.13013v1) as a newcomer meets it: a local PDF with the
layout that broke the first hour (issue 23), since the real file cannot be downloaded here.

What it reproduces: arXiv's margin stamp; a title set over two lines and eight authors; Figure 1, a diagram
whose labels are set in body type inside the text column, right under a paragraph that ends "... in English.";
a paragraph whose last line is the single word "Appendix."; a results section of thirty claim sentences and
Table 1; references; an appendix. The abstract is the preprint's own (the claims of `claims.yaml` quote it); the
rest is written for this stand-in and is not the paper's text. Its results sentences are the held-out gold of
tests/data/claims/gold_extract.yaml (paper `xstilts-preprint`), written before the extractor was run on it.
"""

from __future__ import annotations

import os
from pathlib import Path

from synth.core.files import write_bytes
from synth.demo.pdfgen import PaperSpec, SectionSpec, TableSpec, _Layout

TITLE = "English Intermediate-Task Training Improves Zero-Shot Cross-Lingual Transfer Too"
AUTHORS = ["Jason Phang", "Iacer Calixto", "Phu Mon Htut", "Yada Pruksachatkun", "Haokun Liu", "Clara Vania",
           "Katharina Kann", "Samuel R. Bowman"]
ABSTRACT = (
    "Intermediate-task training has been shown to substantially improve pretrained model performance on many "
    "language understanding tasks, at least in monolingual English settings. Here, we investigate whether "
    "English intermediate-task training is still helpful on non-English target tasks. Using nine intermediate "
    "language-understanding tasks, we evaluate intermediate-task transfer in a zero-shot cross-lingual setting "
    "on the XTREME benchmark. We see large improvements from intermediate training on the BUCC and Tatoeba "
    "sentence retrieval tasks and moderate improvements on question-answering target tasks. MNLI, SQuAD and "
    "HellaSwag achieve the best overall results as intermediate tasks, while multi-task intermediate training "
    "offers small additional improvements. Using our best intermediate-task models for each target task, we "
    "obtain a 5.4 point improvement over XLM-R Large on the XTREME benchmark, setting the state of the art as of "
    "June 2020. We also investigate continuing multilingual MLM during intermediate-task training and using "
    "machine-translated intermediate-task data, but neither consistently outperforms simply performing English "
    "intermediate-task training."
)
INTRO = [
    "Zero-shot cross-lingual transfer trains a multilingual encoder on labeled data in one language, usually "
    "English, and evaluates it on the same task in other languages (Hu et al., 2020). Pretrained encoders such "
    "as XLM-R (Conneau et al., 2020) make this surprisingly effective.",
    "Intermediate-task training, also called STILTs (Phang et al., 2018), fine-tunes a pretrained model on a "
    "data-rich intermediate task before the target task. We ask whether the same recipe helps when the target "
    "task is evaluated in languages other than English, using target task fine-tuning in English.",
]
FIGURE_LABELS = [  # (x offset in the column in mm, text): boxes of the pipeline diagram, set in body type
    (14, "Intermediate task"), (22, "in English"), (8, "EN"), (30, "Ж λ"), (16, "MLM"),
    (10, "Target task fine-tuning"), (20, "in English"), (12, "Zero-shot evaluation"), (26, "DE ZH SW"),
]
FIGURE_CAPTION = ("Figure 1: Intermediate-task training, then target-task training in English, then zero-shot "
                  "evaluation in other languages.")
APPROACH = [
    "We start from XLM-R Large and train it on one English intermediate task at a time. The encoder is then "
    "fine-tuned on the English training data of each XTREME target task and evaluated on every target language "
    "without target-language supervision.",
]
SETUP = [
    "The nine intermediate tasks are ANLI+, MNLI, QQP, SQuAD, HellaSwag, CCG, Cosmos QA, CommonsenseQA and "
    "SocialIQA. The target tasks are the nine XTREME tasks: XNLI, PAWS-X, POS, NER, XQuAD, MLQA, TyDiQA, BUCC "
    "and Tatoeba. We use the jiant toolkit and the hyperparameters of Pruksachatkun et al. (2020), and we report "
    "the mean over three random restarts. Further details on the training runs and the data are given in the",
]
RESULTS = [
    [
        "Table 1 shows the results of every intermediate task on the XTREME target tasks.",
        "Intermediate training on MNLI improves XNLI accuracy from 79.2 to 80.1 averaged over the 15 languages.",
        "SQuAD as an intermediate task raises the average XQuAD score by 2.4 points over the XLM-R baseline.",
        "On MLQA, SQuAD intermediate training improves the average F1 by 2.1 points.",
        "TyDiQA-GoldP benefits the most from SQuAD, with a gain of 6.1 points in average F1.",
        "HellaSwag yields the largest improvement on BUCC, raising the mean F1 from 79.6 to 86.2.",
        "On Tatoeba, intermediate training on MNLI improves retrieval accuracy by 11.3 points on average.",
        "Every intermediate task except CCG improves Tatoeba accuracy over the baseline.",
    ],
    [
        "CCG intermediate training hurts performance on most target tasks, lowering the XTREME average by 1.8 "
        "points.",
        "QQP improves PAWS-X accuracy by 0.9 points, the largest gain among the intermediate tasks on that task.",
        "For POS tagging, no intermediate task improves over the baseline by more than 0.3 points.",
        "NER performance drops by 0.6 to 2.9 points after intermediate training on the commonsense tasks.",
        "Cosmos QA and CommonsenseQA give moderate improvements on the question-answering target tasks, between "
        "0.5 and 1.7 points.",
        "SocialIQA performs worst among the commonsense tasks, with an average XTREME score 1.2 points below the "
        "baseline.",
        "ANLI+ improves XNLI accuracy by 0.7 points but lowers PAWS-X accuracy by 0.4 points.",
    ],
    [
        "Averaged over all nine target tasks, MNLI, SQuAD and HellaSwag are the three best intermediate tasks, "
        "improving the XTREME score by 2.6, 2.4 and 2.2 points respectively.",
        "The improvements on the sentence retrieval tasks are much larger than those on the classification "
        "tasks: 7.4 points on BUCC and 9.8 points on Tatoeba for the best intermediate task, against 0.9 points "
        "on XNLI.",
        "Gains on low-resource languages are larger than on high-resource languages: on Tatoeba, Swahili "
        "improves by 18.2 points while German improves by 3.1 points.",
        "For XQuAD, the gain from SQuAD is largest on Thai (4.9 points) and smallest on Spanish (1.1 points).",
        "The improvement from HellaSwag on BUCC holds for all five BUCC languages, ranging from 4.1 points on "
        "Chinese to 8.7 points on Russian.",
        "QQP and ANLI+ leave the sentence retrieval results within 0.5 points of the baseline.",
    ],
    [
        "Multi-task intermediate training on all nine tasks improves the XTREME average by 2.9 points over "
        "XLM-R Large.",
        "The multi-task model is 0.3 points better than the best single intermediate task on average, a small "
        "additional improvement.",
        "Selecting the best intermediate-task model for each target task gives an XTREME score of 73.5, a 5.4 "
        "point improvement over XLM-R Large (68.1).",
        "With three random restarts, the standard deviation of the XTREME average is at most 0.4 points for "
        "every intermediate task.",
    ],
]
ANALYSIS = [
    [
        "Continuing multilingual MLM during intermediate training improves BUCC by 1.2 points but lowers XQuAD "
        "by 0.8 points.",
        "Training on machine-translated MNLI data lowers the average XNLI accuracy by 0.5 points compared with "
        "English-only MNLI.",
        "Translated SQuAD data improves MLQA F1 by 0.6 points on average but hurts TyDiQA by 1.4 points.",
        "Neither the MLM variant nor the translated data consistently outperforms English-only intermediate "
        "training across the target tasks.",
    ],
    [
        "Intermediate-task training helps the question-answering tasks more on languages with non-Latin scripts, "
        "with an average gain of 3.2 points against 1.9 points for Latin-script languages.",
        "Compared with the English results of Pruksachatkun et al. (2020), the ranking of intermediate tasks is "
        "similar: tasks that help English targets also tend to help cross-lingual transfer.",
    ],
]
TABLE = TableSpec(
    label="Table 1",
    caption="XTREME results (average over languages) of XLM-R Large after each intermediate task.",
    header=["Intermediate", "XNLI", "PAWS-X", "XQuAD", "BUCC", "Tatoeba", "Avg"],
    rows=[["XLM-R", 79.2, 86.4, 76.6, 79.6, 75.2, 68.1], ["MNLI", 80.1, 87.0, 77.9, 85.1, 86.5, 70.7],
          ["SQuAD", 79.6, 86.9, 79.0, 84.0, 84.2, 70.5], ["HellaSwag", 79.5, 86.8, 77.5, 86.2, 85.0, 70.3],
          ["CCG", 77.9, 85.2, 75.1, 78.8, 74.0, 66.3]],
)
CONCLUSION = [
    "English intermediate-task training improves zero-shot cross-lingual transfer on XTREME, most of all on "
    "sentence retrieval. Collecting target-language data is not needed to benefit from it.",
]
REFERENCES = [
    "Alexis Conneau, Kartikay Khandelwal, Naman Goyal, Vishrav Chaudhary, Guillaume Wenzek, Francisco Guzmán, "
    "Edouard Grave, Myle Ott, Luke Zettlemoyer, and Veselin Stoyanov. 2020. Unsupervised cross-lingual "
    "representation learning at scale. In Proceedings of ACL 2020, pages 8440-8451.",
    "Junjie Hu, Sebastian Ruder, Aditya Siddhant, Graham Neubig, Orhan Firat, and Melvin Johnson. 2020. XTREME: "
    "A massively multilingual multi-task benchmark for evaluating cross-lingual generalization. In Proceedings "
    "of ICML 2020.",
    "Jason Phang, Thibault Févry, and Samuel R. Bowman. 2018. Sentence encoders on STILTs: Supplementary "
    "training on intermediate labeled-data tasks. arXiv preprint arXiv:1811.01088.",
    "Yada Pruksachatkun, Jason Phang, Haokun Liu, Phu Mon Htut, Xiaoyi Zhang, Richard Yuanzhe Pang, Clara "
    "Vania, Katharina Kann, and Samuel R. Bowman. 2020. Intermediate-task transfer learning with pretrained "
    "language models: When and why does it work? In Proceedings of ACL 2020, pages 5231-5247.",
]
APPENDIX = [SectionSpec("A", "Training Details", [
    "All intermediate tasks are trained for at most three epochs with early stopping on their development sets; "
    "target tasks use the XTREME hyperparameters."])]


def preprint_spec(version: int = 1) -> PaperSpec:
    """The stand-in's text (the figure and the lone 'Appendix.' line are drawn by `render_preprint`)."""
    return PaperSpec(
        title=TITLE, authors=AUTHORS, abstract=ABSTRACT,
        sections=[SectionSpec("1", "Introduction", INTRO), SectionSpec("2", "Approach", APPROACH),
                  SectionSpec("3", "Experiments"), SectionSpec("3.1", "Setup", SETUP),
                  SectionSpec("3.2", "Results", [" ".join(p) for p in RESULTS], [TABLE]),
                  SectionSpec("4", "Analysis", [" ".join(p) for p in ANALYSIS]),
                  SectionSpec("5", "Conclusion", CONCLUSION)],
        references=REFERENCES, appendix=APPENDIX, two_columns=True, font_size=10.0,
        arxiv_stamp=f"arXiv:2005.13013v{version} [cs.CL] 27 May 2020", first_page_number=1,
    )


def _figure(layout: _Layout) -> None:
    """Figure 1 in the current column: body-type labels off the column's left edge, then its caption."""
    height = layout.line_h * (len(FIGURE_LABELS) + 1)
    layout.need(height + layout.line_h * 3)
    layout.font()
    x = layout.x0()
    layout.y += layout.line_h * 0.5
    for offset, text in FIGURE_LABELS:
        layout.pdf.text(x + offset, layout.y + layout.line_h * 0.8, layout.clean(text, ligatures=False))
        layout.y += layout.line_h
    layout.font(size=layout.spec.font_size - 1)
    layout.y += layout.line_h * 0.5
    layout.lines(layout.wrap(layout.clean(FIGURE_CAPTION), layout.col_width))
    layout.y += layout.line_h * 0.5


def render_preprint(path: str | os.PathLike, version: int = 1) -> Path:
    """Draw the stand-in preprint into `path` (atomic write) and return the path."""
    spec = preprint_spec(version)
    layout = _Layout(spec)
    layout.new_page()
    layout.title_block()
    layout.heading("Abstract")
    layout.paragraph(spec.abstract)
    for section in spec.sections:
        layout.heading(section.heading)
        for paragraph in section.paragraphs:
            if section.title == "Setup":  # the paragraph's last line is the word "Appendix." alone
                layout.font()
                layout.lines(layout.wrap(layout.clean(paragraph), layout.col_width) + ["Appendix."])
                layout.y += layout.line_h * 0.4
                continue
            layout.paragraph(paragraph)
            if paragraph is INTRO[-1]:
                _figure(layout)
        for table in section.tables:
            layout.table(table)
    layout.heading("References")
    layout.font(size=spec.font_size - 0.5)
    for ref in spec.references:
        wrapped = layout.wrap(layout.clean(ref), layout.col_width - 3)
        layout.lines(wrapped[:1])
        layout.lines(wrapped[1:], indent=3)
        layout.y += layout.line_h * 0.2
    for section in spec.appendix:
        layout.heading(section.heading)
        for paragraph in section.paragraphs:
            layout.paragraph(paragraph)
    path = Path(path)
    write_bytes(path, bytes(layout.pdf.output()))
    return path


# the thirty claims of the results and analysis sections (the first results sentence only points at Table 1)
CLAIM_SENTENCES = [s for block in (*RESULTS, *ANALYSIS) for s in block][1:]
__all__ = ["render_preprint", "preprint_spec", "CLAIM_SENTENCES", "TITLE", "AUTHORS"]
