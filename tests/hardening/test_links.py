"""Links (issue 23, hostile cases): a symlinked claims.yaml is written through (the link stays a link and the
linked study gets the change); a figures folder that is a link to the user's pictures loses only files the report
itself drew (a manifest says which)."""

from __future__ import annotations

import os
from pathlib import Path

from synth.claims.document import load_claims, new_claims_file, save_claims
from synth.core.models import Claim
from synth.report.render import FIGURES_MANIFEST, remove_stale_figures


def _claim(cid: str) -> Claim:
    return Claim.model_validate({"id": cid, "origin": "manual", "type": "result", "text": f"Claim {cid} holds."})


def test_symlinked_claims_file_is_written_through(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    real = study / "claims.yaml"
    save_claims(new_claims_file(title="linked study", path=real), real)
    work = tmp_path / "work"
    work.mkdir()
    link = work / "claims.yaml"
    link.symlink_to(real)

    doc = load_claims(link)
    doc.data.claims.append(_claim("manual-c01"))
    save_claims(doc)

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert [c.id for c in load_claims(real).claims] == ["manual-c01"]  # the linked study got the claim
    assert not [p for p in study.iterdir() if p.name != "claims.yaml"]  # no temp file left beside it


def test_relative_symlink_and_second_write(tmp_path):
    (tmp_path / "studies").mkdir()
    real = tmp_path / "studies" / "x.yaml"
    save_claims(new_claims_file(title="x", path=real), real)
    link = tmp_path / "claims.yaml"
    link.symlink_to(Path("studies") / "x.yaml")
    for n in (1, 2):
        doc = load_claims(link)
        doc.data.claims.append(_claim(f"manual-c0{n}"))
        save_claims(doc)
    assert link.is_symlink()
    assert [c.id for c in load_claims(real).claims] == ["manual-c01", "manual-c02"]


def test_figures_folder_link_keeps_the_users_pictures(tmp_path):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "holiday.png").write_bytes(b"\x89PNG mine")
    reports = tmp_path / "reports"
    reports.mkdir()
    figures = reports / "study-figures"
    figures.symlink_to(pictures, target_is_directory=True)

    first = [figures / "verdicts.png", figures / "xnli-languages.png"]
    for p in first:
        p.write_bytes(b"\x89PNG drawn")
    remove_stale_figures(figures, first)
    assert (pictures / FIGURES_MANIFEST).read_text() == "verdicts.png\nxnli-languages.png\n"

    second = [figures / "verdicts.png"]  # the next report no longer draws xnli-languages.png
    remove_stale_figures(figures, second)
    assert sorted(p.name for p in pictures.iterdir()) == [FIGURES_MANIFEST, "holiday.png", "verdicts.png"]
    assert figures.is_symlink()


def test_folder_without_manifest_loses_nothing(tmp_path):
    figures = tmp_path / "r-figures"
    figures.mkdir()
    (figures / "old.png").write_bytes(b"x")  # someone's file, or a report from before manifests
    remove_stale_figures(figures, [])
    assert (figures / "old.png").exists()


def test_hostile_manifest_cannot_delete_outside_the_folder(tmp_path):
    figures = tmp_path / "r-figures"
    figures.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    (figures / FIGURES_MANIFEST).write_text("../precious.txt\n..\n.\n")
    remove_stale_figures(figures, [])
    assert outside.read_text() == "keep"


def test_search_log_of_a_symlinked_claims_file_lives_with_the_study(tmp_path):
    from synth.core.settings import Settings

    study = tmp_path / "study"
    study.mkdir()
    real = study / "stilts.yaml"
    save_claims(new_claims_file(title="s", path=real), real)
    link = tmp_path / "claims.yaml"
    link.symlink_to(real)
    settings = Settings(home=tmp_path / "lib", claims=link, runs=tmp_path / "runs", reports=tmp_path / "r",
                        cache=tmp_path / "c")
    assert settings.search_log_path == study / "stilts.search.yaml"
    plain = Settings(home=tmp_path / "lib", claims=study / "other.yaml", runs=tmp_path / "runs",
                     reports=tmp_path / "r", cache=tmp_path / "c")
    assert plain.search_log_path == study / "other.search.yaml"
