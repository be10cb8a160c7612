"""claims.yaml: round-trip with comments, merge rules (add / update / never duplicate / never touch edits), errors."""

from __future__ import annotations

import pytest

from synth.claims.document import (ClaimsDocument, is_human_edited, load_claims, machine_hash, new_claims_file,
                          save_claims)
from synth.core.errors import ClaimsError
from synth.core.models import Claim, Evidence, SourceSpan, Verification

from .conftest import DATA

ROOT = DATA.parent.parent.parent


def extracted(n: int, text: str, start: int, end: int, page: int = 1, score: float = 0.8, paper="2101.00001"):
    return Claim(id=f"{paper}-c{n:02d}", text=text, source=SourceSpan(paper=paper, version=1, page=page,
                 start=start, end=end, quote=text), score=score)


COMMENTED = """\
# my study notes: keep this comment
schema: 1
study:
  question: Does it transfer?  # the research question
  sources: []
claims:
  # hand-written claim below
  - id: 2005.13013-c01
    text: "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."
    origin: manual
    type: comparison   # a comparison between tasks
"""


def test_round_trip_keeps_comments_quotes_and_order(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(COMMENTED)
    doc = load_claims(path)
    save_claims(doc)
    assert path.read_text() == COMMENTED


def test_repo_claims_yaml_loads_and_round_trips_byte_for_byte(tmp_path):
    doc = load_claims(ROOT / "claims.yaml")
    assert doc.data.study.sources[0].paper == "2005.13013"
    assert doc.data.study.sources[0].sha256 is None
    ids = [c.id for c in doc.claims]
    assert ids == [f"2005.13013-c0{i}" for i in range(1, 7)]
    assert all(c.origin.value == "manual" for c in doc.claims)
    five = doc.get("2005.13013-c05")
    assert [(q.value, q.unit) for q in five.quantities] == [(5.4, "points")]
    save_claims(doc, tmp_path / "copy.yaml")
    assert (tmp_path / "copy.yaml").read_text() == (ROOT / "claims.yaml").read_text()


def test_merge_adds_updates_never_duplicates_and_never_touches_edits(tmp_path):
    path = tmp_path / "claims.yaml"
    doc = new_claims_file(question="q?", path=path)
    first = [extracted(1, "MNLI improves XNLI by 3.6 points.", 10, 43),
             extracted(2, "SQuAD improves XNLI by 1.1 points.", 50, 84)]
    stats = doc.upsert_extracted(first)
    assert stats.added == ["2101.00001-c01", "2101.00001-c02"]
    save_claims(doc)

    # a person edits c01's text and adds a comment; c02 stays untouched
    text = path.read_text().replace("MNLI improves XNLI by 3.6 points.", "MNLI improves XNLI by 3.6 points (v1).")
    text = text.replace("  - id: 2101.00001-c02", "  # checked by hand\n  - id: 2101.00001-c02")
    path.write_text(text)
    doc = load_claims(path)
    assert is_human_edited(doc.get("2101.00001-c01"))
    assert not is_human_edited(doc.get("2101.00001-c02"))

    # re-extract: same spans (scores changed), plus one new claim at a new span
    again = [extracted(1, "MNLI improves XNLI by 3.6 points.", 10, 43, score=0.9),
             extracted(2, "SQuAD improves XNLI by 1.1 points.", 50, 84, score=0.95),
             extracted(3, "HellaSwag lowers XNLI by 0.9 points.", 90, 126)]
    stats = doc.upsert_extracted(again)
    assert stats.skipped_edited == ["2101.00001-c01"]
    assert stats.updated == ["2101.00001-c02"]
    assert stats.added == ["2101.00001-c03"]
    save_claims(doc)

    doc = load_claims(path)
    assert [c.id for c in doc.claims] == ["2101.00001-c01", "2101.00001-c02", "2101.00001-c03"]
    assert doc.get("2101.00001-c01").text.endswith("(v1).")      # human edit kept
    assert doc.get("2101.00001-c01").score == 0.8                 # and its machine fields not touched
    assert doc.get("2101.00001-c02").score == 0.95                # unedited: updated
    assert "# checked by hand" in path.read_text()                 # comments survive merges

    # a third identical run changes nothing and duplicates nothing
    stats = doc.upsert_extracted(again)
    assert stats.added == [] and stats.updated == [] and stats.unchanged == ["2101.00001-c02", "2101.00001-c03"]
    before = path.read_text()
    save_claims(doc)
    assert path.read_text() == before


def test_new_claims_get_the_next_number_and_ids_are_never_reused(tmp_path):
    doc = new_claims_file(path=tmp_path / "c.yaml")
    doc.upsert_extracted([extracted(1, "A gains 2 points.", 0, 17), extracted(2, "B gains 3 points.", 20, 37)])
    doc.data.claims = [c for c in doc.claims if c.id != "2101.00001-c01"] + [
        Claim(id="2101.00001-c07", text="kept by hand", origin="manual")]
    stats = doc.upsert_extracted([extracted(1, "C gains 4 points.", 40, 57)])
    assert stats.added == ["2101.00001-c08"]


def test_same_sentence_at_shifted_offsets_is_the_same_claim(tmp_path):
    doc = new_claims_file(path=tmp_path / "c.yaml")
    doc.upsert_extracted([extracted(1, "A gains 2 points.", 0, 17)])
    stats = doc.upsert_extracted([extracted(1, "A gains 2 points.", 5, 22)])  # parser upgrade moved the span
    assert stats.updated == ["2101.00001-c01"] and len(doc.claims) == 1
    assert doc.claims[0].source.start == 5


def test_verification_is_written_back_without_marking_the_claim_edited(tmp_path):
    path = tmp_path / "claims.yaml"
    doc = new_claims_file(path=path)
    doc.upsert_extracted([extracted(1, "A gains 2 points.", 0, 17)])
    save_claims(doc)
    doc = load_claims(path)
    doc.set_verification("2101.00001-c01", Verification(
        label="supported", confidence=0.9, reason="quote found on page 1",
        evidence=[Evidence(paper="2101.00001", version=1, page=1, quote="A gains 2 points.", score=1.0)]))
    save_claims(doc)
    doc = load_claims(path)
    claim = doc.get("2101.00001-c01")
    assert claim.verification.label == "supported" and claim.verification.evidence[0].page == 1
    assert not is_human_edited(claim)
    assert claim.machine_hash == machine_hash(claim)


def test_get_unknown_id_suggests_close_ids(tmp_path):
    doc = new_claims_file(path=tmp_path / "c.yaml")
    doc.upsert_extracted([extracted(1, "A gains 2 points.", 0, 17)])
    with pytest.raises(ClaimsError, match="did you mean 2101.00001-c01"):
        doc.get("2101.00001-c1")


# ----------------------------------------------------------------------------------------------- bad input

BAD = {
    "malformed": ("schema: 1\nclaims:\n  - id: a-c01\n    text: [unclosed\n", r"bad\.yaml:\d+: malformed YAML"),
    "schema2": ("# comment\nschema: 2\nclaims: []\n", r"bad\.yaml:2: schema version 2 is not supported"),
    "no_schema": ("claims: []\n", r"bad\.yaml:1: missing `schema: 1`"),
    "not_mapping": ("- a\n- b\n", r"bad\.yaml:1: expected a mapping"),
    "duplicate": ("schema: 1\nclaims:\n  - id: x-c01\n    text: a\n  - id: x-c02\n    text: b\n"
                  "  - id: x-c01\n    text: c\n", r"bad\.yaml:7: duplicate claim id 'x-c01' \(first at line 3\)"),
    "bad_type": ("schema: 1\nclaims:\n  - id: x-c01\n    text: a\n  - id: x-c02\n    text: b\n"
                 "    quantities:\n      - text: five\n        value: lots\n",
                 r"bad\.yaml:9: claims\[1\]\.quantities\[0\]\.value: Input should be a valid number"),
    "unknown_field": ("schema: 1\nclaims:\n  - id: x-c01\n    text: a\n    colour: red\n",
                      r"bad\.yaml:5: claims\[0\]\.colour: Extra inputs are not permitted"),
    "bad_enum": ("schema: 1\nclaims:\n  - id: x-c01\n    text: a\n    origin: guessed\n",
                 r"bad\.yaml:5: claims\[0\]\.origin: Input should be 'extracted', 'imported' or 'manual'"),
    "dup_key": ("schema: 1\nschema: 1\nclaims: []\n", r"bad\.yaml:\d+: malformed YAML"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_claims_files_fail_with_file_and_line(tmp_path, name):
    text, pattern = BAD[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ClaimsError, match=pattern) as info:
        load_claims(path)
    assert "\n" not in str(info.value)
    assert path.read_text() == text  # nothing overwritten


def test_non_utf8_file_is_rejected_with_line(tmp_path):
    path = tmp_path / "bad.yaml"
    data = "schema: 1\nclaims:\n  - id: x-c01\n    text: caf".encode() + b"\xe9\n"
    path.write_bytes(data)
    with pytest.raises(ClaimsError, match=r"bad\.yaml:4: not UTF-8 \(byte 0xe9\)"):
        load_claims(path)
    assert path.read_bytes() == data


def test_missing_file_is_an_error_unless_allowed(tmp_path):
    with pytest.raises(ClaimsError, match="no such file"):
        load_claims(tmp_path / "none.yaml")
    doc = load_claims(tmp_path / "none.yaml", missing_ok=True)
    assert isinstance(doc, ClaimsDocument) and doc.claims == []


def test_claim_pointing_at_a_paper_not_in_the_library(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("schema: 1\nclaims:\n  - id: x-c01\n    text: a\n    cites: ['2101.00001']\n"
                    "  - id: y-c01\n    text: b\n    source: {paper: '2005.13013', version: 2}\n")
    doc = load_claims(path)
    doc.check_papers({"2101.00001v3", "2005.13013v2"})  # a bare cite matches any version
    with pytest.raises(ClaimsError, match=r"claims\.yaml:6: claim y-c01 points at paper 2005\.13013v2, which is "
                                          r"not in the library \(run `synth fetch 2005\.13013v2` first\)"):
        doc.check_papers({"2101.00001v1", "2005.13013v1"})  # v2 is wanted, only v1 is there


def test_save_refuses_duplicate_ids_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "claims.yaml"
    doc = new_claims_file(path=path)
    doc.upsert_extracted([extracted(1, "A gains 2 points.", 0, 17)])
    save_claims(doc)
    before = path.read_text()
    doc.data.claims.append(doc.claims[0].model_copy())
    with pytest.raises(ClaimsError, match="duplicate claim id"):
        save_claims(doc)
    assert path.read_text() == before


def test_read_only_load_matches_round_trip_and_refuses_to_save(tmp_path):
    """The fast read-only path gives the same claims, falls back for file:line errors, and cannot be saved."""
    import pytest

    from synth.claims.document import load_claims, save_claims
    from synth.core.errors import ClaimsError

    path = tmp_path / "claims.yaml"
    path.write_text("schema: 1\n# a comment\nclaims:\n  - id: p-c01\n    text: MNLI helps by 5.4 points.\n"
                    "  - id: p-c02\n    text: SQuAD helps too.\n", encoding="utf-8")
    fast, full = load_claims(path, read_only=True), load_claims(path)
    assert fast.read_only and not full.read_only
    assert fast.data == full.data
    with pytest.raises(ClaimsError, match="read-only"):
        save_claims(fast)
    path.write_text("schema: 1\nclaims:\n  - id: p-c01\n    text: [oops\n", encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"claims.yaml:\d+: malformed YAML"):
        load_claims(path, read_only=True)
