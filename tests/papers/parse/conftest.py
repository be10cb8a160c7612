"""PDFs the parse tests generate once per session (fpdf2 via synth.demo.pdfgen)."""

from __future__ import annotations

import pytest

from synth.demo.pdfgen import PaperSpec, SectionSpec, TableSpec, render_pdf

from synth.demo.papers import stilts_study_spec

STILTS_NUMBERS = {
    "baseline": {"en": 80.1, "de": 71.2, "sw": 60.3, "ur": 58.4},
    "MNLI": {"en": 82.0, "de": 74.0, "sw": 64.1, "ur": 61.0},
    "SQuAD": {"en": 79.0, "de": 70.0, "sw": 61.0, "ur": 57.9},
}

# Long words with their real hyphens: when the layout wraps them we learn whether the parser keeps
# "zero-shot" but joins "representation".
HYPHEN_PARAGRAPH = (
    "Zero-shot cross-lingual transfer with XLM-R and STILTs-style intermediate-task training evaluates "
    "multilingual representations; the generalization of task-specific classifiers to low-resource languages "
    "remains underexplored. Our experiments demonstrate that intermediate-task training improves "
    "zero-shot performance on cross-lingual benchmarks, e.g. on question answering, while the "
    "representation quality of well-trained encoders stays comparable (Conneau et al., 2020). "
)


def hyphen_spec(two_columns: bool = True) -> PaperSpec:
    """Several sections of text that wraps often, a table, references and an appendix."""
    paragraphs = [HYPHEN_PARAGRAPH * 2, "Fig. 2 shows the effect. " + HYPHEN_PARAGRAPH]
    return PaperSpec(
        title="Hyphenation and Ligature Stress Test for the Synth Parser",
        authors=["Test Author", "Other Author"],
        abstract="We describe a benchmark of efficient parsing. The fine-grained results are reported in "
                 "Table 1 and differ by 2.5 points on average.",
        sections=[
            SectionSpec("1", "Introduction", paragraphs),
            SectionSpec("2", "Experimental Setup", paragraphs),
            SectionSpec("2.1", "Intermediate Tasks", paragraphs, [TableSpec(
                "Table 1", "Accuracy per language.", ["Model", "en", "de", "fr"],
                [["Baseline", 80.0, 70.5, 71.25], ["STILTs", 82.5, 73.0, 74.0]])]),
            SectionSpec("3", "Results", paragraphs * 2),
            SectionSpec("4", "Conclusion", ["Intermediate-task training is worth trying first."]),
        ],
        references=[
            "Alexis Conneau and Guillaume Lample. 2019. Cross-lingual language model pretraining. In "
            "Advances in Neural Information Processing Systems, pages 7057-7067.",
            "Jason Phang, Thibault Févry, and Samuel R. Bowman. 2018. Sentence encoders on STILTs: "
            "Supplementary training on intermediate labeled-data tasks. arXiv preprint arXiv:1811.01088.",
        ],
        appendix=[SectionSpec("A", "Hyperparameters", ["We use a learning rate of 0.00001 for all runs."])],
        two_columns=two_columns,
        running_header="Synth Parser Test Suite",
        first_page_number=17,
    )


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("parse-pdfs")


@pytest.fixture(scope="session")
def stilts_pdf(gen_dir):
    return render_pdf(stilts_study_spec(STILTS_NUMBERS), gen_dir / "stilts.pdf")


@pytest.fixture(scope="session")
def hyphen_pdf(gen_dir):
    return render_pdf(hyphen_spec(), gen_dir / "hyphen.pdf")


@pytest.fixture(scope="session")
def parsed_stilts(stilts_pdf):
    from synth.papers.parse import parse_pdf

    return parse_pdf(stilts_pdf)


@pytest.fixture(scope="session")
def parsed_hyphen(hyphen_pdf):
    from synth.papers.parse import parse_pdf

    return parse_pdf(hyphen_pdf)
