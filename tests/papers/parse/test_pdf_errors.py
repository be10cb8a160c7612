"""Unusable PDFs become one-line PDFErrors (never a traceback, never a half result)."""

from __future__ import annotations

import io

import pytest

from synth.core.errors import PDFError
from synth.papers.parse import parse_pdf


def _fails(path) -> str:
    with pytest.raises(PDFError) as info:
        parse_pdf(path)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert _fails(path) == "empty.pdf: empty file (0 bytes)"


def test_missing_path(tmp_path):
    assert _fails(tmp_path / "nope.pdf").endswith("nope.pdf: no such file")


def test_not_a_pdf(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("just some text, not a PDF\n")
    assert "not a PDF" in _fails(path)


def test_truncated_pdf(tmp_path, stilts_pdf):
    data = stilts_pdf.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert _fails(path).startswith("truncated.pdf: corrupt PDF (")


def test_random_bytes_after_pdf_header(tmp_path):
    import random

    rng = random.Random(7)
    path = tmp_path / "random.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(5000)))
    assert _fails(path).startswith("random.pdf: corrupt PDF")


def _encrypt(src, dst, user: str, owner: str) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.append(str(src))
    # RC4 needs no optional crypto dependency, so the test runs everywhere pypdf does.
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    dst.write_bytes(buffer.getvalue())


def test_encrypted_pdf_needs_password(tmp_path, stilts_pdf):
    path = tmp_path / "locked.pdf"
    _encrypt(stilts_pdf, path, user="secret", owner="owner")
    assert _fails(path) == "locked.pdf: encrypted PDF (a password is required)"


def test_encrypted_with_empty_user_password_is_read(tmp_path, stilts_pdf):
    path = tmp_path / "owner-only.pdf"
    _encrypt(stilts_pdf, path, user="", owner="owner")
    parsed = parse_pdf(path)
    assert any(s.title == "Results" for s in parsed.sections)


def test_image_only_pdf_has_no_text_layer(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("RGB", (60, 40), (200, 30, 30))
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(image, x=20, y=20, w=120)
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert _fails(path) == "scan.pdf: no text layer: scanned PDF? (2 pages, 0 characters)"


def test_backend_protocol_and_streaming(stilts_pdf):
    from synth.papers.parse.pdf import PdfBackend, PypdfBackend

    backend = PypdfBackend()
    assert isinstance(backend, PdfBackend)
    pages = backend.iter_pages(stilts_pdf)
    first = next(pages)  # a generator: pages come one at a time
    assert first.number == 1 and "Abstract" in first.text
    assert [p.number for p in pages] == [2]
