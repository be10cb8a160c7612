"""Property-based fuzzing (hypothesis) of the parsers hostile input reaches first: the review importer, the claims
loader, number parsing and id parsing. Bounded (examples, sizes, no database) so the suite stays fast; the larger
budget runs in bench/fuzz_campaign.py."""

from __future__ import annotations

import math
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.claims.document import load_claims, new_claims_file, save_claims
from synth.core.errors import InvalidIdError, SynthError
from synth.core.models import Claim, ClaimType, Origin, Quantity, Verification

BOUNDED = settings(max_examples=40, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# text a hostile or careless user writes: markdown and YAML syntax, control characters, other scripts, digits
NASTY = st.lists(st.sampled_from(list("ab xyz019.,%+-−|[]{}()<>:&*!#'\"`\\/\t\n\r\x00\x1b\x85\u2028\u202e½٣３é中")
                                 + ["points", "MNLI", "v2", "2005.13013", "<script>", "---", "&a", "*a", "yes", "010",
                                    "1:20", "0o7", "1e3", "~", ".inf", "!!str", "? "]),
                 max_size=40).map("".join)


# ------------------------------------------------------------------------------------------ review importer

CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40)


@st.composite
def reviews(draw) -> str:
    header = draw(st.sampled_from(["| # | Claim | Source | Verified |", "Claim\tSource", "| Finding |", "| x |"]))
    sep = "\t" if "\t" in header else " | "
    n_cols = max(1, header.count("|") - 1) if "|" in header else 2
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=n_cols + 1), max_size=8))
    lines = [header]
    if "|" in header:
        lines.append("|" + "---|" * n_cols)
    lines += [("| " if "|" in header else "") + sep.join(r) + (" |" if "|" in header else "") for r in rows]
    lines += draw(st.lists(NASTY, max_size=3))
    return "\n".join(lines)


@BOUNDED
@given(text=reviews())
def test_review_importer_returns_claims_or_one_clean_error(tmp_path_factory, text):
    from synth.claims.importers import import_review

    path = tmp_path_factory.mktemp("review") / "review.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        review = import_review(path, library=None)
    except SynthError as exc:
        assert "\n" not in str(exc)
        return
    ids = [c.id for c in review.claims]
    assert len(ids) == len(set(ids)) and all(c.text.strip() for c in review.claims)
    assert all(c.origin == Origin.imported for c in review.claims)


# ------------------------------------------------------------------------------------------ claims loader

SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80).filter(
    lambda t: t.strip())


@st.composite
def claims(draw) -> list[Claim]:
    out = []
    for i in range(draw(st.integers(0, 4))):
        out.append(Claim(
            id=f"{draw(st.sampled_from(['2005.13013', 'review', 'x y']))}-c{i + 1:02d}",
            text=draw(SAFE_TEXT), type=draw(st.sampled_from(list(ClaimType))),
            origin=draw(st.sampled_from(list(Origin))),
            quantities=[Quantity(text=draw(SAFE_TEXT), value=draw(st.floats(allow_nan=False, allow_infinity=False)))
                        for _ in range(draw(st.integers(0, 2)))],
            verification=draw(st.none() | st.builds(Verification, label=st.sampled_from(["supported", "not_found"]),
                                                    confidence=st.none() | st.floats(0, 1), reason=SAFE_TEXT)),
        ))
    return out


@BOUNDED
@given(items=claims(), question=SAFE_TEXT, newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_claims_round_trip_and_both_loaders_agree(tmp_path_factory, items, question, newline, bom):
    path = tmp_path_factory.mktemp("claims") / "claims.yaml"
    doc = new_claims_file(question=question, path=path)
    doc.data.claims.extend(items)
    save_claims(doc)
    if newline != "\n" or bom:  # as another editor would save it
        path.write_bytes((("\ufeff" if bom else "") + path.read_text(encoding="utf-8").replace("\n", newline))
                         .encode("utf-8"))
    careful, fast = load_claims(path), load_claims(path, read_only=True)
    assert careful.data == fast.data
    assert careful.data.claims == items and careful.data.study.question == question
    save_claims(careful)  # an unchanged document keeps its bytes' style
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == bom


@BOUNDED
@given(text=st.one_of(NASTY, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))), cut=st.integers(0, 400))
def test_claims_loader_never_crashes_on_damaged_text(tmp_path_factory, text, cut):
    path = tmp_path_factory.mktemp("bad") / "claims.yaml"
    base = "schema: 1\nstudy:\n  question: q\nclaims:\n  - id: a-c01\n    text: t\n    cites: ['2005.13013']\n"
    path.write_bytes((base[:cut] + text + base[cut:]).encode("utf-8", "surrogatepass"))
    results = []
    for read_only in (False, True):
        try:
            results.append(load_claims(path, read_only=read_only).data)
        except SynthError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            results.append(None)
    assert results[0] == results[1]  # the fast path accepts exactly what the careful one accepts


# ------------------------------------------------------------------------------------------ numbers


@BOUNDED
@given(text=NASTY)
def test_number_extraction_never_crashes(text):
    from synth.claims.quantities import parse_quantities
    from synth.core.numbers import extract_numbers

    for n in extract_numbers(text):
        assert 0 <= n.start < n.end <= len(text) and math.isfinite(n.value)
    for q in parse_quantities(text):
        assert q.text


@BOUNDED
@given(value=st.decimals(min_value=-999, max_value=999, places=2, allow_nan=False, allow_infinity=False),
       unit=st.sampled_from(["%", " points", ""]))
def test_a_written_number_is_read_back(value, unit):
    from synth.core.numbers import extract_numbers

    written = f"{value:.2f}"
    text = f"Intermediate training changes accuracy to {written}{unit} on average."
    found = [n for n in extract_numbers(text) if n.text.strip().startswith(written.lstrip("-").lstrip("+")[:1])
             or n.value == float(written)]
    assert any(abs(n.value - float(written)) < 1e-9 for n in found), (text, found)


# ------------------------------------------------------------------------------------------ ids


@BOUNDED
@given(text=st.one_of(NASTY, st.text(max_size=300)))
def test_id_parsing_classifies_or_refuses_in_one_line(text):
    from synth.papers.library import Library
    from synth.papers.sources.arxiv import parse_identifier

    try:
        item = parse_identifier(text)
        assert item.kind in ("arxiv", "local", "library")
        if item.kind == "arxiv":
            assert re.fullmatch(r"[\x21-\x7e]+", str(item.ref))  # ASCII only: no look-alike digits
    except InvalidIdError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
    try:
        Library._ref(text)
    except InvalidIdError as exc:
        assert len(str(exc)) < 400


@BOUNDED
@given(yymm=st.integers(1501, 2912).filter(lambda n: 1 <= n % 100 <= 12), number=st.integers(0, 99999),
       version=st.none() | st.integers(1, 40), form=st.sampled_from(["{}", "arXiv:{}", "https://arxiv.org/abs/{}",
                                                                      "https://arxiv.org/pdf/{}.pdf"]))
def test_valid_ids_survive_every_form(yymm, number, version, form):
    from synth.papers.sources.arxiv import parse_identifier

    paper = f"{yymm:04d}.{number:05d}"
    text = paper + (f"v{version}" if version else "")
    item = parse_identifier(form.format(text))
    assert item.kind == "arxiv" and item.ref.id == paper and item.ref.version == version


def test_look_alike_digits_are_refused():
    from synth.papers.sources.arxiv import parse_identifier

    for text in ("２００５.１３０１３", "٢٠٠٥.١٣٠١٣", "2005.1301٣"):
        try:
            parse_identifier(text)
        except InvalidIdError as exc:
            assert "ASCII" in str(exc)
        else:
            raise AssertionError(f"{text!r} accepted")


_ = Path
