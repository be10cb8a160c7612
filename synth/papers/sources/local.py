"""Local PDFs: checks before parsing, their identity, and their metadata.

A local PDF is filed under the arXiv id and version its first page names when that evidence is unambiguous
(arXiv's margin stamp "arXiv:2005.13013v1 [cs.CL] ...", an arXiv DOI 10.48550/arXiv.2005.13013 that agrees
with it), or that the library's other papers cite its title with (synth.papers.library.cited), or under the id
the user gives (`synth fetch FILE --as 2005.13013v1`); otherwise under a content-derived id,
`local-<first 12 hex of sha256>`, version 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from synth.core.errors import InvalidIdError
from synth.core.files import sha256_file
from synth.core.models import PaperMeta, PaperRef
from synth.papers.sources.http import MiB, too_large

# arXiv's margin stamp; only page 1 is read (later pages cite other papers by arXiv id)
ARXIV_STAMP = re.compile(r"arXiv\s*:\s*(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?\s*\[[\w.\-]+\]", re.I)
ARXIV_DOI = re.compile(r"10\.48550/arXiv\.(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?", re.I)
# the year a first page states: the stamp's date, a copyright line ("c©2019 Association ..."), a proceedings line
STAMP_YEAR = re.compile(r"arXiv\s*:\s*\S+\s*\[[\w.\-]+\]\s+\d{1,2}\s+[A-Z][a-z]{2}\w*\s+(?P<y>(?:19|20)\d\d)")
PRINTED_YEAR = re.compile(r"(?:©|\(c\)|Copyright)\s*(?P<y>(?:19|20)\d\d)|Proceedings of .{0,160}?(?P<p>(?:19|20)\d\d)",
                          re.I | re.S)

if TYPE_CHECKING:
    from synth.core.settings import Settings


def check_pdf_file(path: Path, settings: "Settings") -> int:
    """Raise a clear error for a missing, empty, oversized or non-PDF file; return its size in bytes."""
    from synth.papers.parse.pdf import check_file

    if not path.exists():
        raise InvalidIdError(f"no such file: {path}")  # a usage error here (exit 2), not a bad PDF
    if not path.is_file():
        raise InvalidIdError(f"not a file: {path}")
    size = path.stat().st_size
    if size > settings.max_pdf_mb * MiB:
        raise too_large(str(path), size, settings)
    check_file(path)
    return size


def pdf_title(path: Path) -> str:
    """The title in the PDF's document information, or '' (the library then uses the first line of page 1)."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return ""
        title = (reader.metadata or {}).get("/Title") or ""
    except Exception:  # metadata is a nicety; parse_pdf reports real problems with the file
        return ""
    return " ".join(str(title).split())


def local_meta(path: Path, settings: "Settings", requested: str | None = None) -> PaperMeta:
    """Metadata for a local PDF; the id depends only on the bytes, so re-adding the same file is a no-op."""
    path = Path(path)
    size = check_pdf_file(path, settings)
    digest = sha256_file(path)
    return PaperMeta(
        id=f"local-{digest[:12]}",
        version=1,
        source="local",
        title=pdf_title(path),
        requested=requested if requested is not None else str(path),
        local_path=str(path.resolve()),
        sha256=digest,
        size_bytes=size,
        fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


@dataclass(frozen=True)
class PdfIdentity:
    """The arXiv paper a local PDF is (`ref` with its version), how that is known, or why it is not filed so."""

    ref: PaperRef | None
    evidence: str = ""
    doubt: str = ""  # said to the user when page 1 names an arXiv id that is not used


def first_page_text(path: Path) -> str:
    """Page 1's text as pypdf extracts it (rotated margin stamps included), or '' when it cannot be read."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted or not reader.pages:
            return ""
        return reader.pages[0].extract_text() or ""
    except Exception:  # parse_pdf reports real problems with the file
        return ""


def identify_pdf(first_page: str) -> PdfIdentity:
    """The arXiv id and version page 1 names, when the evidence is unambiguous (see the module docstring)."""
    stamps = {(m["id"], int(m["v"]) if m["v"] else None) for m in ARXIV_STAMP.finditer(first_page)}
    dois = {(m["id"], int(m["v"]) if m["v"] else None) for m in ARXIV_DOI.finditer(first_page)}
    ids = sorted({i for i, _ in stamps | dois})
    if not ids:
        return PdfIdentity(None)
    if len(ids) > 1:
        return PdfIdentity(None, doubt=f"page 1 names several arXiv papers ({', '.join(ids)}): not filed under "
                                       "any of them (use --as ID)")
    versions = sorted({v for _, v in stamps | dois if v is not None})
    how = " and ".join(w for w, found in (("arXiv stamp", stamps), ("arXiv DOI", dois)) if found)
    if len(versions) != 1:
        said = "no version" if not versions else "versions " + ", ".join(f"v{v}" for v in versions)
        return PdfIdentity(None, doubt=f"page 1 names arXiv {ids[0]} ({how}) with {said}: not filed under it "
                                       f"(use --as {ids[0]}vN)")
    ref = PaperRef(id=ids[0], version=versions[0])
    return PdfIdentity(ref, evidence=f"{how} on page 1")


def identity_as(text: str, first_page: str) -> PdfIdentity:
    """`--as 2005.13013v1`: the user's id (a bare id takes the version page 1 names). Raises InvalidIdError."""
    try:
        ref = PaperRef.parse(text.removeprefix("arXiv:").removeprefix("arxiv:"))
    except ValueError:
        raise InvalidIdError(f"--as {text!r}: not an arXiv id (expected e.g. 2005.13013v1)") from None
    if ref.id.startswith("local-"):
        raise InvalidIdError(f"--as {text!r}: give an arXiv id; local-<sha> ids are made from the file itself")
    read = identify_pdf(first_page)
    if ref.version is None:
        if read.ref is None or read.ref.id != ref.id:
            raise InvalidIdError(f"--as {text}: give the version too (e.g. --as {ref.id}v1): page 1 does not say it")
        ref = read.ref
    doubt = ""
    if read.ref is not None and read.ref != ref:
        doubt = f"page 1 says {read.ref} ({read.evidence}); filed as {ref} as asked"
    return PdfIdentity(ref, evidence="--as", doubt=doubt)


def year_on_page(first_page: str) -> str | None:
    """The year page 1 states (arXiv stamp date, copyright or proceedings line), or None."""
    m = STAMP_YEAR.search(first_page) or PRINTED_YEAR.search(first_page)
    return None if m is None else (m.groupdict().get("y") or m.groupdict().get("p"))


def filed_meta(meta: PaperMeta, identity: PdfIdentity) -> PaperMeta:
    """A local PDF's meta filed under the arXiv id and version it was identified as (unchanged when none)."""
    if identity.ref is None:
        return meta
    return meta.model_copy(update={"id": identity.ref.id, "version": identity.ref.version})


def read_front(path: Path):
    """Title and authors from page 1's layout (synth.papers.parse.front), or None."""
    try:
        from synth.papers.parse.front import read_front_matter
        from synth.papers.parse.pages import clean_lines
        from synth.papers.parse.pdf import default_backend

        raw = next(iter(default_backend().iter_pages(path)), None)
        return None if raw is None else read_front_matter(clean_lines(raw), raw.height)
    except Exception:  # front matter is a nicety; parse_pdf reports real problems with the file
        return None
