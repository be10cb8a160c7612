"""The demo is deterministic (issue 23, part 5): two runs from scratch on one machine write the same bytes, and
the demo without the replicate extra says which extra to install (part 4)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from synth.core.errors import UsageError


# The git commit the code ran at is provenance; on a shared checkout it can move between the two runs
_CODE = re.compile(rb"code [0-9a-f]{7,40}(-dirty)?(, [0-9a-f]{7,40}(-dirty)?)*")


def _outputs(root: Path) -> dict[str, bytes]:
    """What a reader of the demo sees: the report and its figures, the claims file, the review, the papers, and
    every results document (less the provenance of when and at which commit it ran)."""
    files: dict[str, bytes] = {}
    for pattern in ("reports/**/*", "claims.yaml", "review.md", "papers/*.pdf"):
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = _CODE.sub(b"code COMMIT", path.read_bytes())
    for path in sorted(root.glob("runs/*/results.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc.pop("created", None)
        doc.pop("git", None)
        files[path.relative_to(root).as_posix()] = json.dumps(doc, sort_keys=True, indent=1).encode()
    return files


def _first_difference(a: bytes, b: bytes) -> str:
    lines = [(x, y) for x, y in zip(a.splitlines(), b.splitlines()) if x != y]
    return repr(lines[0])[:400] if lines else "lengths differ"


@pytest.mark.slow
def test_demo_twice_from_scratch_gives_the_same_bytes(tmp_path):
    """Everything is rebuilt the second time (tiny model, tokenizer, every training step), in the same folder."""
    from synth.demo.runner import run_demo

    out = tmp_path / "demo-out"
    run_demo(out)
    first = _outputs(out)
    out.rename(tmp_path / "first")
    second_result = run_demo(out)
    second = _outputs(out)
    assert second_result.steps["ran"] > 0 and second_result.steps["cached"] == 0  # really re-ran
    assert "reports/demo-report.md" in first and any(k.startswith("runs/") for k in first)
    assert sorted(first) == sorted(second)
    differing = {name: _first_difference(first[name], second[name]) for name in first if first[name] != second[name]}
    assert differing == {}, f"differ between two demo runs: {differing}"


def test_demo_without_the_replicate_extra_names_it(tmp_path, monkeypatch):
    import importlib.util

    from synth.demo.runner import run_demo

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(UsageError) as err:
        run_demo(tmp_path / "out")
    assert "pip install 'synth[replicate]'" in str(err.value) and "torch" in str(err.value)
    assert not (tmp_path / "out").exists()  # stopped before writing anything


def test_missing_optional_module_is_one_line_naming_the_extra(monkeypatch, capsys):
    from synth.cli import app

    def needs_torch(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr(app, "app", needs_torch)
    monkeypatch.setattr(sys, "argv", ["synth", "replicate", "run", "demo"])
    with pytest.raises(SystemExit) as exc:
        app.main()
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.strip() == "error: this command needs torch, which is not installed: pip install 'synth[replicate]'"
