"""The reasoning parts of issue 20, each on real sentences of DEV-split papers (tests/data/corpus/split.yaml) and
claims from tests/data/verify/corpus/dev: hedged and scaled numbers, counts, the paragraph window, names the
paper never uses, the paper's topic, honest 'inconclusive' verdicts with the best evidence, the trust metrics,
and evidence as the report shows it. No test-split sentence is used here."""

from __future__ import annotations

from synth.core.models import Evidence, PaperMeta, Sentence, Verification
from synth.verify.evidence import SourceCache
from synth.verify.number_checks import compare_numbers
from synth.verify.text_checks import PaperNames, check_entities

# S2ORC (2020.acl-main.447), p. 5
S2ORC = ("Overall, we resolve a total 380.5M citation links between papers, 156.5M of which can be tied back to their "
         "inline citation mentions in the full text.")
# Industry-scale QA (2020.coling-industry.9), p. 6
NQ = "It provides 307,373 training queries, 7,830 development queries, and 7,842 test queries"
# Multi-hop selector network (D19-1011), p. 6 and p. 7
MSN_DATA = "We test MSN on three widely used multi-turn response selection datasets"
MSN_CNN = "We use three convolution layers to extract matching features."


def _status(checks):
    return [(c.claim, c.source, c.status) for c in checks]


def test_scaled_and_hedged_numbers_match_the_papers_figures():
    claim = ("Of the roughly 380 million citation links S2ORC resolves between papers, a little over two-fifths "
             "(about 156 million) can be traced back to an inline mention in full text.")
    checks = {c.claim: c for c in compare_numbers(claim, S2ORC)}
    assert checks["380M"].status == "rounded" and checks["380M"].source == "380.5M"
    assert checks["156M"].status == "rounded" and checks["156M"].source == "156.5M"
    claim = "The NQ source data comprises about 307k training questions plus roughly 7.8k questions each."
    assert _status(compare_numbers(claim, NQ))[:2] == [("307k", "307,373", "rounded"), ("7.8k", "7,830", "rounded")]


def test_a_few_dozen_is_two_to_ten_dozen():
    # 2020.blackboxnlp-1.16 p. 4: SNLI has 38 such pairs, 'only a few dozen' says so; 380 is not a few dozen
    source = "In SNLI, only 38 examples contain negation on both sides of the pair."
    assert _status(compare_numbers("Double negation is almost absent from SNLI, only a few dozen examples.",
                                   source)) == [("dozen", "38", "rounded")]
    assert compare_numbers("only a few dozen examples", "SNLI has 380 such examples.")[0].status != "rounded"


def test_a_decimal_with_a_scale_is_one_number_for_the_digit_check():
    # BPE (P16-1162) p. 4: '2.6 million' is 2.6M, not a stray '2' that the next sentence's 4.2 contradicts
    claim = "The English→Russian training data consists of 2.6 million sentence pairs, about 50 million tokens."
    source = "For English→Russian, the training set consists of 2.6 million sentence pairs, or approximately 50 " \
             "million tokens."
    assert _status(compare_numbers(claim, source)) == [("2.6M", "2.6M", "equal"), ("50M", "50M", "equal")]


def test_a_bound_holds_only_on_its_side():
    source = "only 1,950 relational facts"
    assert compare_numbers("fewer than two thousand relational facts", source)[0].status == "rounded"
    assert compare_numbers("over two thousand relational facts", source)[0].status != "rounded"
    # an unhedged number keeps the strict rounding rule: 380 is not 380.5M
    assert all(c.status != "rounded" for c in compare_numbers("380 citation links", S2ORC))
    # 2020.acl-main.447 p. 6: 'averaged over three runs' is no bound; the paper's 5 runs contradict it
    runs = "All S2ORC-SCIBERT results are the mean ± standard deviation of 5 runs with different random seeds."
    (check,) = compare_numbers("Each number is averaged over three fine-tuning runs with different seeds.", runs)
    assert (check.source, check.status) == ("5", "conflict")


def test_a_count_of_the_same_thing_that_differs_is_a_conflict():
    wrong = compare_numbers("Matching features are extracted by a stack of four convolution layers, each followed "
                            "by max pooling.", MSN_CNN)
    assert wrong[0].status == "conflict" and (wrong[0].claim, wrong[0].source) == ("four", "three")
    wrong = compare_numbers("MSN is evaluated on four public multi-turn response selection corpora.", MSN_DATA)
    assert wrong[0].status == "conflict" and wrong[0].source == "three"
    right = compare_numbers("MSN is evaluated on three multi-turn response selection corpora.", MSN_DATA)
    assert right[0].status != "conflict"


class _Cache(SourceCache):
    """A SourceCache over given real sentences (D19-1011 p. 8 by default) instead of a library's."""

    def __init__(self, texts, section=("5.6 Discussions",)):
        super().__init__(library=None)
        self._s = {i: Sentence(idx=i, page=8, section=list(section), start=100 * i, end=100 * i + len(t), text=t)
                   for i, t in enumerate(texts)}

    def sentences(self, meta):
        return self._s

    def tables(self, meta):
        return []


def test_an_equal_number_of_another_quantity_is_a_conflict_when_the_named_one_differs():
    # P18-1144 p. 6: 0.05 is the decay rate; the learning rate the claim names is 0.015
    source = ("Stochastic gradient descent (SGD) is used for optimization, with an initial learning rate of 0.015 "
              "and a decay rate of 0.05.")
    claim = "The models are optimised with stochastic gradient descent, starting from a learning rate of 0.05"
    assert _status(compare_numbers(claim, source)) == [("0.05", "0.015", "conflict")]
    faithful = "SGD starts from a learning rate of 0.015 and decays it at a rate of 0.05."
    assert _status(compare_numbers(faithful, source)) == [("0.015", "0.015", "equal"), ("0.05", "0.05", "equal")]


def test_a_share_said_in_words_is_checked_against_the_papers_share():
    # 2020.acl-main.447 p. 5 (156.5M of 380.5M is 41%) and p. 7 (the vocabulary is built from 15% of the corpus)
    claim = ("Of the roughly 380 million citation links S2ORC resolves between papers, a little over two-fifths "
             "(about 156 million) can be traced back to an inline mention in full text.")
    checks = {c.claim: c for c in compare_numbers(claim, S2ORC)}
    assert checks["two-fifths"].status == "rounded" and checks["two-fifths"].note == "156.5M of 380.5M is two-fifths"
    vocab = "We construct a cased WordPiece vocabulary of size 31k using 15% of the S2ORC pretraining corpus."
    wrong = compare_numbers("The vocabulary is built from a quarter of the pretraining corpus.", vocab)
    assert _status(wrong) == [("a quarter", "15%", "conflict")]
    right = compare_numbers("The vocabulary is built from under a fifth of the pretraining corpus.", vocab)
    assert _status(right) == [("a fifth", "15%", "rounded")]
    assert all(c.claim != "half" for c in compare_numbers("The margin is half a point.", "The margin is 0.5 points."))
    # a share or a count said in passing that the passage neither gives nor denies is no missing fact of the claim
    from synth.verify.assess import unstated

    checks = compare_numbers("Of the two corpora, about half of the vocabulary comes from 15% of the text.", vocab)
    assert _status(checks) == [("two", None, "unrepeated"), ("half", None, "unrepeated"), ("15%", "15%", "equal")]
    assert unstated(checks) == []


def test_the_digits_of_a_name_are_no_number_of_the_claim():
    # 2020.acl-main.447 p. 5: the sentence does not repeat the corpus' name; its '2' is no missing number
    checks = compare_numbers("S2ORC resolves 380.5M citation links between papers.", S2ORC)
    assert _status(checks) == [("380.5M", "380.5M", "equal")]


def test_the_window_holds_the_next_sentence_of_the_paragraph():
    from synth.verify.assess import Assessor
    from synth.verify.evidence import Passage, score_alignment

    texts = ["We vary the number of hops k from 1 to 5.", "However, the performance does not increase when k > 3.",
             "It is easy to see that when k is too large, the key will contain too many noises and cannot reflect "
             "the intention of the last dialogue session."]
    cache = _Cache(texts)
    meta = PaperMeta(id="local-d19", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    assessor = Assessor(cache, {"found": 0.5, "clause": 0.34})
    from synth.verify.evidence import PreparedClaim

    claim = PreparedClaim.make("Adding hops beyond three brings no further benefit.")
    a = score_alignment(claim, Passage(meta, [cache.sentences(meta)[1]], texts[1]))
    window = assessor.window(a)
    assert window.startswith(texts[0]) and window.endswith(texts[2])


# 2020.tacl-1.36 (dataflow), sentences as parsed
TACL = ["We introduce SMCalFlow, a dataset of 41,517 conversations annotated with dataflow programs.",
        "The dataset was collected via crowdsourcing, and each program was validated by a second annotator.",
        "Table 1 compares SMCalFlow with MultiWOZ 2.1 and other task-oriented dialogue datasets."]


def test_names_the_paper_never_uses_are_found_absent():
    names = PaperNames.read("Task-Oriented Dialogue as Dataflow Synthesis", TACL)
    absent = names.absent("Inter-annotator agreement on SMCalFlow programs, measured with Cohen's kappa, was "
                          "reported at 0.82.")
    assert "Cohen" in absent and "SMCalFlow" not in absent
    assert names.absent("SMCalFlow is larger than MultiWOZ 2.1.") == []


def test_the_papers_topic_is_not_missing_from_a_sentence_about_it():
    # 2020.blackboxnlp-1.15: BERT is in the title and most sentences; a paraphrase naming it is not 'partial'
    sentences = ["Accuracy rates of over 75% are achieved with k = 20."] + [
        f"BERT embeddings of polysemous words, analysis {i}." for i in range(5)]
    names = PaperNames.read("BERT and polysemous words", sentences)
    assert names.is_topic("bert")
    check = check_entities("A linear probe on BERT vectors compressed to just 20 principal components already "
                           "separates a word's senses with better than 75% accuracy.", sentences[0], "", names)
    assert "BERT" not in check.missing


def test_a_name_the_section_mentions_conflicts_with_the_one_set_in_its_place():
    # P18-1161 p. 7: the section compares an MLP and an RNN paragraph selector and adopts the RNN one
    context = "We compare two paragraph selectors: an MLP paragraph selector and an RNN paragraph selector."
    evidence = ("As RNN paragraph selector consistently improves all evaluation metrics, we use it as the default "
                "paragraph selector in the following experiments.")
    check = check_entities("Since the MLP paragraph selector improved every evaluation metric consistently, it was "
                           "adopted as the default selector for the remaining experiments.", evidence, context)
    assert check.conflicts == [("MLP", "RNN")]
    check = check_entities("The RNN paragraph selector, which improved every metric, became the default; the MLP "
                           "selector was also tried.", evidence, context)
    assert check.conflicts == []


def test_inconclusive_verdicts_say_where_to_read_and_carry_no_confidence():
    from synth.verify.claim_verifier import best_evidence, read_where

    first = Evidence(paper="p", version=1, page=7, start=0, end=10, quote="a")
    table = Evidence(paper="p", version=1, page=8, start=0, end=10, quote="row", table="Table 2", row="BERT",
                     column=["SQuAD", "F1"])
    shown = best_evidence([first], [], [table])
    assert [e.page for e in shown] == [7, 8]
    assert read_where(shown) == "p. 7 and Table 2 (p. 8)"


def test_trust_metrics_count_serious_errors_recall_and_abstentions():
    from synth.verify.evaluation import LabelledClaim, trust_metrics

    quote = "We use three convolution layers to extract matching features."
    gold = [LabelledClaim(id="a", paper="x", kind="paraphrase", gold="supported", text="t",
                          evidence=[{"page": 7, "quote": quote}]),
            LabelledClaim(id="b", paper="x", kind="wrong_count", gold="contradicted", text="t",
                          evidence=[{"page": 7, "quote": quote}]),
            LabelledClaim(id="c", paper="x", kind="fabricated", gold="not_found", text="t")]
    hit = Evidence(paper="x", version=1, page=7, quote="Matching. " + quote)
    verdicts = [Verification(label="not_found", confidence=0.9, reason="r"),
                Verification(label="contradicted", confidence=0.8, reason="r", evidence=[hit]),
                Verification(label="inconclusive", confidence=None, reason="r")]
    m = trust_metrics(gold, verdicts)
    assert m["serious"] == 1 and m["recall_at_1"] == 0.5 and m["inconclusive"] == 1
    assert m["confidence_wrong"] == 0.9 and m["confidence_right"] == 0.8
    assert m["coverage"][0] == {"threshold": 0.0, "coverage": 2 / 3, "accuracy": 0.5}


def test_table_evidence_hits_its_gold_row_by_the_row_label_path():
    # P18-1161 Table 7: row '10' under the group 'Our + FULL'; the printed line holds only '10 60.7 71.3 ...'
    from synth.verify.evaluation import LabelledClaim, evidence_hit

    gold = LabelledClaim(id="a", paper="x", kind="table_fact", gold="supported", text="t", evidence=[
        {"page": 8, "table": "Table 7", "row": "Our + FULL 10", "column": ["SearchQA", "F1"]}]).evidence
    shown = Evidence(paper="x", version=1, page=8, quote="10 60.7 71.3 81.2 85.1", table="Table 7",
                     row="Our + FULL / 10", column=["SearchQA", "F1"])
    assert evidence_hit(gold, Verification(label="supported", confidence=0.9, reason="r", evidence=[shown]), 1)
    other = shown.model_copy(update={"row": "R3 / 10"})
    assert not evidence_hit(gold, Verification(label="supported", confidence=0.9, reason="r", evidence=[other]), 1)


def test_below_and_above_a_named_thing_are_directions():
    # P18-1144 p. 7: the word-based baseline is higher than the character-based one; a claim that it scores below
    # is a flipped direction. 'below' / 'above' pointing at the text ('as shown below.') are no direction.
    from synth.verify.structure import check_direction

    source = ("With automatic segmentation, a word-based LSTM CRF baseline gives a 64.12% F1-score, which is higher "
              "compared to the character-based baseline.")
    finding = check_direction("With automatically segmented input, the plain word-level LSTM-CRF scores below the "
                              "plain character-level baseline on OntoNotes development data.", source)
    assert (finding.claim_word, finding.source_word) == ("below", "higher")
    assert check_direction("As shown below, the word-based baseline scores higher.", source) is None
    # P18-1144 p. 8: 'falls short of' against 'outperforms' is a flip; 'ahead of' agrees
    source = ("Consistent with observations on OntoNotes and MSRA, the lattice model significantly outperforms both "
              "the word-based mode and the character-based model for Weibo and resume (p< 0.01).")
    finding = check_direction("On Weibo the lattice model falls short of the character-based model.", source)
    assert (finding.claim_word, finding.source_word) == ("falls short of", "outperforms")
    assert check_direction("On Weibo the lattice model is ahead of the character-based model.", source) is None


def test_the_report_links_evidence_to_its_page_and_names_the_table_cell():
    from synth.report.context import evidence_view

    view = evidence_view(Evidence(paper="local-c8bfce5f0e1e", version=1, page=8, quote="MSN 60.6",
                                  table="Table 5", row="MSNbase", column=["R10@1"]))
    assert view.href == "papers/local-c8bfce5f0e1ev1/paper.pdf#page=8"
    assert view.cell == "Table 5, row ‘MSNbase’, column ‘R10@1’"


def test_the_report_marks_the_words_the_quote_shares_with_the_claim():
    from synth.report.context import evidence_view

    view = evidence_view(Evidence(paper="local-c8bfce5f0e1e", version=1, page=7, quote=MSN_CNN),
                         "Matching features are extracted by a stack of four convolution layers.")
    marked = [text for text, hit in view.marked if hit]
    assert marked == ["convolution", "layers", "extract", "matching", "features"]
    assert "".join(text for text, _ in view.marked) == MSN_CNN


def test_conflict_over_absence_reads_the_value_one_sentence_away():
    """A wrong figure whose right value sits in the next sentence of the paragraph is contradicted, not missing;
    the same figure at another scale, or a number of another size, is no rival value."""
    from synth.verify.assess import Assessor, _same_kind
    from synth.verify.evidence import Passage, PreparedClaim, score_alignment

    texts = ["S2ORC links papers through their bibliographies and inline citations.", S2ORC]
    cache = _Cache(texts, section=("3 The S2ORC dataset",))
    meta = PaperMeta(id="local-447", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    assessor = Assessor(cache, {"found": 0.55, "inconclusive": 0.4, "clause": 0.34})
    claim = PreparedClaim.make("S2ORC links papers: overall it resolves a total 400.5M citation links between papers.")
    a = score_alignment(claim, Passage(meta, [cache.sentences(meta)[0]], texts[0]))
    a.claim = claim
    found = assessor._conflict_nearby(claim, a, [], 0.5)
    assert found is not None and (found[0].claim, found[0].source) == ("400.5M", "380.5M")
    assert not _same_kind("43k", "43")  # '43 thousand' printed as 43k
    assert not _same_kind("37.66", "72.26")  # another measure, not a misremembered value
    assert _same_kind("390.5M", "380.5M")


def test_a_number_the_paper_gives_in_a_sentence_about_the_claim_is_no_conflict():
    """2020.acl-main.447 p. 2: the passage says 81.1M papers, the next sentence 8.1M full texts. A claim about full
    text for 8.1M papers is no conflict with 81.1M; a claim giving 8.1M as the whole corpus is."""
    from synth.verify.assess import Assessor
    from synth.verify.evidence import Passage, PreparedClaim, score_alignment

    texts = ["To address these issues, we introduce S2ORC, the Semantic Scholar Open Research Corpus, a large "
             "publicly-available collection of 81.1M academic papers covering dozens of academic disciplines.",
             "Notably, we release structured, machine-readable full text extracted from PDFs for 8.1M papers which "
             "we’ve identified as having open access status."]
    cache = _Cache(texts, section=("1 Introduction",))
    meta = PaperMeta(id="local-447", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    assessor = Assessor(cache, {"found": 0.55, "inconclusive": 0.4, "clause": 0.34})
    passage = Passage(meta, [cache.sentences(meta)[0]], texts[0])
    claim = "S2ORC releases machine-readable full text extracted from PDFs for 8.1M open access papers."
    where = assessor._stated_elsewhere(claim, "8.1M", score_alignment(PreparedClaim.make(claim), passage))
    assert where is not None and where.startswith("p. 8: 'Notably, we release structured")
    claim = "The S2ORC corpus is a collection of 8.1M academic papers covering dozens of disciplines."
    assert assessor._stated_elsewhere(claim, "8.1M", score_alignment(PreparedClaim.make(claim), passage)) is None


def test_a_compound_is_no_count():
    # P16-1200: 'the two-sentence test setting' counts no sentences
    checks = compare_numbers("In the two-sentence test setting both variants land at 66.9.",
                             "we randomly select one, two and all sentences, three settings in total, 66.9")
    assert all(c.status != "conflict" for c in checks)


def test_a_share_of_two_counts_is_a_computed_value():
    # 2020.blackboxnlp-1.16 (MoNLI): 1,202 of the 2,678 examples are negated: 'about 45%' is their share
    source = "NMoNLI contains 1,202 examples and PMoNLI 1,476, 2,678 in all."
    checks = {c.claim: c for c in compare_numbers("Just under half of MoNLI's examples (45%) are negated.", source)}
    assert checks["45%"].status == "converted" and checks["45%"].note == "45% = 1,202 of 2,678"
    assert checks["half"].status == "rounded" and checks["half"].note == "1,202 of 2,678 is half"


def test_the_quote_comes_with_its_paragraph():
    from synth.verify.assess import Assessor
    from synth.verify.evidence import Passage, PreparedClaim, score_alignment
    from synth.report.context import evidence_view

    texts = ["We vary the number of hops k from 1 to 5.", "However, the performance does not increase when k > 3.",
             "It is easy to see that when k is too large, the key will contain too many noises."]
    cache = _Cache(texts)
    meta = PaperMeta(id="local-d19", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    a = score_alignment(PreparedClaim.make("More than three hops do not help."),
                        Passage(meta, [cache.sentences(meta)[1]], texts[1]))
    before, after = Assessor(cache, {"found": 0.5}).around(a)
    assert (before, after) == (texts[0], texts[2])
    view = evidence_view(Evidence(paper="local-d19", version=1, page=8, quote=texts[1], before=before, after=after))
    assert (view.before, view.after) == (texts[0], texts[2])


def test_another_name_in_the_same_place_contradicts_a_claim_no_passage_states():
    """D19-1011, p. 1: the error case is one of SMN and DAM; a claim giving it to ESIM, which the paragraph never
    names, is contradicted rather than left undecided; the paper's own wording is not."""
    from synth.verify.assess import Assessor
    from synth.verify.evidence import Passage, PreparedClaim, score_alignment

    texts = ["Existing matching models make mistakes that are easy for people to spot.",
             "To illustrate the problem, we show an error case of SMN (Wu et al., 2017) and DAM (Zhou et al., 2018c) "
             "from E-commerce Corpus in Table 1."]
    cache = _Cache(texts, section=("1 Introduction",))
    meta = PaperMeta(id="local-d19", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00", title="Multi-hop Selector Network")
    assessor = Assessor(cache, {"found": 0.55, "inconclusive": 0.4, "clause": 0.34})
    claim = PreparedClaim.make("To illustrate the problem, the authors show an error case of ESIM in Table 1.")
    a = score_alignment(claim, Passage(meta, [cache.sentences(meta)[1]], texts[1]))
    assert assessor._swapped_nearby(claim, a, meta) == "source says SMN, claim says ESIM"
    same = PreparedClaim.make("To illustrate the problem, the authors show an error case of SMN in Table 1.")
    assert assessor._swapped_nearby(same, a, meta) is None


def test_a_claim_without_final_punctuation_is_read_as_cut_off():
    """A review states its claims in sentences: one that stops without a full stop was cut (every such dev claim
    is a truncated one), whatever its last word is."""
    from synth.verify.evidence import PreparedClaim

    assert PreparedClaim.make("BPE-J90k yields an improvement of 1.8 BLEU").cut
    assert PreparedClaim.make("keeping only words seen more than 100 times and merging the tokens of multi-word").cut
    assert not PreparedClaim.make("BPE-J90k yields an improvement of 1.3 BLEU.").cut
    assert not PreparedClaim.make("BPE-J90k yields an improvement of 1.3 BLEU (Table 2)").cut


def test_a_cut_off_paraphrase_is_checked_at_the_lower_bar():
    """D19-1011, p. 8: a reworded claim cut off mid-word overlaps its sentence less than a whole one would; it is
    checked (supported here) rather than left undecided."""
    from synth.verify.assess import Assessor, relatedness
    from synth.verify.evidence import Passage, PreparedClaim, score_alignment

    texts = ["However, the performance does not increase when k > 3.",
             "It is easy to see that when k is too large, the key will contain too many noises and cannot reflect "
             "the intention of the last dialogue session."]
    cache = _Cache(texts)
    meta = PaperMeta(id="local-d19", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    th = {"found": 0.55, "inconclusive": 0.4, "clause": 0.34, "partial_coverage": 0.4, "clause_found": 0.8,
          "clause_dense": 0.6}
    cut = PreparedClaim.make("With too many hops the pooled key gets noisy and stops capturing the intention of the "
                             "last dialogue sess…")
    a = score_alignment(cut, Passage(meta, [cache.sentences(meta)[1]], texts[1]))
    a.claim = cut
    assert cut.cut and 0.4 <= relatedness(a) < 0.55
    assert Assessor(cache, th).assess(cut, meta, a, []).label == "supported"


def _corpus_tables(paper: str, page: int):
    import pytest

    from synth.papers.parse.table_reader import read_pdf_tables
    from tests.conftest import SHARED

    pdf = SHARED / "corpus" / paper
    if not pdf.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    return read_pdf_tables(pdf, [page])


def test_a_metric_the_claim_names_picks_its_column():
    """A value the row holds under another metric is no support: D19-1011 Table 4 gives MSN 63.2 as Douban MRR,
    and MAP is 58.7; P18-1144 Table 6 gives Lattice 92.79 as recall, and precision ('P') is 93.57."""
    from synth.verify.table_checks import table_support

    meta = PaperMeta(id="local-d19", version=1, source="local", sha256="", size_bytes=0, fetched_at="2026-12-07")
    verdict = table_support("On Douban, MSN attains a MAP of 63.2, ahead of every baseline.",
                            _corpus_tables("D19-1011.pdf", 7), meta)
    assert verdict.label == "contradicted" and "source says 58.7, claim says 63.2" in verdict.reason
    assert "MSN, Douban Corpus / MAP" in verdict.reason
    meta = PaperMeta(id="local-p18", version=1, source="local", sha256="", size_bytes=0, fetched_at="2026-12-07")
    verdict = table_support("On MSRA the lattice model's precision is 92.79.", _corpus_tables("P18-1144.pdf", 8), meta)
    assert verdict.label == "contradicted" and "source says 93.57" in verdict.reason and "(Lattice, P)" in verdict.reason
    verdict = table_support("On MSRA the lattice model's recall is 92.79.", _corpus_tables("P18-1144.pdf", 8), meta)
    assert verdict.label == "supported"


def test_the_value_a_row_is_compared_with_is_a_cell_of_another_row_in_its_column():
    """P18-1144 Table 8 (resume NER): Lattice 94.46 F1 and '+bichar+softword' 94.41 F1. A claim naming only the
    lattice model and comparing it with 94.41 is supported by both cells; a compared value no row gives is not."""
    from synth.verify.table_checks import table_support

    meta = PaperMeta(id="local-p18", version=1, source="local", sha256="", size_bytes=0, fetched_at="2026-12-07")
    tables = _corpus_tables("P18-1144.pdf", 8)
    verdict = table_support("On resume NER the lattice model's margin over the best character-based configuration "
                            "is negligible, 94.46 versus 94.41 F1.", tables, meta)
    assert verdict.label == "supported"
    assert "94.46 (Lattice, F1)" in verdict.reason and "94.41 (+bichar+softword, F1)" in verdict.reason
    quote = verdict.evidence.quote  # both rows as printed, with the table's provenance
    assert verdict.evidence.table == "Table 8" and "94.46" in quote and "94.41" in quote
    verdict = table_support("On resume NER the lattice model reaches 94.46 versus 91.37 F1 for the character "
                            "baseline.", tables, meta)
    assert verdict is None or verdict.label != "supported"


def test_a_value_followed_by_a_comparison_after_a_comma_is_the_value_itself():
    from synth.core.numbers import extract_numbers
    from synth.verify.number_checks import said_as_change

    text = "On Douban, MSN attains a MAP of 63.2, ahead of every baseline."
    assert not said_as_change(extract_numbers(text)[0], text)
    text = "MSN is 5.1 ahead of the best baseline."
    assert said_as_change(extract_numbers(text)[0], text)


# 2020.acl-main.447 (S2ORC), p. 4, sentences 99-103 as parsed
S2ORC_FILTERS = [
    "All filters are applied in series.",
    "Subsequently, 95.5M paper clusters are filtered out based on the aforementioned criteria and removed from the "
    "corpus.",
    "The distribution of filtered papers is given in Table 2.",
    "We note that a large number of paper clusters are filtered out; 80.0M of these filtered clusters have no "
    "associated publisher-provided abstract or associated PDF and do not provide significant value to our dataset in "
    "their current state.",
    "Although these papers that lack text may be useful as cite-able nodes in S2ORC, they are generally of lower "
    "quality and are filtered out of the corpus to improve corpus quality.",
]


def test_a_claims_second_number_two_sentences_on_is_found_there():
    """A claim that joins figures of one paragraph: the number two sentences from the passage (outside the +-1
    window) is found there, with its page; a number nowhere near stays missing."""
    from synth.verify.assess import Assessor
    from synth.verify.evidence import Passage, PreparedClaim, score_alignment

    cache = _Cache(S2ORC_FILTERS, section=("2 Constructing the corpus", "2.5 Filtering paper clusters"))
    meta = PaperMeta(id="local-447", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    assessor = Assessor(cache, {"found": 0.55, "clause": 0.34})
    def checked(text: str) -> dict:
        claim = PreparedClaim.make(text)
        a = score_alignment(claim, Passage(meta, [cache.sentences(meta)[3]], S2ORC_FILTERS[3]))
        numbers = compare_numbers(text, S2ORC_FILTERS[3])
        assessor._numbers_elsewhere(text, claim, a, [], numbers)
        return {n.claim: n for n in numbers}

    right = checked("Filtering is aggressive: some 95.5 million paper clusters are discarded, and around 80 million "
                    "of those are removed because they have neither a publisher abstract nor a PDF.")
    assert right["95.5M"].status == "equal" and "(p. 8: 'Subsequently, 95.5M" in right["95.5M"].note
    assert right["80M"].status == "equal" and right["80M"].source == "80.0M"
    wrong = checked("Some 97.5 million paper clusters are discarded, and around 80 million of those are removed "
                    "because they have neither a publisher abstract nor a PDF.")
    assert wrong["97.5M"].status == "missing"


def test_the_metric_f1_is_no_number_the_source_must_repeat():
    """P18-1144 p. 7 says 'the best development result' where a claim says 'the best F1'; a model name with a
    digit still must match ('GPT-3' against 'GPT-2')."""
    source = ("As can be seen from the figure, lattice word information is useful for improving character-based NER, "
              "improving the best development result from 62.5% to 71.6%.")
    claim = "Lattice word information raises the best F1 from about 62.5% to about 71.6%."
    assert _status(compare_numbers(claim, source)) == [("62.5%", "62.5%", "equal"), ("71.6%", "71.6%", "equal")]
    assert ("3", "2", "conflict") in _status(compare_numbers("GPT-3 " + claim, "GPT-2 " + source))


def test_a_row_the_table_abbreviates_is_named_by_its_spelled_out_words():
    """2020.coling-industry.9 Table 2 abbreviates its augmentation rows ('BERTW + SOS'); a claim spells the method
    out ('sentence-order shuffling')."""
    from synth.verify.table_checks import _row_named, initialisms

    claim = "Of the augmentation strategies compared, sentence-order shuffling gives the weakest short-answer F1, 55.8."
    keys = initialisms(claim)
    assert "sos" in keys and _row_named("BERTW + SOS", keys, set()) == 2
    assert _row_named("BERTW + AD", keys, set()) == 0  # another strategy's row is not named


def test_evidence_puts_the_table_row_with_the_claims_numbers_second():
    """A claim whose figures a table holds: after the deciding passage, that row comes before the next-best
    sentences (2020.coling-industry.9's Table 2 row 'BERTW + SOS' for a claim giving 55.8)."""
    from synth.verify.claim_verifier import best_evidence

    passage = Evidence(paper="local-c9", version=1, page=7, start=10, end=50, quote="We compare augmentations.",
                       score=0.5)
    row = Evidence(paper="local-c9", version=1, page=8, start=500, end=540, quote="BERTW + SOS 55.8 66.7",
                   score=1.0, table="Table 2", row="BERTW + SOS", column=["Short Answer F1"])
    other = Evidence(paper="local-c9", version=1, page=6, start=90, end=120, quote="Another sentence.", score=0.4)

    class _Candidate:  # an Alignment's evidence, as best_evidence reads it
        def __init__(self, e):
            self.align, self.passage = e.score, type("P", (), {"evidence": lambda _self, _score: e})()

    shown = best_evidence([passage], [_Candidate(other)], [row])
    assert [e.quote for e in shown] == [passage.quote, row.quote, other.quote]


def test_rows_the_claim_names_are_found_in_a_table_about_it():
    """A claim with a misread value names its row: 'Table 5' of D19-1011 (ablation) as the reader gives it."""
    from synth.core.models import TableBlock, TableCell
    from synth.verify.table_checks import rows_named

    cells = [TableCell(row=r, column=["R10@1"], value=v, values=[v], text=f"{v}")
             for r, v in (("MSNbase", 0.606), ("w/o Word Selector", 0.588), ("w/o Utterance Selector", 0.591))]
    table = TableBlock(label="Table 5", caption="Ablation study on E-commerce corpus.", page=8, start=0, end=10,
                       raw="R10@1\\nMSNbase 0.606\\nw/o Word Selector 0.588\\nw/o Utterance Selector 0.591",
                       header=["", "R10@1"], cells=cells)
    meta = PaperMeta(id="local-d19", version=1, source="local", sha256="", size_bytes=0,
                     fetched_at="2026-12-07T00:00:00+00:00")
    shown = rows_named([table], "Dropping just the word-level selector brings E-commerce R10@1 down to 58.6.", meta)
    assert [e.row for e in shown] == ["w/o Word Selector"] and shown[0].table == "Table 5"
    assert rows_named([table], "BLEU improves on WMT.", meta) == []


def test_a_thousands_comma_the_pdf_text_spaced_is_one_number():
    """P18-1161 p. 5 as parsed: '43, 000 open-domain trivia question'; a list of numbers stays a list."""
    quasar = ("Quasar-T (Dhingra et al., 2017b) consists of 43, 000 open-domain trivia question, whose answers can be "
              "extracted from the retrieved paragraphs.")
    assert _status(compare_numbers("Quasar-T comprises about 43 thousand trivia questions.", quasar)) == [
        ("43k", "43,000", "equal")]
    assert _status(compare_numbers("We try 5 and 100 sentences.", "We try 5, 100 and 200 sentences.")) == [
        ("5", "5", "equal"), ("100", "100", "equal")]


def test_a_share_in_percent_finds_the_cell_printed_as_a_fraction():
    """2020.acl-main.447 Table 6 prints accuracies as fractions (Paper clustering: Title 0.93, Authors 0.89): a
    claim giving them in percent is held by that row, and the row is what a reader is shown."""
    from synth.core.numbers import extract_numbers
    from synth.verify.table_checks import cells_with_numbers, table_support

    meta = PaperMeta(id="local-s2orc", version=1, source="local", sha256="", size_bytes=0, fetched_at="2026-12-07")
    tables = _corpus_tables("2020.acl-main.447.pdf", 6)
    claim = "For paper clustering the canonical titles were right 93% of the time and the authors 89%."
    (row,) = cells_with_numbers(tables, extract_numbers(claim), meta, limit=1)
    assert row.table == "Table 6" and row.row == "Paper clustering"
    verdict = table_support(claim, tables, meta)
    assert verdict.label == "supported" and "0.93 (Paper clustering, Title)" in verdict.reason
    wrong = table_support("For paper clustering the canonical titles were right 96% of the time.", tables, meta)
    assert wrong.label == "contradicted" and "source says 0.93" in wrong.reason


def test_a_comparison_of_two_table_rows_is_checked_in_the_column_the_claim_names():
    """2020.acl-main.54 Table 1: greedy decoding 78.6 success rate, top-p 75.4, top-k 74.8, the baseline 62.0 (and
    7.40 turns against 8.18, where fewer is better)."""
    from synth.verify.table_checks import row_comparison

    tables = _corpus_tables("2020.acl-main.54.pdf", 6)
    flipped = row_comparison("In the simulator-based evaluation, greedy decoding produced a lower success rate "
                             "than either top-p or top-k sampling.", tables)
    assert flipped.startswith("Table 1 gives the opposite of 'lower'") and "Ours + top-k (k=30) 74.8" in flipped
    assert row_comparison("Greedy decoding reaches a higher success rate than top-p or top-k sampling.", tables) is None
    assert "Baseline 62 against Ours + greedy 78.6" in row_comparison("The baseline outperforms greedy decoding in "
                                                                      "success rate.", tables)
    assert row_comparison("Greedy decoding needs fewer turns than the baseline.", tables) is None
    short = row_comparison("Greedy decoding falls short of the baseline in success rate.", tables)
    assert short.startswith("Table 1 gives the opposite of 'falls short of'") and "Baseline 62" in short
    assert row_comparison("Greedy decoding is ahead of the baseline in success rate.", tables) is None
    assert row_comparison("Greedy decoding is not better than the baseline in success rate.", tables) is None


def test_a_count_spelled_out_as_a_list_against_the_papers_list():
    """2020.acl-main.54 p. 5 lists three embeddings; a claim that counts four (and lists one the paper does not
    have) conflicts with it, and a claim with the paper's three does not."""
    source = "The input embedding comprises of the token embedding, the speaker embedding, and the positional embedding."
    claim = "Each input token is represented as the sum of four embeddings: token, speaker, segment and position."
    (four,) = [c for c in compare_numbers(claim, source) if c.claim == "four"]
    assert four.status == "conflict" and four.source == "3"
    assert "token embedding, the speaker embedding, the positional embedding" in four.note
    right = "Each input token is the sum of three embeddings: token, speaker and position."
    assert all(c.status != "conflict" for c in compare_numbers(right, source))
    # a count with no list of its own says nothing about the paper's list
    assert all(c.status != "conflict" for c in compare_numbers("We average three runs.", source))


def test_a_column_the_claim_names_in_full_holds_its_number_not_a_neighbour():
    """2020.acl-main.447 Table 5 (p. 6): JNLPBA is 77.28 for SciBERT and 77.70 for S2ORC-SciBERT; 2020.tacl-1.36
    Table 2 (p. 11): the full dataflow model is .729 on dev and .665 on test."""
    from synth.verify.table_checks import table_support

    meta = PaperMeta(id="local-s2orc", version=1, source="local", sha256="", size_bytes=0, fetched_at="2026-12-08")
    tables = _corpus_tables("2020.acl-main.447.pdf", 6)
    wrong = table_support("On JNLPBA named entity recognition, S2ORC-SciBERT reaches 77.28 F1.", tables, meta)
    assert wrong.label == "contradicted" and "source says 77.70 ± 0.25, claim says 77.28" in wrong.reason
    right = table_support("On JNLPBA named entity recognition, S2ORC-SciBERT reaches 77.70 F1.", tables, meta)
    assert right.label == "supported"
    meta = PaperMeta(id="local-tacl", version=1, source="local", sha256="", size_bytes=0, fetched_at="2026-12-08")
    tables = _corpus_tables("2020.tacl-1.36.pdf", 11)
    wrong = table_support("On the full SMCalFlow test set, the dataflow model reaches 72.9% exact-match accuracy.",
                          tables, meta)
    assert wrong.label == "contradicted" and "(Dataflow, Full / test)" in wrong.reason
    right = table_support("On the full SMCalFlow development set, the dataflow model reaches 72.9% exact-match "
                          "accuracy.", tables, meta)
    assert right.label == "supported"


def test_a_share_as_one_in_so_many_and_a_round_number_hedge():
    """W17-2613 p. 4: the threshold is 0.001, 'one in a thousand'; S2ORC p. 5: 90.4% is 'nine in ten'; LongEval
    p. 16: MTurkers scored 62%, 'about 60%' (a round number rounds at its last non-zero digit), not 'about 70%'."""
    threshold = "a sense participates in a update only if its probability exceeds a threshold (= 0.001)."
    assert _status(compare_numbers("A sense is updated only if its probability is larger than one in a thousand.",
                                   threshold)) == [("one in a thousand", "0.001", "rounded")]
    assert compare_numbers("A sense is updated only if its probability is above one in a hundred.",
                           threshold)[0].status != "rounded"
    coverage = "Our publisher-provided abstract coverage is 90.4%, or 73.4M papers."
    assert _status(compare_numbers("Abstracts are available for around nine in ten papers.", coverage)) == [
        ("nine in ten", "90.4%", "rounded")]
    mturk = "MTurkers scored just 62% (binary classification) with a three-annotator Fleiss κ of 0.15."
    assert _status(compare_numbers("Crowd workers reached only about 60% accuracy.", mturk))[0] == (
        "60%", "62%", "rounded")
    assert compare_numbers("Crowd workers reached only about 70% accuracy.", mturk)[0].status == "conflict"


def test_the_papers_value_for_the_same_quantity_anywhere_in_it():
    """Conflict over absence, paper-wide: P16-1162 p. 5 ensembles 'all 8 models' and p. 5 lists its beam size;
    a claim of six models conflicts with the one value the paper gives the quantity, wherever the sentence is; a
    quantity the paper gives two values (or the claim's own) settles nothing."""
    from synth.core.numbers import extract_numbers
    from synth.verify.number_checks import paper_value, quantity_index

    sentences = {0: "We report results of the system that performed best on our development set (newstest2013), "
                    "and of an ensemble of all 8 models.",
                 1: "We use a beam size of 12 for beam search, with probabilities normalized by sentence length."}
    index = quantity_index(sentences, {i: extract_numbers(t) for i, t in sentences.items()})
    claim = "The reported ensembles combine six models drawn from the two independent training runs."
    (six,) = [n for n in extract_numbers(claim) if n.text == "six"]
    source, idx = paper_value(claim, six, index)
    assert (source.text, idx) == ("8", 0)
    claim = "Decoding uses a beam size of 5 with length-normalised probabilities."
    source, idx = paper_value(claim, extract_numbers(claim)[0], index)
    assert (source.text, idx) == ("12", 1)
    assert paper_value("an ensemble of 8 models", extract_numbers("an ensemble of 8 models")[0], index) is None
    # 'only around 2 million': hedges and scales name no quantity
    assert paper_value("adds only around 2 million weights", extract_numbers("adds only around 2 million weights")[0],
                       quantity_index({0: "with 4 million examples"}, {0: extract_numbers("with 4 million examples")})
                       ) is None
