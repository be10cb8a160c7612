"""Quiet installs (issue 23, part 7): every folder the wheel ships data from is declared in pyproject.toml, so that
`pip install` (and `make demo`) does not print setuptools' "Package would be ignored" warning for each of them;
and skipped tests say why in the summary."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.conftest import ROOT

FOLDERS = {"synth": ROOT / "synth", "synth.replicate": ROOT / "replicate", "synth.templates": ROOT / "templates"}
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _shipped_data_folders() -> set[str]:
    """Package names of the folders holding files the package-data globs ship (the names setuptools checks)."""
    setuptools = CONFIG["tool"]["setuptools"]
    out: set[str] = set()
    for package, globs in setuptools["package-data"].items():
        prefix = max((p for p in FOLDERS if package == p or package.startswith(p + ".")), key=len)
        base = FOLDERS[prefix].joinpath(*package[len(prefix):].strip(".").split(".")) if package != prefix \
            else FOLDERS[prefix]
        for path in base.rglob("*"):
            rel = path.relative_to(base).as_posix()
            if path.is_file() and any(fnmatch.fnmatch(rel, g) for g in globs) and "__pycache__" not in rel:
                parts = rel.split("/")[:-1]
                if parts and all(p.isidentifier() for p in parts):  # importable: setuptools would warn
                    out.add(".".join([package, *parts]))
    return out


def test_every_shipped_data_folder_is_declared():
    declared = set(CONFIG["tool"]["setuptools"]["packages"])
    missing = sorted(_shipped_data_folders() - declared)
    assert missing == [], f"declare these data folders in pyproject.toml [tool.setuptools] packages: {missing}"


def test_skips_are_explained_in_the_summary():
    assert "-rs" in CONFIG["tool"]["pytest"]["ini_options"]["addopts"].split()
