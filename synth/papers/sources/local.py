"""Local PDFs: checks before parsing, a content-derived id (`local-<first 12 hex of sha256>`, version 1)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from synth.core.errors import InvalidIdError
from synth.core.files import sha256_file
from synth.core.models import PaperMeta
from synth.papers.sources.http import MiB, too_large

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
