"""PDF text-layer backends behind a small protocol; pypdf is the default.

A backend streams `RawPage`s (1-based page number + extracted text, and where the library reports them the text
runs with font and position: see synth.papers.parse.layout) and turns every way a PDF can be unusable into a
one-line `PDFError`: empty file, corrupt or truncated file, password protection, no text layer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from synth.core.errors import PDFError


@dataclass(frozen=True)
class Run:
    """One piece of text drawn with one font at one position (PDF points, origin bottom-left)."""

    text: str
    x: float
    y: float
    size: float  # effective font size (the text and page transforms applied)
    font: str  # base font name without the subset prefix, e.g. 'NimbusRomNo9L-Medi'
    upright: bool = True  # False for rotated text (margin stamps, rotated table headers)


@dataclass(frozen=True)
class RawPage:
    """Text of one page as the backend extracted it (before any cleaning); `runs` when the backend has layout."""

    number: int
    text: str
    warning: str | None = None
    runs: tuple[Run, ...] | None = None
    width: float | None = None
    height: float | None = None


@runtime_checkable
class PdfBackend(Protocol):
    """What the parser needs from a PDF library."""

    name: str
    version: str

    def iter_pages(self, path: str | os.PathLike) -> Iterator[RawPage]:
        """Yield pages in order; raise PDFError when the file cannot be used."""
        ...


def check_file(path: Path) -> None:
    """Errors that need no PDF library: missing path, directory, 0-byte file, not a PDF at all."""
    if not path.exists():
        raise PDFError(f"{path}: no such file")
    if not path.is_file():
        raise PDFError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise PDFError(f"{path.name}: empty file (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise PDFError(f"{path.name}: not a PDF (no %PDF header; {size} bytes)")


class PypdfBackend:
    """pypdf (pure Python) text extraction, one page at a time."""

    name = "pypdf"

    def __init__(self) -> None:
        import pypdf

        self.version = pypdf.__version__

    def iter_pages(self, path: str | os.PathLike) -> Iterator[RawPage]:
        # pypdf logs recoverable damage ("Ignoring wrong pointing object") as warnings; while we read, only
        # errors get through: problems reach the caller as PDFError or RawPage.warning instead.
        pypdf_logger = logging.getLogger("pypdf")
        level = pypdf_logger.level
        pypdf_logger.setLevel(logging.ERROR)
        try:
            yield from self._pages(Path(path))
        finally:
            pypdf_logger.setLevel(level)

    def _pages(self, path: Path) -> Iterator[RawPage]:
        check_file(path)
        reader = self._open(path)
        try:
            n_pages = len(reader.pages)
        except Exception as exc:  # pypdf raises many types on a broken page tree
            raise PDFError(f"{path.name}: corrupt PDF ({_why(exc)})") from exc
        if n_pages == 0:
            raise PDFError(f"{path.name}: corrupt PDF (no pages)")
        total = 0
        failed = 0
        for index in range(n_pages):
            runs: list[Run] = []
            width = height = None
            try:
                page = reader.pages[index]
                text = page.extract_text(visitor_text=_collector(runs)) or ""
                width, height = float(page.mediabox.width), float(page.mediabox.height)
                warning = None
            except Exception as exc:  # one broken content stream must not lose the other pages
                text, warning = "", f"page {index + 1}: text extraction failed ({_why(exc)})"
                runs = []
                failed += 1
            total += len(text.strip())
            yield RawPage(number=index + 1, text=text, warning=warning, runs=tuple(runs) if runs else None,
                          width=width, height=height)
        if failed == n_pages:
            raise PDFError(f"{path.name}: corrupt PDF (text extraction failed on all {n_pages} pages)")
        if total == 0:
            raise PDFError(f"{path.name}: no text layer: scanned PDF? ({n_pages} pages, 0 characters)")

    @staticmethod
    def _open(path: Path):
        import pypdf
        from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

        try:
            reader = pypdf.PdfReader(path, strict=False)
        except Exception as exc:  # noqa: BLE001 - damaged files raise many types; all mean "unusable file"
            raise PDFError(f"{path.name}: corrupt PDF ({_why(exc)})") from exc
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except DependencyError as exc:
                raise PDFError(f"{path.name}: encrypted PDF (cannot decrypt: {_why(exc)})") from exc
            except (FileNotDecryptedError, PdfReadError, NotImplementedError) as exc:
                raise PDFError(f"{path.name}: encrypted PDF ({_why(exc)})") from exc
            if not ok:
                raise PDFError(f"{path.name}: encrypted PDF (a password is required)")
        return reader


def _collector(runs: list[Run]):
    """A pypdf `visitor_text` that records every non-empty run with its font, size and page position."""

    def visit(text, cm, tm, font_dict, font_size) -> None:
        if not text:
            return
        # position and scale on the page: the text matrix, then the current transformation matrix
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        vertical = (tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        scale = (vertical[0] ** 2 + vertical[1] ** 2) ** 0.5
        upright = abs(vertical[0]) < 0.1 * abs(vertical[1]) and vertical[1] > 0
        name = str(font_dict.get("/BaseFont", "")) if font_dict else ""
        runs.append(Run(text, x, y, round(float(font_size) * scale, 2), name.lstrip("/").split("+")[-1], upright))

    return visit


def _why(exc: BaseException) -> str:
    """The first line of an exception message, short enough for a one-line error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def default_backend() -> PdfBackend:
    return PypdfBackend()
