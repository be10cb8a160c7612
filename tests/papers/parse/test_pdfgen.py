"""synth.demo.pdfgen: deterministic output, the Latin-1 fallback, spec validation, long papers."""

from __future__ import annotations

import pypdf
import pytest

import synth.demo.pdfgen as pdfgen
from synth.demo.pdfgen import render_pdf
from synth.demo.papers import long_spec, stilts_study_spec

from .conftest import STILTS_NUMBERS


def test_same_spec_same_bytes(tmp_path):
    a = render_pdf(stilts_study_spec(STILTS_NUMBERS), tmp_path / "a.pdf").read_bytes()
    b = render_pdf(stilts_study_spec(STILTS_NUMBERS), tmp_path / "b.pdf").read_bytes()
    assert a == b
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temp file


def test_version_two_differs_in_numbers_and_header(tmp_path):
    changed = {k: dict(v) for k, v in STILTS_NUMBERS.items()}
    changed["MNLI"]["sw"] = 66.1
    v2 = stilts_study_spec(changed, version=2)
    assert v2.running_header == "X-STILTs study (version 2)"
    assert "66.1" in " ".join(v2.sections[3].paragraphs) or v2.sections[3].tables[0].rows[1][3] == 66.1
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(render_pdf(v2, tmp_path / "v2.pdf")).pages)
    assert "This version (v2) updates the results" in " ".join(text.split())


def test_stilts_numbers_are_self_consistent():
    spec = stilts_study_spec({"baseline": {"en": 80.04, "de": 70.06}, "MNLI": {"en": 81.06, "de": 72.04}})
    (table,) = spec.sections[3].tables
    assert table.rows == [["baseline", 80.0, 70.1, 75.0], ["MNLI", 81.1, 72.0, 76.5]]
    assert "from 75.0 to 76.5, a change of +1.5 points" in spec.abstract


@pytest.mark.parametrize("numbers", [
    {"MNLI": {"en": 1.0}},
    {"baseline": {"en": 1.0}},
    {"baseline": {"en": 1.0, "de": 2.0}, "MNLI": {"en": 1.0}},
])
def test_stilts_spec_rejects_bad_numbers(numbers):
    with pytest.raises(ValueError):
        stilts_study_spec(numbers)


def test_core_font_fallback_without_unicode_font(tmp_path, monkeypatch):
    monkeypatch.setattr(pdfgen, "FONT_DIRS", ())
    assert pdfgen.unicode_font_paths() is None
    path = render_pdf(stilts_study_spec(STILTS_NUMBERS), tmp_path / "core.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert "\ufb01" not in text and "fine-tune" in " ".join(text.split()).replace("-\n", "-")
    from synth.papers.parse import parse_pdf

    parsed = parse_pdf(path)
    assert [s.title for s in parsed.sections][-2:] == ["References", "Training Details"]


def test_long_spec_is_deterministic_and_long(tmp_path):
    assert long_spec(3) == long_spec(3)
    path = render_pdf(long_spec(3), tmp_path / "long.pdf")
    n = len(pypdf.PdfReader(path).pages)
    assert 2 <= n <= 5
