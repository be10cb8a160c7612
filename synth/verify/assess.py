"""A claim against one paper version's best passage: is it there at all, and if so do its numbers, names,
directions and comparisons agree, and is all of it there? → supported / partially_supported / contradicted /
not_found, with a reason that names both sides of every disagreement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from synth.core.models import Evidence, NumberCheck, PaperMeta
from synth.core.numbers import extract_numbers
from synth.verify.evidence import (Alignment, PreparedClaim, SourceCache, content_words, normalise, score_alignment,
                                   stem)
from synth.verify.number_checks import compare_numbers, paper_value, quantity_index, said_as_change
from synth.verify.search import dense_norm, distinctive_numbers
from synth.core.numbers import within_rounding
from synth.verify.structure import (check_but_not, check_direction, check_former_latter, check_negation,
                                    check_sides)
from synth.verify.table_checks import check_tables, row_comparison, table_support
from synth.verify.text_checks import (EntityCheck, PaperNames, check_entities, check_ownership, clause_span,
                                       entity_key, mentions, names_in, owners_differ)

OK_NUMBER = ("equal", "rounded", "converted", "table")


UNMATCHED = ("missing", "unrepeated")  # numbers the passage does not give: looked for nearby and in tables


def unstated(numbers: list[NumberCheck]) -> list[NumberCheck]:
    """The claim's numbers the source does not give (counts and shares said in passing, 'unrepeated', are no fact
    of the claim's own)."""
    return [n for n in numbers if n.status == "missing"]


DEFAULT_THRESHOLDS = {"found": 0.55, "partial_coverage": 0.4, "clause": 0.34, "clause_found": 0.8,
                      "clause_dense": 0.6, "inconclusive": 0.3}
NEARBY_REACH = 4  # sentences either side of a passage where a claim's other facts may sit
NEARBY_CANDIDATES = 4  # next best candidate passages searched for a claim's other facts
_CLAUSE_BREAK = re.compile(r";|,\s*(?:and|while|but|whereas|which|although|even though|regardless)\b|\band (?=(?:the|each|its|their|"
                           r"this|these|it|to|also|additionally|further|then|was|were|is|are|has|have|had)\b)"
                           r"|,\s*(?=[a-z]+ (?:was|were|is|are)\b)")


@dataclass
class Assessment:
    """The checks of a claim against one paper version's best passage."""

    meta: PaperMeta
    label: str
    reason: str
    alignment: Alignment | None = None
    numbers: list[NumberCheck] = field(default_factory=list)
    entities: EntityCheck = field(default_factory=EntityCheck)
    table_note: str | None = None
    nli: float = 0.0
    table_evidence: Evidence | None = None  # when only a table states the claim
    related: float = 0.0  # how surely the passage is about the claim (0..1)
    findings: list[str] = field(default_factory=list)  # direction / negation / comparison disagreements
    unsupported: str | None = None  # a clause of the claim the passage does not state

    @property
    def evidence(self) -> Evidence | None:
        if self.table_evidence is not None:
            return self.table_evidence
        return self.alignment.passage.evidence(self.alignment.align) if self.alignment else None

    @property
    def strength(self) -> tuple[int, float]:
        order = {"supported": 3, "partially_supported": 2, "contradicted": 1, "inconclusive": 0, "not_found": 0}
        return order.get(self.label, 0), self.alignment.rank if self.alignment else 0.0


def relatedness(a: Alignment) -> float:
    """How surely a passage is about the claim, numbers aside: lexical overlap, and meaning when the claim was
    searched with embeddings; a passage holding all the claim's distinctive numbers counts a little more."""
    lexical = a.found_score
    if a.truncated:
        lexical = max(lexical, a.prefix)
    score = 0.5 * lexical + 0.5 * dense_norm(a.dense) if a.dense > 0 else lexical
    if a.anchors > 0:  # a passage holding the claim's specific numbers (right or wrong ones nearby)
        score += 0.1
    if a.anchors >= 1.0 and len(distinctive_numbers_of(a)) >= 2:  # all of two or more: hardly by chance
        score += 0.1
    return min(1.0, score)


def distinctive_numbers_of(a: Alignment) -> list:
    return distinctive_numbers(a.claim) if a.claim is not None else []


def where(meta: PaperMeta, a: Alignment) -> str:
    s = a.passage.first
    section = f", {s.section[-1]}" if s.section else ""
    return f"{meta.key} p. {s.page}{section}"


def complete_text(claim: PreparedClaim) -> str:
    """A cut-off claim without its last, partial word ('... MN' → '...'); a number it ends in is kept (it is
    checked as a possible prefix of the source's number)."""
    if not claim.cut:
        return claim.text
    head, _, last = claim.text.rstrip().rpartition(" ")
    if re.fullmatch(r"[\d.,%]+", last) or not head:
        return claim.text
    return head


def clauses(text: str) -> list[str]:
    """The claim cut at clause breaks ('X, and Y', 'X; Y', 'X, which Y')."""
    parts = [p.strip(" ,.") for p in _CLAUSE_BREAK.split(text)]
    return [p for p in parts if p]


def _logo_gap(passage: str) -> bool:
    """The passage shows where a logo stood: '[icon]', or 'and' with nothing before it ('Finally, and RoB')."""
    return "[icon]" in passage or re.search(r"(?:^|[,;(:]\s*|\b(?:by|while|and|that|with)\s+)and\b",
                                            passage) is not None


def _may_be_logo(name: str, passage: str) -> bool:
    """A model name missing from a passage may be a logo the PDF's text layer lost ('Finally, [logo] and RoB
    fail ...'): models only, and only where the passage has a gap."""
    return next(iter(names_in(name).values()), "name") == "models" and _logo_gap(passage)


def _names_missing_near(text: str, number: str, missing: list[str]) -> bool:
    """A name the source lacks stands in the same clause as the number ('Cosmos QA and CommonsenseQA differ
    by 29.04 points' against a sentence without CommonsenseQA): the source's number cannot be about it."""
    at = text.find(number)
    if at < 0 or not missing:
        return False
    start, end = clause_span(text, at)
    # not a model: papers often print a model as a logo the text layer loses ('Finally, [BERT logo] and RoB')
    return any(start <= text.find(m) < end for m in missing if text.find(m) >= 0
               and next(iter(names_in(m).values()), "name") != "models")


def _named_in(name: str, text: str) -> bool:
    """`name` (as written, or its canonical gazetteer name: English → en) appears in `text` as a word."""
    low = text.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(n.lower())}(?![\w-])", low) for n in {name, *names_in(name)})


def _same_kind(claim_number: str, source_number: str) -> bool:
    """Two numbers that can be rival values of one quantity: both written in digits or both in words, close in
    size (within 1.5x: a misremembered value, not another measure), and not the same figure at another scale
    (43k vs the '43' of '43 thousand')."""
    from synth.verify.number_checks import _comparable

    c, s = extract_numbers(claim_number), extract_numbers(source_number)
    if len(c) != 1 or len(s) != 1 or not _comparable(c[0], s[0]):
        return False
    ratio = max(abs(c[0].value), abs(s[0].value)) / max(1e-9, min(abs(c[0].value), abs(s[0].value)))
    return ratio <= 1.5


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(normalise(text))}


class Assessor:
    """Labels a claim against one paper version's passage; `names` gives each paper's abbreviations."""

    def __init__(self, cache: SourceCache, thresholds: dict[str, float], dense=None, nli=None):
        self.cache = cache
        self.thresholds = thresholds
        self.dense = dense if dense is not None and dense.enabled else None
        self.nli = nli
        self._names: dict[str, PaperNames] = {}
        self._quantities: dict[str, dict] = {}  # per paper version: its numbers by the names that bind them

    def names(self, meta: PaperMeta) -> PaperNames:
        if meta.key not in self._names:
            sents = self.cache.sentences(meta)
            names = PaperNames.read(meta.title, [s.text for s in sents.values() if s.kind != "references"])
            tables = " ".join(f"{t.caption} {t.raw}" for t in self.cache.tables(meta))
            names.keys += entity_key(tables)  # a name only a table prints (a baseline's row) is in the paper
            self._names[meta.key] = names
        return self._names[meta.key]

    def _conflict_nearby(self, claim: PreparedClaim, a: Alignment, others: list[Alignment], related: float
                         ) -> tuple[NumberCheck, Alignment] | None:
        """Conflict over absence: a passage near the claim's topic (relatedness at least the `inconclusive`
        threshold less 0.1) whose paragraph gives the same quantity (the same words around it) another value."""
        floor = self.thresholds.get("inconclusive", self.thresholds["found"]) - 0.1
        text = complete_text(claim)
        for cand in [a, *others[:2]]:
            if relatedness(cand) < floor:
                continue
            window = self.window(cand)
            for n in compare_numbers(text, window, cut=claim.cut, restates=False):
                if n.status == "conflict" and n.source and _same_kind(n.claim, n.source) and not owners_differ(
                        text, n.claim, window, n.source, self.names(cand.passage.meta), _logo_gap(window)):
                    return n, cand
        return None

    def _quantity_elsewhere(self, claim: PreparedClaim, meta: PaperMeta) -> tuple[NumberCheck, Alignment] | None:
        """Conflict over absence, paper-wide: the claim's number names a quantity ('a beam size of 5', 'eight
        words') that the paper names the same way with one other value, in any sentence."""
        text = complete_text(claim)
        nums = [n for n in extract_numbers(text) if not said_as_change(n, text)]
        if not nums:
            return None
        if meta.key not in self._quantities:
            sentences = {i: s.text for i, s in self.cache.sentences(meta).items()}
            self._quantities[meta.key] = quantity_index(sentences, self.cache.numbers(meta))
        for n in nums:
            hit = paper_value(text, n, self._quantities[meta.key])
            if hit is None:
                continue
            source, idx = hit
            passage = self.cache.passage(meta, idx, idx)
            if passage is None:
                continue
            check = NumberCheck(claim=n.text, source=source.text, status="conflict",
                                note="the paper names the same quantity the same way")
            return check, score_alignment(claim, passage)
        return None

    def _flipped_nearby(self, claim: PreparedClaim, a: Alignment, meta: PaperMeta) -> str | None:
        """A passage that names everything the claim names (in its window) and points the other way on the same
        axis (falls short vs outperforms, fewer vs more), or swaps the sides of the claim's comparison."""
        window = self.window(a)
        names = [m for m in mentions(claim.text) if m.group != "name" or sum(ch.isupper() for ch in m.text) > 1]
        if not names or any(not _named_in(m.text, window) for m in names):
            return None
        direction = check_direction(claim.text, a.passage.text)
        if direction is not None:
            return direction.note()
        return check_sides(claim.text, a.passage.text, "")

    def _swapped_nearby(self, claim: PreparedClaim, a: Alignment, meta: PaperMeta) -> str | None:
        """A passage on the claim's topic that says the same thing of another name of the same kind (the same
        words around it), while its paragraph never names the claim's: 'ran on the Reddit corpus' against 'on the
        Ubuntu Dialogue Corpus'."""
        window = self.window(a)
        check = check_entities(complete_text(claim), a.passage.text, "", self.names(meta))
        for said, there in check.conflicts:
            if not _named_in(said, window) and not self.names(meta).is_topic(entity_key(said)):
                return f"source says {there}, claim says {said}"
        return None

    def numbers_nowhere(self, claim: PreparedClaim, meta: PaperMeta) -> list[str]:
        """The claim's distinctive numbers (decimals, percentages, 10 and above) when not one of them is in the
        paper: no sentence or table cell gives it, exactly, rounded or as the claim hedges it ('about 16B')."""
        from synth.verify.number_checks import approximate_match, hedge

        from synth.verify.number_checks import _join_scale

        text = _join_scale(claim.text)  # 'roughly 704 thousand' is 704k, as the paper prints it
        wanted = [n for n in extract_numbers(text) if not n.spelled and (n.decimals or n.unit == "%"
                                                                          or abs(n.value) >= 10)]
        if not wanted:
            return []
        values = [n for nums in self.cache.numbers(meta).values() for n in nums]
        cells = [v for t in self.cache.tables(meta) for c in t.cells for v in c.values]
        for n in wanted:
            how = hedge(text, n)
            if any(within_rounding(abs(v), abs(n.value), n.decimals) for v in cells) or any(
                    within_rounding(abs(s.value), abs(n.value), n.decimals)
                    or approximate_match(n, s, how) is not None for s in values):
                return []
        return [n.text for n in wanted]

    def around(self, a: Alignment) -> tuple[str | None, str | None]:
        """The sentences before and after the passage in its paragraph (same section and kind), or None."""
        sents = self.cache.sentences(a.passage.meta)
        first, last = a.passage.first, a.passage.sentences[-1]
        before, after = sents.get(first.idx - 1), sents.get(last.idx + 1)
        return (before.text if before is not None and before.section == first.section and before.kind == first.kind
                else None,
                after.text if after is not None and after.section == last.section and after.kind == last.kind
                else None)

    def window(self, a: Alignment) -> str:
        """The passage with its neighbours in the same section: a claim's second fact, or the right value of a
        number the claim gets wrong, often sits one sentence away."""
        before, after = self.around(a)
        return " ".join(t for t in (before, a.passage.text, after) if t)

    def context(self, a: Alignment, reach: int = 15) -> str:
        """Text that can name what a passage talks about: its section's titles and the section's sentences
        before it (up to `reach`); 'the team' of a sentence is the Microsoft team its section introduced."""
        sents = self.cache.sentences(a.passage.meta)
        first = a.passage.first
        before = [sents.get(first.idx - k) for k in range(reach, 0, -1)]
        return " ".join([*first.section, *(s.text for s in before if s is not None and s.section == first.section)])

    def assess(self, claim: PreparedClaim, meta: PaperMeta, a: Alignment | None, cited_tables: list[str],
               others: list[Alignment] = ()) -> Assessment:
        """Label the claim against its best passage `a` (`others`: the next candidates, for a claim of several
        clauses whose first clause another passage states)."""
        th = self.thresholds
        related = relatedness(a) if a is not None else 0.0
        # a claim cut off mid-sentence restates the start of something: the cut lowers its overlap, so the bar to
        # be checked (rather than left undecided) is the `inconclusive` one
        found = th.get("inconclusive", th["found"]) if claim.cut else th["found"]
        if a is not None and related < found:
            stated = next((c for c in [a, *others[:4]] if self._one_clause_stated(claim.text, c)), None)
            if stated is not None:  # 'X, and Y' where a passage states X: partly there, not absent
                a, related = stated, max(th["found"], relatedness(stated))
        if a is None or related < found:
            table = table_support(claim.text, self.cache.tables(meta), meta, self.names(meta), cut=claim.cut)
            if table is not None:
                return Assessment(meta, table.label, table.reason, a, table.numbers, table_evidence=table.evidence,
                                  related=related)
            best = f" (best match {related:.2f})" if a else ""
            conflict = self._conflict_nearby(claim, a, others, related) if a is not None else None
            if conflict is not None:  # the paper's value for the same quantity differs: a conflict, not absence
                c, found_in = conflict
                return Assessment(meta, "contradicted", f"source says {c.source}, claim says {c.claim} "
                                  f"({where(meta, found_in)})", found_in, [c], related=related)
            elsewhere = self._quantity_elsewhere(claim, meta) if a is not None else None
            if elsewhere is not None:  # the same quantity, named the same way, has another value in the paper
                check, found_in = elsewhere
                return Assessment(meta, "contradicted", f"source says {check.source}, claim says {check.claim}: "
                                  f"{check.note} ({where(meta, found_in)})", found_in, [check], related=related)
            absent = self.names(meta).absent(claim.text) if a is not None else []
            if absent:  # a claim about something the paper never names is not a paraphrase of it
                return Assessment(meta, "not_found", f"no passage in {meta.key} states the claim{best}; the paper "
                                  f"never names {', '.join(absent[:3])}", a, related=related)
            unstated = self.numbers_nowhere(claim, meta) if a is not None else []
            if unstated:  # its figures appear nowhere in the paper, text or tables: not a reworded statement of it
                return Assessment(meta, "not_found", f"no passage in {meta.key} states the claim{best}; the paper "
                                  f"gives none of its numbers ({', '.join(unstated[:3])})", a, related=related)
            flip = self._flipped_nearby(claim, a, meta) if a is not None and related >= th.get(
                "inconclusive", th["found"]) else None
            if flip is None and a is not None:  # two rows of a table the other way round ('lower than top-p')
                flip = row_comparison(claim.text, self.cache.tables(meta), self.names(meta))
            if flip is None and a is not None and related >= th.get("inconclusive", th["found"]):
                flip = self._swapped_nearby(claim, a, meta)
            if flip is not None:  # about the claim's topic, and saying the opposite of it (or of another thing)
                return Assessment(meta, "contradicted", f"{flip} ({where(meta, a)})", a, related=related,
                                  findings=[flip])
            if a is not None and related >= th.get("inconclusive", th["found"]):
                # about the claim's topic, yet not clearly stating or denying it: a heavy paraphrase, or a claim
                # the paper does not make. Saying so, with where to read, beats a confident guess either way.
                return Assessment(meta, "inconclusive", f"no passage in {meta.key} clearly states or denies the "
                                  f"claim{best}", a, related=related)
            return Assessment(meta, "not_found", f"no passage in {meta.key} states the claim{best}", a,
                              related=related)
        text = complete_text(claim)
        source = a.passage.text
        if a.truncated:  # compare a cut-off claim with the part of the source it covers, plus a little
            source = source[:len(text) + 40]
        names = self.names(meta)
        context = self.context(a)
        unsupported = self._unsupported_clause(text, a, context, others)
        entities = check_entities(text, a.passage.text, context, names,
                                  verbatim=unsupported is None and related >= 0.6)
        # the passage restates the claim when nothing of the claim is missing from it: then the number the
        # claim has instead of the passage's is a changed number, not an extra one
        entities.missing = [m for m in entities.missing if not _may_be_logo(m, a.passage.text)]
        restates = unsupported is None and not entities.missing
        numbers = compare_numbers(text, a.passage.text, cut=claim.cut, verbatim=a.align >= 0.9 and restates,
                                  restates=restates)
        if any(n.status in UNMATCHED for n in numbers):  # the paragraph around the passage may hold them
            wider = {n.claim: n for n in compare_numbers(text, self.window(a), cut=claim.cut, restates=False)}
            for n in numbers:
                w = wider.get(n.claim)
                if n.status in UNMATCHED and w is not None and w.status not in UNMATCHED:
                    n.status, n.source = w.status, w.source
                    n.note = f"{w.note or w.source} (in the sentence next to the passage)"
        if any(n.status in UNMATCHED for n in numbers):  # a claim's second fact, stated a few sentences on
            self._numbers_elsewhere(text, claim, a, others, numbers)
        for n in numbers:  # a 'conflict' between numbers of two different things is no conflict
            if n.status == "conflict" and n.source and (
                    owners_differ(text, n.claim, a.passage.text, n.source, names, _logo_gap(a.passage.text))
                    or _names_missing_near(text, n.claim, entities.missing)):
                n.status, n.source, n.note = "missing", None, f"{n.claim} not in the source (the source's " \
                                                              f"{n.source} is about something else)"
            elif n.status == "conflict" and (where_else := self._stated_elsewhere(text, n.claim, a)) is not None:
                # the paper gives the claim's number, in a sentence about the claim, elsewhere: the passage's
                # other number is another quantity ('8.1M' full texts, not the '81.1M' papers of the passage)
                n.status, n.source, n.note = "equal", n.claim, f"{n.claim} ({where_else})"
        out = Assessment(meta, "supported", "", a, numbers, entities, related=related, unsupported=unsupported)
        if self.nli is not None:
            out.nli = self.nli.entailment(a.passage.text, claim.text)
        self._check_tables(out, claim, cited_tables)
        from_tables = " ".join(n.note or "" for n in numbers if n.status == "table")
        if from_tables:  # a name heading the table cell that gave the claim's number is there
            entities.missing = [m for m in entities.missing if not _named_in(m, from_tables)]
        prev = self.cache.sentences(meta).get(a.passage.first.idx - 1)
        before = prev.text if prev is not None else ""
        direction = check_direction(text, source)
        if direction is not None:
            out.findings.append(direction.note())
        elif (rows := row_comparison(text, self.cache.tables(meta), names)) is not None:
            out.findings.append(rows)
        if a.coverage >= 0.7 and a.align >= 0.75 and (negation := check_negation(text, source)):
            out.findings.append(negation)
        if (sides := check_sides(text, source, before) or check_but_not(text, source)
                or check_former_latter(text, source)) is not None:
            out.findings.append(sides)
        pairs = [(n.claim, n.source) for n in numbers if n.status in ("equal", "rounded") and n.source]
        if (owner := check_ownership(text, a.passage.text, pairs, names)) is not None:
            out.findings.append(owner)
        self._label(out, claim)
        return self._with_tables(out, claim, meta)

    def _with_tables(self, out: Assessment, claim: PreparedClaim, meta: PaperMeta) -> Assessment:
        """A table row can settle what the sentence cannot: numbers the sentence lacks, or a setting ('single'
        vs 'ensemble') the sentence does not say but the table's columns do."""
        words = set(re.findall(r"[a-z]+", claim.text.lower()))
        settings = words & {"single", "ensemble", "ensembles"}
        said = set(re.findall(r"[a-z]+", out.alignment.passage.text.lower())) if out.alignment else set()
        # the sentence gives none of the claim's numbers, the table all of them: the table is the evidence
        from_table_only = bool(out.numbers) and all(n.status == "table" for n in out.numbers
                                                   if n.status != "table_conflict")
        needs = from_table_only or out.label == "partially_supported" and (
            any(n.status in UNMATCHED for n in out.numbers) or out.entities.missing)
        if not needs and not (settings and not settings & said and out.label == "supported"):
            return out
        table = table_support(claim.text, self.cache.tables(meta), meta, self.names(meta), cut=claim.cut)
        if table is None or (not needs and table.label != "contradicted"):
            return out
        stated = {n.claim for n in out.numbers if n.status in OK_NUMBER}
        if table.label == "contradicted" and needs and all(
                n.claim in stated for n in table.numbers if n.status == "table_conflict"):
            return out  # the table 'conflicts' only with numbers the sentence states: another row's numbers
        if table.label == "supported" and from_table_only:
            return Assessment(meta, table.label, table.reason, out.alignment, table.numbers,
                              table_evidence=table.evidence, related=out.related)
        if table.label == "supported":  # the sentence states part, the table the rest: keep the sentence
            from_table = {n.claim: n for n in table.numbers}
            for n in out.numbers:
                if n.status in UNMATCHED and n.claim in from_table:
                    n.status, n.source, n.note = "table", from_table[n.claim].source, from_table[n.claim].note
            notes = " ".join(n.note or "" for n in out.numbers if n.status == "table").lower()
            out.entities.missing = [m for m in out.entities.missing if not _named_in(m, notes)]
            self._label(out, claim)
            if out.label == "supported" or not any(n.status in OK_NUMBER[:3] for n in out.numbers):
                if out.label != "supported":  # nothing of the sentence helps: the table alone states it
                    return Assessment(meta, table.label, table.reason, out.alignment, table.numbers,
                                      table_evidence=table.evidence, related=out.related)
            return out
        return Assessment(meta, table.label, table.reason, out.alignment, table.numbers,
                          table_evidence=table.evidence, related=out.related)

    def _one_clause_stated(self, text: str, a: Alignment) -> bool:
        """A claim of two or more clauses, one of which (3+ content words) the passage states: nearly all its
        words, or (with embeddings) half its words and a close meaning."""
        parts = [(p, _stems(p)) for p in clauses(text)]
        parts = [(p, w) for p, w in parts if len(w) >= 3]
        if len(clauses(text)) < 2 or not parts:
            return False
        cover = [(p, len(w & a.passage.stems) / len(w)) for p, w in parts]
        if any(c >= self.thresholds["clause_found"] for _, c in cover):
            return True
        return any(c >= 0.5 and self._close_in_meaning(part, a) for part, c in cover)

    def _unsupported_clause(self, text: str, a: Alignment, context: str, others: list[Alignment] = ()) -> str | None:
        """A clause of the claim (3+ content words) mostly absent from the passage and the text around it. In a
        claim of several clauses, a clause another passage about the claim states (a close candidate, or a
        sentence near the passage in its section) is stated there, not missing."""
        known = a.passage.stems  # not the section around it: a clause must be stated, not merely echoed
        parts = clauses(text)
        for part in parts:
            words = _stems(part)
            if len(words) >= 3 and len(words & known) / len(words) < self.thresholds["clause"]:
                if self._close_in_meaning(part, a):
                    continue  # reworded ('machine comprehension' for 'MC'), not missing
                if len(parts) > 1 and any(len(words & p.stems) / len(words) >= self.thresholds["clause_found"]
                                          for p in self._nearby_passages(a, others)):
                    continue
                return part
        return None

    def _nearby_passages(self, a: Alignment, others: list[Alignment], reach: int = NEARBY_REACH) -> list:
        """Where a claim's other facts may be: the next best candidate passages, and the sentences up to `reach`
        before and after the passage in its section (a paragraph of results often spreads one claim's numbers
        over three sentences)."""
        sents = self.cache.sentences(a.passage.meta)
        first, last = a.passage.first, a.passage.sentences[-1]
        near = [sents.get(i) for i in [*range(first.idx - reach, first.idx), *range(last.idx + 1, last.idx + reach + 1)]]
        near = [s for s in near if s is not None and s.section == first.section and s.kind == first.kind]
        return [o.passage for o in others[:NEARBY_CANDIDATES] if o.passage.text != a.passage.text] + [
            self.cache.passage(a.passage.meta, s.idx, s.idx) for s in near]

    def _stated_elsewhere(self, text: str, number: str, a: Alignment) -> str | None:
        """Where a sentence of the paper outside the passage prints the claim's number (same value, unit and
        decimals) and shares a third of the claim's content words (three at least); None when none does."""
        wanted = extract_numbers(number)
        if len(wanted) != 1 or wanted[0].spelled:
            return None
        want, meta = wanted[0], a.passage.meta
        words, inside = _stems(text), {s.idx for s in a.passage.sentences}
        sentences = self.cache.sentences(meta)
        for idx, nums in self.cache.numbers(meta).items():
            if idx not in inside and any(x.value == want.value and x.unit == want.unit and
                                         x.decimals == want.decimals for x in nums):
                s = sentences[idx]
                if len(words & _stems(s.text)) >= max(3, 0.3 * len(words)):
                    return f"p. {s.page}: '{s.text[:60]}'"
        return None

    def _numbers_elsewhere(self, text: str, claim: PreparedClaim, a: Alignment, others: list[Alignment],
                           numbers: list[NumberCheck]) -> None:
        """Numbers missing from the passage that a nearby passage about the claim gives (equal, rounded or
        converted): found there, with where. A different value there is not taken as a conflict (it may be
        another quantity)."""
        for passage in self._nearby_passages(a, others):
            missing = {n.claim: n for n in numbers if n.status in UNMATCHED}
            if not missing:
                return
            for w in compare_numbers(text, passage.text, cut=claim.cut, restates=False):
                n = missing.get(w.claim)
                if n is not None and w.status in ("equal", "rounded", "converted"):
                    s = passage.first
                    n.status, n.source = w.status, w.source
                    n.note = f"{w.note or w.source} (p. {s.page}: '{passage.text[:60]}')"

    def _close_in_meaning(self, part: str, a: Alignment) -> bool:
        """With embeddings: the clause means about what one of the passage's sentences says."""
        if self.dense is None or a.dense <= 0:
            return False
        sims = self.dense.scores(part, a.passage.meta)
        best = max((sims.get(s.idx, 0.0) for s in a.passage.sentences), default=0.0)
        return dense_norm(best) >= self.thresholds["clause_dense"]

    def _label(self, out: Assessment, claim: PreparedClaim) -> None:
        a = out.alignment
        if out.unsupported and any(n.status == "table" and n.claim in out.unsupported for n in out.numbers):
            out.unsupported = None  # the clause is a table's statement ('English accuracy reaches 85.0')
        at = where(out.meta, a)
        conflicts = [n for n in out.numbers if n.status == "conflict"]
        missing = unstated(out.numbers)
        if conflicts:
            out.label = "contradicted"
            out.reason = "; ".join(f"source says {n.source}, claim says {n.claim}" for n in conflicts) + f" ({at})"
        elif out.entities.conflicts:
            out.label, out.reason = "contradicted", f"{out.entities.note()} ({at})"
        elif out.findings:
            out.label, out.reason = "contradicted", f"{out.findings[0]} ({at})"
        elif missing or out.entities.missing or out.unsupported or (  # lexical only: no clause meaning to go by
                a.dense <= 0 and a.coverage < self.thresholds["partial_coverage"] and not a.truncated):
            out.label = "partially_supported"
            parts = [f"{', '.join(n.claim for n in missing)} not in the source"] if missing else []
            parts += [out.entities.note()] if out.entities.missing else []
            parts += [f"'{out.unsupported}' is not in the source"] if out.unsupported and not parts else []
            parts += [] if parts else [f"only part of the claim is in the source (coverage {a.coverage:.2f})"]
            out.reason = f"{'; '.join(parts)} ({at})"
        else:
            shown = [n for n in out.numbers if n.status in OK_NUMBER]
            detail = f"; numbers {', '.join(n.claim for n in shown)} match" if shown else ""
            how = "cut off, but matches the start of" if a.truncated else (
                "near-verbatim in" if a.align >= 0.9 else "paraphrases")
            out.reason = f"claim {how} {at}{detail}"

    def _check_tables(self, out: Assessment, claim: PreparedClaim, cited_tables: list[str]) -> None:
        """Numbers missing from the sentence but in the paper's tables; a table that disagrees with the text."""
        tables = self.cache.tables(out.meta)
        if not tables or not out.numbers:
            return
        claim_nums = extract_numbers(complete_text(claim))
        terms = {t.lower() for t in names_in(claim.text)} | {t.lower() for t in names_in(out.alignment.passage.text)}
        finding = check_tables(claim_nums, tables, terms, cited_tables, memo=self.cache.table_values)
        notes = []
        for i, num in enumerate(claim_nums):
            check = next((c for c in out.numbers if c.claim == num.text), None)
            if check is None:
                continue
            if check.status in UNMATCHED and i in finding.found and (
                    finding.found[i].direct or said_as_change(num, claim.text)):  # a cell, or a stated difference
                check.status, check.note = "table", finding.found[i].where
            elif check.status in ("equal", "rounded") and i in finding.near and i not in finding.found:
                near = finding.near[i]
                notes.append(f"text says {check.source or num.text}, {near.where.split(' = ')[0]} gives "
                             f"{near.value:g}")
                out.numbers.append(NumberCheck(claim=num.text, source=f"{near.value:g}", status="table_conflict",
                                               note=near.where))
        if notes:
            out.table_note = "the paper is internally inconsistent: " + "; ".join(notes)
