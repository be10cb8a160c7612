"""One claim x its sources -> Verification: evidence search, number / entity / version / table checks, a label
with a one-line reason, and a calibrated confidence (weights in synth/verify/verifier.json)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from synth import __version__
from synth.verify.calibration import Calibrator, load_verifier
from synth.core.errors import LibraryError, SynthError
from synth.core.files import stable_hash
from synth.verify.evidence import Alignment, PreparedClaim, SourceCache, search_evidence
from synth.papers.library import Library
from synth.papers.library.lookup import PaperFinder
from synth.core.models import Claim, Evidence, NumberCheck, PaperMeta, PaperRef, Verification
from synth.core.numbers import extract_numbers
from synth.verify.number_checks import compare_numbers
from synth.verify.table_checks import cell_support, check_tables
from synth.verify.text_checks import EntityCheck, check_entities, looks_english, names_in

MAX_CLAIM_CHARS = 1000
ANY_SOURCE_PAPERS = 3  # with --any-source, how many best-matching uncited papers are checked in full
# Used only where verifier.json gives none; bench/fit_verifier.py fits the shipped values.
DEFAULT_THRESHOLDS = {"found": 0.65, "partial_coverage": 0.4}
OK_NUMBER = ("equal", "rounded", "converted", "table")


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

    @property
    def evidence(self) -> Evidence | None:
        if self.table_evidence is not None:
            return self.table_evidence
        return self.alignment.passage.evidence(self.alignment.align) if self.alignment else None

    @property
    def strength(self) -> tuple[int, float]:
        order = {"supported": 3, "partially_supported": 2, "contradicted": 1, "not_found": 0}
        return order.get(self.label, 0), self.alignment.rank if self.alignment else 0.0


def _where(meta: PaperMeta, a: Alignment) -> str:
    s = a.passage.first
    section = f", {s.section[-1]}" if s.section else ""
    return f"{meta.key} p. {s.page}{section}"


def _anchored(claim: PreparedClaim, a: Alignment) -> bool:
    """Reworded, but anchored by numbers: two or more numbers, all of them in this passage, and a fair textual
    match. Specific numbers are strong evidence that a heavily paraphrased claim is about this sentence."""
    if a.align < 0.7:
        return False
    checks = compare_numbers(_claim_for_numbers(claim, a), a.passage.text)
    return len(checks) >= 2 and all(c.status in ("equal", "rounded", "converted") for c in checks)


def _pick(claim: PreparedClaim, candidates: list[Alignment], tie: float = 0.05) -> Alignment | None:
    """Among passages aligned about equally well, the one whose numbers agree with the claim's (a claim that
    swaps 'MNLI' for 'QQP' is about MNLI's sentence, not about SQuAD's identical-looking one)."""
    if not candidates:
        return None
    top = candidates[0].rank
    close = [a for a in candidates if a.rank >= top - tie]
    if len(close) == 1 or not extract_numbers(claim.text):
        return close[0]

    def agreement(a: Alignment) -> tuple[int, int, float]:
        checks = compare_numbers(_claim_for_numbers(claim, a), a.passage.text)
        ok = sum(c.status in OK_NUMBER for c in checks)
        return ok, -sum(c.status == "conflict" for c in checks), a.rank

    return max(close, key=agreement)


def _named_in(name: str, text: str) -> bool:
    from synth.verify.text_checks import surface

    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text, re.IGNORECASE) for n in {name, surface(name)})


def _claim_for_numbers(claim: PreparedClaim, a: Alignment) -> str:
    """A cut-off claim loses its last (partial) token: '... by 5' cut from '5.4' is not a conflict."""
    if not a.truncated:
        return claim.text
    head, _, _ = claim.text.rstrip().rpartition(" ")
    return head or claim.text


class Verifier:
    """Verifies claims against the library; one instance per run (caches papers and the model)."""

    def __init__(self, library: Library, *, nli_model: Path | None = None, weights: Path | None = None,
                 thresholds: dict[str, float] | None = None, calibrator: Calibrator | None = None):
        self.library = library
        self.cache = SourceCache(library)
        self.finder = PaperFinder(library)
        data = load_verifier(weights) if calibrator is None or thresholds is None else {}
        self.calibrator = calibrator or Calibrator.from_dict(data["calibrator"])
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or data.get("thresholds", {}))}
        weights_id = stable_hash({"calibrator": self.calibrator.to_dict(), "thresholds": self.thresholds})
        self.nli = None
        if nli_model is not None:
            from synth.verify.nli import NLIScorer

            self.nli = NLIScorer(nli_model)
        self.fingerprint = f"synth {__version__}; weights {weights_id}; nli={'yes' if self.nli else 'no'}"

    # ------------------------------------------------------------------------------------ one version

    def assess(self, claim: PreparedClaim, meta: PaperMeta, a: Alignment | None, cited_tables: list[str],
               ) -> Assessment:
        """Label the claim against one paper version's best passage (None: nothing matched)."""
        th = self.thresholds
        if a is None or a.found_score < th["found"] and not a.truncated and not _anchored(claim, a):
            table_only = self._table_support(claim, meta, a)
            if table_only is not None:
                return table_only
            best = f" (best similarity {a.align:.2f})" if a else ""
            return Assessment(meta, "not_found", f"no passage in {meta.key} matches the claim{best}", a)
        complete = _claim_for_numbers(claim, a)  # without a cut-off last word ('MN…' is not a name)
        numbers = compare_numbers(complete, a.passage.text)
        entities = check_entities(complete, a.passage.text)
        out = Assessment(meta, "supported", "", a, numbers, entities)
        if self.nli is not None:
            out.nli = self.nli.entailment(a.passage.text, claim.text)
        self._check_tables(out, claim, cited_tables)
        # a name missing from the sentence but heading the table cell that gave the claim's number is there
        from_tables = " ".join(n.note or "" for n in numbers if n.status == "table")
        if from_tables:
            entities.missing = [m for m in entities.missing if not _named_in(m, from_tables)]
        where = _where(meta, a)
        conflicts = [n for n in numbers if n.status == "conflict"]
        missing = [n for n in numbers if n.status == "missing"]
        if conflicts:
            out.label = "contradicted"
            out.reason = "; ".join(f"source says {n.source}, claim says {n.claim}" for n in conflicts) + f" ({where})"
        elif entities.conflicts:
            out.label = "contradicted"
            out.reason = f"{entities.note()} ({where})"
        elif missing or entities.missing or (a.coverage < th["partial_coverage"] and not a.truncated):
            out.label = "partially_supported"
            parts = [f"{', '.join(n.claim for n in missing)} not in the source"] if missing else []
            parts += [entities.note()] if entities.missing else []
            parts += [] if parts else [f"only part of the claim is in the source (coverage {a.coverage:.2f})"]
            out.reason = f"{'; '.join(parts)} ({where})"
        else:
            shown = [n for n in numbers if n.status in OK_NUMBER]
            detail = f"; numbers {', '.join(n.claim for n in shown)} match" if shown else ""
            how = "cut off, but matches the start of" if a.truncated else (
                "near-verbatim in" if a.align >= 0.9 else "paraphrases")
            out.reason = f"claim {how} {where}{detail}"
        return out

    def _table_support(self, claim: PreparedClaim, meta: PaperMeta, a: Alignment | None) -> Assessment | None:
        """No sentence states the claim, but a table does: every number in a cell the claim names by row and
        column (and no name in the claim that the table lacks)."""
        tables = self.cache.tables(meta)
        nums = extract_numbers(claim.text)
        if not tables or not nums:
            return None
        names = names_in(claim.text)
        hit = cell_support(nums, tables, {n.lower() for n in names})
        if hit is None:
            return None
        table, cells, equal = hit
        headers = " ".join(f"{c.row} {c.column}" for c in cells) + " " + table.caption
        if any(not _named_in(n, headers) for n, group in names.items() if group in ("data", "languages", "name")):
            return None
        rows = [line for line in table.raw.splitlines() if any(line.strip().startswith(c.row) for c in cells)]
        quote = "\n".join(dict.fromkeys(rows)) or table.raw
        offset = table.raw.find(quote)
        evidence = Evidence(paper=meta.id, version=meta.version, page=table.page,
                            start=table.start + offset if offset >= 0 else table.start,
                            end=table.start + offset + len(quote) if offset >= 0 else table.end,
                            quote=quote, score=1.0)
        name = table.label or "a table"
        status = "table" if equal else "table_conflict"
        numbers = [NumberCheck(claim=n.text, source=c.text, status=status, note=f"{name} ({c.row}, {c.column})")
                   for n, c in zip(nums, cells)]
        where = ", ".join(f"{c.text} ({c.row}, {c.column})" for c in cells)
        if not equal:
            return Assessment(meta, "contradicted", f"source says {cells[0].text}, claim says {nums[0].text} "
                              f"({name} of {meta.key}, p. {table.page}, row {cells[0].row}, column "
                              f"{cells[0].column})", a, numbers, table_evidence=evidence)
        return Assessment(meta, "supported", f"{name} of {meta.key} (p. {table.page}) gives {where}; no sentence "
                          "states it", a, numbers, table_evidence=evidence)

    def _check_tables(self, out: Assessment, claim: PreparedClaim, cited_tables: list[str]) -> None:
        tables = self.cache.tables(out.meta)
        if not tables or not out.numbers:
            return
        claim_nums = extract_numbers(_claim_for_numbers(claim, out.alignment))
        terms = {t.lower() for t in names_in(claim.text)}
        terms |= {t.lower() for t in names_in(out.alignment.passage.text)}
        finding = check_tables(claim_nums, tables, terms, cited_tables, memo=self.cache.table_values)
        notes = []
        for i, num in enumerate(claim_nums):
            check = next((c for c in out.numbers if c.claim == num.text), None)
            if check is None:
                continue
            if check.status == "missing" and i in finding.found:
                check.status, check.note = "table", finding.found[i].where
            elif check.status in ("equal", "rounded") and i in finding.near and i not in finding.found:
                near = finding.near[i]
                notes.append(f"text says {check.source or num.text}, {near.where.split(' = ')[0]} gives "
                             f"{near.value:g}")
                out.numbers.append(NumberCheck(claim=num.text, source=f"{near.value:g}", status="table_conflict",
                                               note=near.where))
        if notes:
            out.table_note = "the paper is internally inconsistent: " + "; ".join(notes)

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
        found, missing = [], []
        for ref in refs:
            versions = self.cache.versions(ref.id)
            if not versions and not ref.id.startswith("local-"):
                local = self.finder.by_arxiv(ref.id)  # the same paper, added from a local PDF
                if local is not None:
                    ref = PaperRef(id=local.id)
                    versions = self.cache.versions(ref.id)
            if not versions or (ref.version and all(m.version != ref.version for m in versions)):
                missing.append(f"{ref} is not in the library (run: synth fetch {ref})")
            elif all(m.n_sentences == 0 for m in versions):
                missing.append(f"{ref} has no text in the library (empty or scanned PDF)")
            else:
                found.append((ref.id, ref.version))
        return found, missing

    def _verify(self, claim: Claim, any_source: bool) -> Verification:
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
        result = search_evidence(self.cache, prepared, None if any_source else [pid for pid, _ in targets])
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
        return self._finish(claim, prepared, best[0], best[1], result.runner_up, missing)

    def _judge_paper(self, claim: PreparedClaim, paper_id: str, version: int | None,
                     best: dict[str, list[Alignment]], cited_tables: list[str],
                     ) -> tuple[Assessment, list[Assessment]]:
        """Assess every version of one paper; return the checked version's and the others' assessments."""
        metas = self.cache.versions(paper_id)
        checked = next((m for m in metas if m.version == version), metas[-1]) if version else metas[-1]
        mine = self.assess(claim, checked, _pick(claim, best.get(checked.key, [])), cited_tables)
        others = [self.assess(claim, m, _pick(claim, best.get(m.key, [])), cited_tables)
                  for m in metas if m.key != checked.key]
        return mine, others

    def _finish(self, claim: Claim, prepared: PreparedClaim, mine: Assessment | None, others: list[Assessment],
                runner_up: float, missing: list[str]) -> Verification:
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
        confidence = self.calibrator.predict(features, label)
        a = final.alignment if final else None
        evidence = [final.evidence] if final and final.evidence and label != "not_found" else []
        return Verification(
            label=label, confidence=round(confidence, 4), reason=reason, evidence=evidence,
            other_versions=[o.evidence for o in supporting if o.evidence],
            numbers=final.numbers if final else [], features={k: round(v, 4) for k, v in features.items()},
            truncated=bool(a and a.truncated and label in ("supported", "partially_supported", "version_mismatch")),
            table_note=final.table_note if final else None, verifier=self.fingerprint,
        )

    def _features(self, claim: PreparedClaim, final: Assessment | None, supporting: list[Assessment],
                  runner_up: float) -> dict[str, float]:
        n_tokens = len(claim.norm.split())
        f = {"claim_tokens": math.log1p(n_tokens) / 5, "other_version_support": float(bool(supporting))}
        if final is not None and final.alignment is not None:
            f.update(self._alignment_features(final, runner_up))
        if final is not None and final.table_evidence is not None:
            agree = sum(n.status == "table" for n in final.numbers)
            f.update(table_only=1.0, n_table=float(agree), n_numbers=float(len(final.numbers)),
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
            align=a.align, coverage=a.coverage, bigrams=a.bigrams, contained=a.contained, prefix=a.prefix,
            margin=max(0.0, a.rank - runner_up),
            two_sentences=float(a.two_sentences), truncated=float(a.truncated), n_numbers=float(n_claim),
            frac_numbers_ok=sum(counts.get(k, 0) for k in OK_NUMBER) / n_claim if n_claim else 1.0,
            n_conflict=float(counts.get("conflict", 0)), n_missing=float(counts.get("missing", 0)),
            n_table=float(counts.get("table", 0)), entity_conflict=float(len(final.entities.conflicts)),
            entity_missing=float(len(final.entities.missing)), table_conflict=float(bool(final.table_note)),
            nli_entail=final.nli,
        )


def _paper_rank(verdict: tuple[Assessment, list[Assessment]]) -> tuple[int, float]:
    """Order cited papers: a supported (or other-version-supported) paper beats a weaker one."""
    mine, others = verdict
    rank = mine.strength
    if mine.label != "supported" and any(o.label == "supported" for o in others):
        rank = (max(rank[0], 2), rank[1])
    return rank
