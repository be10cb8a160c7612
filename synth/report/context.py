"""Build the report context from the claims file, the library's paper metadata and results documents.

The context is plain data (dataclasses, lists, dicts), sorted everywhere, with no clock reads: the same
inputs always give the same context, so rendering it twice gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from synth.core.models import Claim, ClaimsFile, Evidence, PaperMeta, PaperRef, ReplicationResult
from synth.report.results import LanguageGrouping, LoadedResults, ResultsGroup, group_results

NOT_VERIFIED = "not yet verified"
# An error verdict whose only reason is that the cited paper is absent (or has no text): nothing was checked, so
# the report says "not checked" rather than "error".
NOT_CHECKED = "not_checked"
VERIFIED_LABELS = ("supported", "replicated")  # "Verified claims" counts only these
PARTIAL_LABELS = ("partially_supported",)  # a group of its own: part of the claim holds, part does not
PROBLEM_LABELS = ("contradicted", "version_mismatch", "not_found", "not_replicated")
UNRESOLVED_LABELS = ("inconclusive", NOT_CHECKED, "error")
LABEL_ORDER = (*VERIFIED_LABELS, *PARTIAL_LABELS, *PROBLEM_LABELS, *UNRESOLVED_LABELS, NOT_VERIFIED)
# what each review verdict agrees with: a review's plain "verified" is not agreement with "partially supported"
REVIEW_AGREES = {"verified": set(VERIFIED_LABELS), "partial": set(PARTIAL_LABELS),
                 "unverified": {"contradicted", "version_mismatch", "not_found", "not_replicated", "inconclusive"}}
_ABSENT_REASONS = ("is not in the library", "has no text in the library", "claim cites no source")


def report_label(verification) -> str:
    """The verdict label the report shows: NOT_CHECKED for an error that only says the paper is absent."""
    if verification is None:
        return NOT_VERIFIED
    if verification.label == "error":
        parts = [p.strip() for p in verification.reason.split(";") if p.strip()]
        if parts and all(any(r in p for r in _ABSENT_REASONS) for p in parts):
            return NOT_CHECKED
    return verification.label


@dataclass
class EvidenceView:
    quote: str
    where: str  # "2005.13013v2, p. 3, § 4 Results"
    score: float
    href: str | None = None  # the PDF at the evidence's page: '<pdf>#page=3'
    cell: str | None = None  # table evidence: "Table 2, row 'BERT', column 'SQuAD / F1'"
    marked: list[tuple[str, bool]] = field(default_factory=list)  # the quote in pieces, True: a word the claim uses
    before: str | None = None  # the quote's paragraph: the sentence before it
    after: str | None = None  # and the sentence after it


@dataclass
class ReviewView:
    review: str
    said: str  # the review's verdict as written plus its confidence
    verdict: str | None  # normalised: verified | unverified | partial | unknown
    agreement: str  # "agrees" / "disagrees: ..." / "not yet verified by synth"


@dataclass
class ClaimRow:
    id: str
    text: str
    truncated: bool
    origin: str
    type: str
    source: str
    label: str
    confidence: float | None
    reason: str
    evidence: list[EvidenceView]
    other_versions: list[EvidenceView]
    numbers: list[str]
    experiment: str | None
    replication: ReplicationView | None
    review: ReviewView | None


@dataclass
class SourceView:
    key: str
    id: str
    version: int | None
    title: str
    authors: str
    year: str
    sha256: str
    kind: str
    pages: int | None
    parser: str
    requested: str  # what the user asked `synth fetch` for (id, URL, path or search hit)
    in_library: bool
    url: str | None
    mirror: bool  # fetched from an arXiv mirror (SYNTH_ARXIV_PDF), `url` is where the PDF came from
    claims: int
    latest_version: int | None


@dataclass
class Figure:
    """A figure to draw: `kind` picks the synth.report.figures function, `data` its arguments."""

    file: str
    caption: str
    kind: str
    data: dict = field(default_factory=dict)


def where(paper: str, version: int | None, page: int | None, section: list[str]) -> str:
    parts = [f"{paper}v{version}" if version is not None else f"{paper} (version unknown)"]
    if page is not None:
        parts.append(f"p. {page}")
    if section:
        parts.append("§ " + " › ".join(section))
    return ", ".join(parts)


def evidence_pdf(paper: str, version: int | None) -> str:
    """The PDF the evidence was read from: the library's sha-pinned copy, papers/<id>v<N>/paper.pdf relative to
    the library folder (an arXiv link could show another version, and the demo's ids are not real papers)."""
    return f"papers/{paper}v{version}/paper.pdf" if version is not None else f"papers/{paper}/paper.pdf"


def mark_words(quote: str, claim: str) -> list[tuple[str, bool]]:
    """The quote cut into pieces, each word the claim also uses (same crude stem, numbers as written) marked, so a
    reader sees at once what matched."""
    import re

    from synth.verify.evidence import STOPWORDS, stem

    def key(word: str) -> str:
        return word if word[:1].isdigit() else stem(word)

    token = re.compile(r"\d+(?:[.,]\d+)*%?|\w+")
    wanted = {key(w) for w in token.findall(claim.lower()) if w not in STOPWORDS}
    out: list[tuple[str, bool]] = []
    last = 0
    for m in token.finditer(quote):
        word = m.group(0).lower()
        if word not in STOPWORDS and key(word) in wanted:
            out.extend([(quote[last:m.start()], False)] if m.start() > last else [])
            out.append((m.group(0), True))
            last = m.end()
    out.extend([(quote[last:], False)] if last < len(quote) else [])
    return out


def evidence_view(ev: Evidence, claim: str = "") -> EvidenceView:
    """A piece of evidence as the report shows it: the quote, where it is, a link to its page in the PDF, for a
    table the row and column it came from, and the words it shares with the claim marked."""
    cell = None
    if ev.table or ev.row:
        cell = ", ".join(part for part in (
            ev.table, f"row ‘{ev.row}’" if ev.row else None,
            f"column ‘{' / '.join(ev.column)}’" if ev.column else None) if part)
    href = f"{evidence_pdf(ev.paper, ev.version)}#page={ev.page}" if ev.page is not None else None
    return EvidenceView(quote=ev.quote, where=where(ev.paper, ev.version, ev.page, ev.section), score=ev.score,
                        href=href, cell=cell, marked=mark_words(ev.quote, claim) if claim else [],
                        before=ev.before, after=ev.after)


def review_of(claim: Claim) -> str:
    """Imported claims are named `<review>-cNN`: the review is the id without the claim number."""
    head, sep, tail = claim.id.rpartition("-c")
    return head if sep and tail.isdigit() else claim.id


def _source_text(claim: Claim) -> str:
    if claim.source is not None:
        s = claim.source
        return where(s.paper, s.version, s.page, s.section)
    if claim.cites:
        return "cites " + ", ".join(sorted(claim.cites))
    return "no source"


def _review_view(claim: Claim, label: str) -> ReviewView | None:
    rv = claim.reported_verification
    if claim.origin.value != "imported" or rv is None:
        return None
    said = rv.raw or rv.verdict or "no verdict given"
    if rv.confidence is not None:
        said += f" (confidence {rv.confidence:.2f})"
    says = label.replace("_", " ")
    if label == NOT_VERIFIED:
        agreement = "not yet verified by synth"
    elif label in (NOT_CHECKED, "error"):
        agreement = f"synth could not check it ({says})"
    elif rv.verdict not in REVIEW_AGREES:
        agreement = f"the review gave no verdict; synth says {says}"
    elif label in REVIEW_AGREES[rv.verdict]:
        agreement = "agrees"
    elif rv.verdict == "verified" and label in PARTIAL_LABELS:
        agreement = "partly: the review says verified, synth finds only part of the claim supported"
    else:
        agreement = f"disagrees: the review says {rv.verdict}, synth says {says}"
    return ReviewView(review=review_of(claim), said=said, verdict=rv.verdict, agreement=agreement)


@dataclass
class ReplicationView:
    label: str
    summary: str
    is_evidence: bool


def replication_view(result: ReplicationResult | None, verdict_reason: str = "") -> ReplicationView | None:
    """The replication facts a reader needs (step ids and per-seed values stay in claims.yaml); the reason is left
    out when the verdict already gives it."""
    if result is None:
        return None
    parts = [f"{result.experiment}: {result.metric}" + (f" on {result.target}" if result.target else "")
             + (f", {result.comparison}" if result.comparison != "value" else "")]
    if result.measured is not None:
        seeds = f"{result.n} seed{'s' if result.n != 1 else ''}"
        parts.append(f"measured {result.measured:.2f} vs expected {result.expected:.2f} (±{result.tolerance:g}) "
                     f"over {seeds}" + (f", 95% interval [{result.interval[0]:.2f}, {result.interval[1]:.2f}]"
                                        if result.interval else ""))
    if result.profiles:
        parts.append(f"profile {', '.join(result.profiles)}"
                     + ("" if result.evidence else ": a pipeline check, not evidence"))
    if result.reason != verdict_reason:
        parts.append(result.reason)
    return ReplicationView(label=result.label, summary="; ".join(parts), is_evidence=result.evidence)


def claim_row(claim: Claim) -> ClaimRow:
    v = claim.verification
    label = report_label(v)
    return ClaimRow(
        id=claim.id, text=claim.text, truncated=claim.truncated or bool(v and v.truncated),
        origin=claim.origin.value, type=claim.type.value, source=_source_text(claim), label=label,
        confidence=v.confidence if v is not None else None,
        reason=v.reason if v is not None and v.reason.strip() else (
            "not yet verified: run `synth verify`" if v is None else "no reason recorded"),
        evidence=[evidence_view(e, claim.text) for e in v.evidence] if v is not None else [],
        other_versions=[evidence_view(e, claim.text) for e in v.other_versions] if v is not None else [],
        numbers=[f"{n.claim} vs {n.source if n.source is not None else 'nothing'}: {n.status}"
                 + (f" ({n.note})" if n.note else "") for n in v.numbers] if v is not None else [],
        experiment=(f"{claim.experiment.experiment}: {claim.experiment.metric}"
                    if claim.experiment is not None else None),
        replication=replication_view(v.replication, v.reason) if v is not None else None,
        review=_review_view(claim, label),
    )


def _refs_of(claim: Claim) -> list[PaperRef]:
    refs = []
    if claim.source is not None:
        refs.append(PaperRef(id=claim.source.paper, version=claim.source.version))
    for cite in claim.cites:
        try:
            refs.append(PaperRef.parse(cite))
        except ValueError:
            continue
    return refs


def _is_mirror(m: PaperMeta) -> bool:
    return m.source == "arxiv" and bool(m.pdf_url) and not m.pdf_url.startswith(("https://arxiv.org/",
                                                                                  "http://arxiv.org/"))


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def _arxiv_url(m: PaperMeta) -> str | None:
    """Where a reader finds the paper: arXiv's page, or the mirror it came from. A loopback mirror (the demo's,
    a test's) is gone once the command ends and its port changes every run: no link, so the report stays
    byte-identical across runs."""
    if m.source != "arxiv":
        return None
    if not _is_mirror(m):
        return f"https://arxiv.org/abs/{m.key}"
    from urllib.parse import urlsplit

    return None if (urlsplit(m.pdf_url).hostname or "") in LOOPBACK_HOSTS else m.pdf_url


def _arxiv_year(paper_id: str) -> str:
    """The submission year a new-style arXiv id carries (2005.13013 → 2020); '' for other ids."""
    import re

    m = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}", paper_id)
    return f"20{m.group(1)}" if m and 1 <= int(m.group(2)) <= 12 else ""


def _authors(names: list[str]) -> str:
    """Reference style: up to three names, then "et al."; '' when the paper records none."""
    names = [n.strip() for n in names if n and n.strip()]
    return ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} et al."


def _sources(cf: ClaimsFile, papers: list[PaperMeta]) -> list[SourceView]:
    cited = Counter()
    for claim in cf.claims:
        for ref in {(r.id, r.version) for r in _refs_of(claim)}:
            cited[ref] += 1
    views: dict[tuple[str, int | None], SourceView] = {}
    for m in papers:
        year = (m.published or "")[:4] or _arxiv_year(m.id)
        views[(m.id, m.version)] = SourceView(
            key=m.key, id=m.id, version=m.version, title=m.title or "untitled", year=year or "n.d.",
            authors=_authors(m.authors), sha256=m.sha256, kind=m.source,
            pages=m.n_pages, parser=m.parser or "unknown", requested=m.requested or m.key, in_library=True,
            url=_arxiv_url(m), mirror=_is_mirror(m), claims=0, latest_version=m.latest_version)
    for s in cf.study.sources:
        if (s.paper, s.version) in views or (s.version is None and any(k[0] == s.paper for k in views)):
            continue
        views[(s.paper, s.version)] = SourceView(
            key=f"{s.paper}v{s.version}" if s.version else s.paper, id=s.paper, version=s.version,
            title=s.title or "untitled", year=_arxiv_year(s.paper) or "n.d.", authors="",
            sha256=s.sha256 or "unknown",
            kind="local" if s.paper.startswith("local-") else "arxiv", pages=None, parser="not fetched",
            requested="not fetched", in_library=False, url=None if s.paper.startswith("local-") else
            f"https://arxiv.org/abs/{s.paper}" + (f"v{s.version}" if s.version else ""),
            mirror=False, claims=0, latest_version=None)
    for (pid, version), n in cited.items():
        matches = [k for k in views if k[0] == pid and (version is None or k[1] == version)]
        for k in matches:
            views[k].claims += n
    return [views[k] for k in sorted(views, key=lambda k: (k[0], k[1] or 0))]


def _missing_sources(cf: ClaimsFile, papers: list[PaperMeta]) -> list[str]:
    """Papers cited by claims or listed as study sources that are not in the library."""
    have = {(m.id, m.version) for m in papers}
    ids = {m.id for m in papers}
    refs = [r for claim in cf.claims for r in _refs_of(claim)]
    refs += [PaperRef(id=s.paper, version=s.version) for s in cf.study.sources]
    missing = {str(r) for r in refs
               if (r.version is None and r.id not in ids) or (r.version is not None and (r.id, r.version) not in have)}
    return sorted(missing)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _limitations(cf: ClaimsFile, rows: list[ClaimRow], papers: list[PaperMeta], groups: list[ResultsGroup],
                 results: LoadedResults, library_note: str | None) -> list[str]:
    out: list[str] = []
    ids = lambda rs: ", ".join(r.id for r in rs)  # noqa: E731
    unverified = [r for r in rows if r.label == NOT_VERIFIED]
    if unverified:
        out.append(f"{len(unverified)} of {plural(len(rows), 'claim')} not yet verified (run `synth verify`): "
                   f"{ids(unverified)}.")
    linked = sorted({c.experiment.experiment for c in cf.claims if c.experiment is not None})
    if not results.docs:
        what = ""
        if linked:
            one = len(linked) == 1
            what = (f" The claims link to experiment{'' if one else 's'} {', '.join(linked)}, which "
                    f"{'was' if one else 'were'} not run.")
        out.append("No replication results were found: no experiment was re-run, so no claim is replicated or "
                   "refuted by re-running it." + what)
    else:
        ran = {g.experiment for g in groups}
        not_run = [e for e in linked if e not in ran]
        if not_run:
            out.append(f"Experiments linked from claims but not run: {', '.join(not_run)}.")
    for g in groups:
        if not g.is_evidence:
            out.append(f"Experiment {g.experiment} ran with the {g.profile} profile (model {g.model or 'unknown'}, "
                       f"{g.steps} evaluation steps, fidelity {g.fidelity}): below paper fidelity, so its numbers "
                       "are a pipeline check, never evidence for or against the paper's claims.")
        if len(g.seeds) < 2:
            out.append(f"Experiment {g.experiment} ({g.profile}) ran a single seed ({g.seeds[0]}): "
                       "no seed interval, differences between configurations may be noise.")
    out.extend(results.problems)
    no_source = [r for r in rows if r.source == "no source"]
    unchecked = [r for r in no_source if r.label in (NOT_VERIFIED, NOT_CHECKED, "error")]
    by_run = [r for r in no_source if r not in unchecked and not r.evidence and r.replication is not None]
    searched = [r for r in no_source if r not in unchecked and r not in by_run]
    if by_run:
        one = len(by_run) == 1
        out.append(f"{plural(len(by_run), 'claim')} {'cites' if one else 'cite'} no paper and {'was' if one else 'were'} "
                   f"judged only by re-running {'its' if one else 'their'} experiment: {ids(by_run)}.")
    if unchecked:
        out.append(f"{plural(len(unchecked), 'claim')} without a source, so not checked against a paper: "
                   f"{ids(unchecked)}.")
    if searched:
        one = len(searched) == 1
        out.append(f"{plural(len(searched), 'claim')} {'cites' if one else 'cite'} no source and {'was' if one else 'were'} "
                   "checked against the whole library (the best-matching passage of any paper), not against a paper "
                   f"{'it names' if one else 'they name'}: {ids(searched)}.")
    missing = _missing_sources(cf, papers)
    if missing:
        out.append(f"Sources cited or listed but not in the library (run `synth fetch`): {', '.join(missing)}.")
    if library_note:
        out.append(library_note)
    truncated = [r for r in rows if r.truncated]
    if truncated:
        out.append(f"{plural(len(truncated), 'claim')} truncated as written (cut off mid-sentence), checkable only "
                   f"against the start of the source sentence: {ids(truncated)}.")
    newest = {m.id: m for m in papers}  # papers are sorted: the last one per id is the newest held
    for m in newest.values():
        if m.latest_version and m.latest_version > m.version:
            out.append(f"{m.id}: the library holds v{m.version} but arXiv reported v{m.latest_version} when it "
                       "was fetched; newer results may differ.")
    for label, what in (("inconclusive", "ended inconclusive (the evidence was not decisive)"),
                        (NOT_CHECKED, "not checked: the cited paper is not in the library (run `synth fetch`)"),
                        ("error", "could not be checked (the reason column says why)")):
        hit = [r for r in rows if r.label == label]
        if hit:
            out.append(f"{plural(len(hit), 'claim')} {what}: {ids(hit)}.")
    return out


def build_context(cf: ClaimsFile, *, papers: list[PaperMeta], results: LoadedResults, languages: dict,
                  provenance: dict, library_note: str | None = None,
                  grouping: Callable[[str], LanguageGrouping] = lambda _: LanguageGrouping()) -> dict:
    """Everything the templates read. Figures are described (file + data), drawn by synth.report.render."""
    rows = sorted((claim_row(c) for c in cf.claims), key=lambda r: r.id)
    counts = Counter(r.label for r in rows)
    groups = group_results(results.docs, languages, grouping)
    reviews: dict[str, list[ClaimRow]] = {}
    for r in rows:
        if r.review is not None:
            reviews.setdefault(r.review.review, []).append(r)
    return {
        "title": cf.study.title.strip() or "Study report",
        "question": cf.study.question.strip(),
        "n_claims": len(rows),
        "counts": [(label, counts[label]) for label in LABEL_ORDER if counts[label]],
        "origins": sorted(Counter(r.origin for r in rows).items()),
        "extraction_scores": sorted(c.score for c in cf.claims if c.origin.value == "extracted" and c.score is not None),
        "verifiers": sorted({c.verification.verifier for c in cf.claims if c.verification and c.verification.verifier}),
        "verified": [r for r in rows if r.label in VERIFIED_LABELS],
        "partial": [r for r in rows if r.label in PARTIAL_LABELS],
        "problems": [r for r in rows if r.label in PROBLEM_LABELS],
        "unresolved": [r for r in rows if r.label in UNRESOLVED_LABELS],
        "unverified": [r for r in rows if r.label == NOT_VERIFIED],
        "reviews": sorted(reviews.items()),
        "review_files": sorted(cf.study.reviews),
        "sources": _sources(cf, papers),
        "groups": groups,
        "limitations": _limitations(cf, rows, papers, groups, results, library_note),
        "provenance": provenance,
        "languages": {code: languages[code] for code in sorted(languages)},
    }
