"""The README a newcomer reads first (issue 23, parts 4 and 6): a pip-install section naming the extras, and a
worked example that works in a study folder of its own instead of editing the checkout's tracked claims.yaml."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert m, f"README.md has no '## {title}' section"
    return m.group(1)


def test_pip_install_section_names_the_extras():
    text = _section("Install with pip")
    assert "pip install torch==2.13.0" in text and "pip install '.[replicate]'" in text
    for extra in ("replicate", "cpu-model", "ray", "dev"):
        assert f"`{extra}`" in text


def test_worked_example_uses_a_study_folder_of_its_own():
    block = re.search(r"```bash\n(.*?)```", _section("Worked example"), re.S).group(1)
    lines = [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]
    first_write = next(i for i, line in enumerate(lines)
                       if re.match(r"synth (fetch|search|extract|import-report|verify|report)\b", line))
    assert any(re.search(r"(^|&& )cd \S*studies", line) for line in lines[:first_write])
