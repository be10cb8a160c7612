"""claims.yaml under attack and under concurrency: alias bombs, deep nesting, duplicate keys, CRLF/BOM files,
changes on disk while a command runs, and temp files left by killed writers."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from synth.claims.document import load_claims, new_claims_file, save_claims
from synth.core.errors import ClaimsError
from synth.core.models import Claim, Verification
from tests.conftest import DATA
from tests.hardening.conftest import SYNTH


def billion_laughs(where: str) -> str:
    """Nine levels of nine aliases (9^9 values when expanded), placed under `where`."""
    anchors = ['  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        anchors.append(f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    if where == "study":
        return "schema: 1\nstudy:\n  question: q\n" + "\n".join(anchors) + "\nclaims: []\n"
    if where == "top":
        return "schema: 1\nbomb:\n" + "\n".join(anchors) + "\nclaims: []\n"
    return ("schema: 1\nx:\n" + "\n".join(anchors) + "\nclaims:\n  - id: a-c01\n    text: t\n    cites: *l9\n")


def base_file(path: Path) -> str:
    doc = new_claims_file(question="Does it hold?", path=path)
    doc.data.claims.append(Claim(id="p-c01", text="MNLI helps by 3.6 points."))
    save_claims(doc, path)
    return path.read_text()


@pytest.mark.parametrize("where", ["study", "top", "cites"])
@pytest.mark.parametrize("command", [("claims", "ls"), ("claims", "check"), ("verify",)])
def test_alias_bombs_are_refused_with_file_and_line(cli, settings, where, command):
    settings.claims.write_text(billion_laughs(where))
    run = cli(*command)
    assert run.exit_code == 2, run.stderr
    assert f"{settings.claims}:" in run.stderr and "alias" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused_with_file_and_line(cli, settings, style):
    if style == "flow":
        text = "schema: 1\nstudy:\n  question: " + "[" * 5000 + "]" * 5000 + "\nclaims: []\n"
    else:
        text = "schema: 1\nstudy:\n  question:\n" + "".join("  " * (i + 2) + "- \n" for i in range(400))
    settings.claims.write_text(text)
    for command in (("claims", "ls"), ("claims", "check")):
        run = cli(*command)
        assert run.exit_code == 2, run.stderr
        assert f"{settings.claims}:" in run.stderr and "nested" in run.stderr


def test_a_few_aliases_still_work(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("schema: 1\nstudy:\n  question: q\nclaims:\n  - id: a-c01\n    text: t\n    cites: &c ['2005.13013']\n"
                    "  - id: a-c02\n    text: u\n    cites: *c\n")
    for read_only in (True, False):
        assert load_claims(path, read_only=read_only).get("a-c02").cites == ["2005.13013"]


def test_fast_loader_rejects_duplicate_keys_like_the_write_path(cli, settings):
    text = base_file(settings.claims)
    settings.claims.write_text(text.replace("    text: MNLI helps", "    text: first\n    text: MNLI helps"))
    for read_only in (True, False):
        with pytest.raises(ClaimsError, match=r":\d+: malformed YAML: duplicate key 'text'"):
            load_claims(settings.claims, read_only=read_only)
    run = cli("claims", "ls")
    assert run.exit_code == 2 and "duplicate key 'text'" in run.stderr


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_endings_and_bom_are_kept_on_save(tmp_path, bom, newline):
    path = tmp_path / "claims.yaml"
    text = base_file(path)
    edited = ("\ufeff" if bom else "") + ("# my notes\n" + text).replace("\n", newline)
    path.write_bytes(edited.encode("utf-8"))  # as an editor on Windows saves it
    doc = load_claims(path)
    doc.set_verification("p-c01", Verification(label="supported", confidence=0.9, reason="ok"))
    save_claims(doc)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    body = data.decode("utf-8").lstrip("\ufeff")
    assert body.count(newline) == body.count("\n")  # every line ends the same way
    assert "# my notes" in body and "label: supported" in body
    assert load_claims(path).get("p-c01").verification.label == "supported"


def test_claim_appended_by_hand_while_a_command_works_is_kept(tmp_path):
    path = tmp_path / "claims.yaml"
    base_file(path)
    doc = load_claims(path)  # a long command read the file...
    doc.data.claims.append(Claim(id="p-c02", text="Swahili gains 8.2 points."))
    doc.set_verification("p-c01", Verification(label="supported", confidence=0.8, reason="ok"))
    with path.open("a") as fh:  # ...meanwhile a person appends a claim and a comment
        fh.write("  # added by hand\n  - id: mine-c01\n    text: My own claim.\n")
    notes = save_claims(doc)
    final = load_claims(path)
    assert [c.id for c in final.claims] == ["p-c01", "mine-c01", "p-c02"]
    assert final.get("p-c01").verification.label == "supported"
    assert "# added by hand" in path.read_text()
    assert notes == []


def test_same_claim_changed_on_both_sides_keeps_the_persons_edit(tmp_path):
    path = tmp_path / "claims.yaml"
    base_file(path)
    doc = load_claims(path)
    doc.get("p-c01").text = "machine rewrite"
    path.write_text(path.read_text().replace("MNLI helps by 3.6 points.", "MNLI helps by 3.7 points (fixed)."))
    notes = save_claims(doc)
    assert load_claims(path).get("p-c01").text == "MNLI helps by 3.7 points (fixed)."
    assert notes and "p-c01" in notes[0]


def test_same_new_id_on_both_sides_renumbers_the_machine_claim(tmp_path):
    path = tmp_path / "claims.yaml"
    base_file(path)
    doc = load_claims(path)
    doc.data.claims.append(Claim(id="p-c02", text="machine claim"))
    with path.open("a") as fh:
        fh.write("  - id: p-c02\n    text: hand claim\n")
    notes = save_claims(doc)
    final = load_claims(path)
    assert final.get("p-c02").text == "hand claim" and final.get("p-c03").text == "machine claim"
    assert "p-c03" in notes[0]


def test_a_file_broken_meanwhile_is_not_overwritten(tmp_path):
    path = tmp_path / "claims.yaml"
    base_file(path)
    doc = load_claims(path)
    doc.data.claims.append(Claim(id="p-c02", text="x"))
    path.write_text("schema: 1\nclaims: [unclosed\n")
    with pytest.raises(ClaimsError, match="changed while synth was running and no longer loads"):
        save_claims(doc)
    assert path.read_text() == "schema: 1\nclaims: [unclosed\n"


def test_temp_files_of_killed_writers_are_removed_on_the_next_save(tmp_path):
    path = tmp_path / "claims.yaml"
    base_file(path)
    stale = tmp_path / ".claims.yaml.k2j4_x.tmp"
    stale.write_bytes(b"")  # what kill -9 during a write leaves
    doc = load_claims(path)
    save_claims(doc)
    assert not stale.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["claims.yaml"]


def test_claims_option_naming_a_folder_is_an_input_error(cli, tmp_path):
    run = cli("--claims", str(tmp_path), "claims", "ls")
    assert run.exit_code == 2 and "is a folder" in run.stderr and "Traceback" not in run.stderr
    run = cli("--claims", str(tmp_path), "import-report", str(DATA / "claims" / "review_stilts.md"))
    assert run.exit_code == 2 and "is a folder" in run.stderr


def test_concurrent_imports_and_verify_lose_nothing(env, settings, tmp_path):
    """Real processes: two reviews imported and a verify run at the same time; every imported claim survives."""
    reviews = []
    for i in range(3):
        review = tmp_path / f"review{i}.md"
        shutil.copy(DATA / "claims" / "review_stilts.md", review)
        reviews.append(review)
    procs = [subprocess.Popen([str(SYNTH), "--quiet", "import-report", str(r)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for r in reviews]
    procs.append(subprocess.Popen([str(SYNTH), "--quiet", "verify"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert "Traceback" not in err, err
    for p, (_, err) in zip(procs[:3], outputs):
        assert p.returncode == 0, err
    ids = {c.id for c in load_claims(settings.claims).claims}
    for i in range(3):
        assert {f"review{i}-c{n:02d}" for n in range(1, 7)} <= ids


def test_claim_appended_by_hand_during_extract_is_kept(cli, env, settings, tmp_path):
    from tests.papers.sources.pdfs import paper_pdf, write

    pdf = write(tmp_path / "paper.pdf", paper_pdf("A study", 1, 3.5))
    assert cli("fetch", str(pdf)).exit_code == 0
    base_file(settings.claims)
    proc = subprocess.Popen([str(SYNTH), "--quiet", "extract"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)  # the claim lands before, during or after the run: it must survive in every case
    with settings.claims.open("a") as fh:
        fh.write("  - id: mine-c01\n    text: My own claim.\n")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    doc = load_claims(settings.claims)
    assert doc.get("mine-c01").text == "My own claim."
    assert any(c.origin.value == "extracted" for c in doc.claims)
