"""Find a library paper from what a person writes in a reference: a library id or key, an arXiv id or URL, a
DOI, a file name, or the paper's title.

Papers added from local PDFs are stored as `local-<sha12>`; a review cites them by arXiv URL or title. Their
identity is read from what the library already holds (no schema change, nothing to keep in step): the arXiv
stamp or a DOI on the first page, an arXiv id in the file name the user gave, and the title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from synth.core.models import PaperMeta, PaperRef
from synth.papers.library.store import Library

# The stamp arXiv prints in the margin of its PDFs: "arXiv:1508.07909v5 [cs.CL] 10 Jun 2016". Only the first
# page is read: later pages cite other papers by arXiv id.
ARXIV_STAMP = re.compile(r"arXiv\s*:\s*(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?\s*\[[\w.\-]+\]", re.I)
ARXIV_ANY = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arXiv\s*:\s*)(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?", re.I)
ARXIV_IN_NAME = re.compile(r"(?<![\d.])(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?(?![\d])")
DOI = re.compile(r"\b(?P<doi>10\.\d{4,9}/[^\s\"<>,;]+[^\s\"<>,;.)\]])", re.I)
LIBRARY_ID = re.compile(r"(?<![\w-])(?P<id>local-[0-9a-f]{12})(?:v(?P<v>\d+))?(?![\w-])")
PDF_NAME = re.compile(r"(?P<name>[^\s/\\()\[\]<>\"']+\.pdf)\b", re.I)
MIN_TITLE_CHARS = 20  # shorter titles ('Introduction', 'BERT') match too much by chance


def normalise_title(text: str) -> str:
    """Lower case, NFKC, letters and digits only, single spaces ('Beyond Accuracy: …' → 'beyond accuracy …')."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"-\s+", "", text)  # hyphenation across a line break in a pasted reference
    return " ".join(re.findall(r"[^\W_]+", text))


def arxiv_stamp(first_page: str) -> str | None:
    """The arXiv id (with version when printed) of arXiv's margin stamp on a PDF's first page, or None."""
    m = ARXIV_STAMP.search(first_page)
    return None if m is None else m["id"] + (f"v{m['v']}" if m["v"] else "")


def doi_in(text: str) -> str | None:
    """The first DOI in `text`, lower-cased (DOIs are case-insensitive), or None."""
    m = DOI.search(text)
    return None if m is None else m["doi"].lower()


@dataclass
class PaperIdentity:
    """What identifies one stored paper version besides its library id."""

    meta: PaperMeta
    arxiv: str | None = None  # bare arXiv id, no version
    doi: str | None = None
    title: str = ""  # normalised
    file_names: set[str] = field(default_factory=set)  # lower-cased base names the user gave


def identify(library: Library, meta: PaperMeta) -> PaperIdentity:
    """The identity of one paper version (arXiv-sourced papers are their id; local ones are read)."""
    names = {PurePath(p).name.lower() for p in (meta.requested, meta.local_path) if p}
    ident = PaperIdentity(meta, title=normalise_title(meta.title), file_names={n for n in names if n})
    if meta.source == "arxiv":
        ident.arxiv = meta.id
    first = ""
    try:
        page = next(iter(library.iter_pages(meta)), None)
    except (OSError, ValueError):  # a damaged entry identifies by what meta.json says
        page = None
    if page is not None:
        first = "\n".join([page.text, *page.removed_lines])
    if ident.arxiv is None:
        stamp = arxiv_stamp(first)
        named = next((m for n in names for m in [ARXIV_IN_NAME.search(n)] if m), None)
        ident.arxiv = PaperRef.parse(stamp).id if stamp else (named["id"] if named else None)
    ident.doi = doi_in(first)
    return ident


class PaperFinder:
    """Resolves references to library papers; reads the library once per finder (one per import or run)."""

    def __init__(self, library: Library):
        self.library = library
        self._identities: list[PaperIdentity] | None = None

    def identities(self) -> list[PaperIdentity]:
        if self._identities is None:
            self._identities = [identify(self.library, m) for m in self.library.papers()]
        return self._identities

    def _newest(self, found: list[PaperIdentity]) -> PaperMeta | None:
        if not found:
            return None
        ids = {i.meta.id for i in found}
        if len(ids) > 1:  # two different papers claim the same identity: prefer the arXiv-sourced one
            arxiv = [i for i in found if i.meta.source == "arxiv"]
            found = arxiv or found
        return max(found, key=lambda i: (i.meta.source == "arxiv", i.meta.version)).meta

    def by_arxiv(self, arxiv_id: str) -> PaperMeta | None:
        """A stored paper that is arXiv paper `arxiv_id` (its own id, or a local PDF stamped or named so)."""
        bare = PaperRef.parse(arxiv_id).id
        return self._newest([i for i in self.identities() if i.arxiv == bare])

    def by_doi(self, doi: str) -> PaperMeta | None:
        return self._newest([i for i in self.identities() if i.doi and i.doi == doi.lower()])

    def by_file_name(self, name: str) -> PaperMeta | None:
        base = PurePath(name).name.lower()
        return self._newest([i for i in self.identities() if base in i.file_names])

    def by_title(self, text: str) -> PaperMeta | None:
        """A paper whose whole title appears in `text` (a reference line); the longest such title wins."""
        norm = f" {normalise_title(text)} "
        hits = [i for i in self.identities() if len(i.title) >= MIN_TITLE_CHARS and f" {i.title} " in norm]
        if not hits:
            return None
        longest = max(len(i.title) for i in hits)
        return self._newest([i for i in hits if len(i.title) == longest])

    def resolve(self, reference: str) -> str | None:
        """The citation (paper id, with the version the reference names) a reference means: a library paper
        found by library id, arXiv id or URL, DOI, file name or title (in that order), else the arXiv id it
        names, else None."""
        m = LIBRARY_ID.search(reference)
        if m and self.library.has(m["id"]):
            return m["id"] + (f"v{m['v']}" if m["v"] else "")
        arxiv = ARXIV_ANY.search(reference) or ARXIV_IN_NAME.search(reference)
        cited = arxiv["id"] + (f"v{arxiv['v']}" if arxiv["v"] else "") if arxiv else None
        if arxiv:
            if self.library.versions(arxiv["id"]):  # stored from arXiv: the version as cited (verify checks it)
                return cited
            local = self.by_arxiv(arxiv["id"])
            if local is not None:  # a local copy: its own version numbering, so the arXiv version is dropped
                return local.id
        m = DOI.search(reference)
        if m and (meta := self.by_doi(m["doi"])) is not None:
            return meta.id
        m = PDF_NAME.search(reference)
        if m and (meta := self.by_file_name(m["name"])) is not None:
            return meta.id
        meta = self.by_title(reference)
        # an arXiv id the library lacks stays the citation: `synth fetch` can get it
        return meta.id if meta is not None else cited
