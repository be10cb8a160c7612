"""Paper identifiers across databases: normalise DOIs and arXiv ids, read them from URLs, and parse the seed of a
citation search ('2005.13013', 'arXiv:2005.13013', '10.18653/…', 'doi:…', an S2 paperId, 'W3035…', a record key)."""

from __future__ import annotations

import re

from synth.core.errors import InvalidIdError
from synth.core.models import NEW_ID, OLD_ID, PaperIds

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(?P<id>[^?#\s]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)
_S2_ID = re.compile(r"^[0-9a-f]{40}$")
_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?(?P<id>W\d+)$", re.IGNORECASE)


def normalise_doi(text: str | None) -> str | None:
    """'https://doi.org/10.18653/V1/X' → '10.18653/v1/x'; None when it is not a DOI."""
    if not text:
        return None
    doi = _DOI_PREFIX.sub("", text.strip()).strip().lower()
    return doi if _DOI.match(doi) else None


def normalise_arxiv(text: str | None) -> str | None:
    """'arXiv:2005.13013v2' / '2005.13013' / 'hep-th/9901001v1' → the bare id without version; None otherwise."""
    if not text:
        return None
    text = re.sub(r"^arxiv:\s*", "", text.strip(), flags=re.IGNORECASE)
    for pattern in (NEW_ID, OLD_ID):
        m = pattern.match(text)
        if m:
            return m["id"]
    return None


def arxiv_from_doi(doi: str | None) -> str | None:
    """arXiv's own DOIs (10.48550/arXiv.<id>) name the arXiv paper."""
    m = _ARXIV_DOI.match(doi or "")
    return normalise_arxiv(m["id"]) if m else None


def arxiv_from_url(url: str | None) -> str | None:
    m = _ARXIV_URL.search(url or "")
    return normalise_arxiv(m["id"]) if m else None


def openalex_id(text: str | None) -> str | None:
    """'https://openalex.org/W3035084400' → 'W3035084400'."""
    m = _OPENALEX.match((text or "").strip())
    return m["id"].upper() if m else None


def make_ids(*, arxiv: str | None = None, doi: str | None = None, **others: str | None) -> PaperIds:
    """PaperIds from raw values: the arXiv DOI becomes the arXiv id (it names the same paper)."""
    doi_norm = normalise_doi(doi)
    arxiv_norm = normalise_arxiv(arxiv) or arxiv_from_doi(doi_norm)
    if arxiv_from_doi(doi_norm):
        doi_norm = None
    clean = {k: (str(v).strip() or None) if v is not None else None for k, v in others.items()}
    return PaperIds(arxiv=arxiv_norm, doi=doi_norm, **clean)


def parse_seed(text: str) -> PaperIds:
    """The paper a citation search starts from. Raises InvalidIdError with the accepted forms."""
    raw = text.strip()
    prefix, sep, rest = raw.partition(":")
    kind = prefix.lower() if sep else ""
    if kind in ("s2", "openalex", "acl", "mag") and rest:
        value = openalex_id(rest) if kind == "openalex" else rest.strip()
        if value:
            return PaperIds(**{kind: value})
    if kind == "doi" and (doi := normalise_doi(rest)):
        return make_ids(doi=doi)
    if arxiv := normalise_arxiv(raw) or arxiv_from_url(raw):
        return PaperIds(arxiv=arxiv)
    if doi := normalise_doi(raw):
        return make_ids(doi=doi)
    if _S2_ID.match(raw.lower()):
        return PaperIds(s2=raw.lower())
    if oa := openalex_id(raw):
        return PaperIds(openalex=oa)
    raise InvalidIdError(f"not a paper id for a citation search: {raw!r} (expected an arXiv id, a DOI, a Semantic "
                         "Scholar paperId, an OpenAlex W-id, or a record key such as 'arxiv:2005.13013')")
