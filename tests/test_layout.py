"""The layout's rules, checked on the source: no import cycles between files, package dependencies pointing one
way (the README's layout drawing), and a wheel that lists every package."""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

# package → the packages it may import (the drawing in README.md "Layout"); imports inside a package are free.
ALLOWED = {
    "synth.core": set(),
    "synth.replicate": {"synth.core"},
    "synth.papers": {"synth.core"},
    "synth.claims": {"synth.core", "synth.papers"},
    "synth.verify": {"synth.core", "synth.papers", "synth.claims", "synth.replicate"},
    "synth.report": {"synth.core", "synth.papers", "synth.claims", "synth.verify", "synth.replicate"},
    "synth.demo": {"synth.core", "synth.papers", "synth.claims", "synth.verify", "synth.report", "synth.replicate"},
    "synth.cli": {"synth.core", "synth.papers", "synth.claims", "synth.verify", "synth.report", "synth.demo",
                  "synth.replicate"},
}
# synth.replicate's folders, lowest first (DESIGN.md "Layout"): each may import synth.core and the folders listed.
REPLICATE_ALLOWED = {
    "synth.replicate.experiments": set(),
    "synth.replicate.data": set(),
    "synth.replicate.tasks": {"synth.replicate.data"},  # the per-language generator reads task configs
    "synth.replicate.fixtures": {"synth.replicate.data"},  # the fixture builder reads task configs
    "synth.replicate.evaluation": {"synth.replicate.data"},
    "synth.replicate.training": {"synth.replicate.data", "synth.replicate.evaluation"},
    "synth.replicate.pipeline": {"synth.replicate.experiments", "synth.replicate.data", "synth.replicate.evaluation",
                                 "synth.replicate.training"},
    "synth.replicate.study": {"synth.replicate.experiments", "synth.replicate.data", "synth.replicate.pipeline"},
}
FOLDERS = {"synth": ROOT / "synth", "synth.replicate": ROOT / "replicate", "synth.templates": ROOT / "templates"}


def _modules() -> dict[str, Path]:
    """Installed module name → source file, for every .py file the wheel ships."""
    out = {}
    for prefix, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("").parts
            if prefix == "synth" and rel and rel[0] in ("replicate", "templates"):
                continue
            parts = list(rel[:-1]) if rel[-1] == "__init__" else list(rel)
            out[".".join([prefix, *parts])] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of this project that `name` imports anywhere in its file (function-level imports included)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_files():
    graph = _graph()
    # a package's __init__ re-exporting its modules is not a cycle of logic: leave __init__ → child edges out
    graph = {m: {t for t in deps if not t.startswith(m + ".")} for m, deps in graph.items()}
    assert _cycles(graph) == []


def test_packages_depend_one_way():
    wrong = defaultdict(set)
    for module, deps in _graph().items():
        package = _package(module)
        if package not in ALLOWED:
            continue
        for dep in deps:
            target = _package(dep)
            if target != package and target != "synth" and target not in ALLOWED[package]:
                wrong[module].add(dep)
    assert dict(wrong) == {}


def test_wheel_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {name for name, path in _modules().items() if path.name == "__init__.py"}
    declared = set(config["packages"])
    assert declared & packages == packages
    # the rest are data folders (package data, no code), declared so that the build does not warn about each
    for name in sorted(declared - packages):
        folder = data_folder(name)
        assert folder.is_dir() and not any(folder.glob("*.py")), name
    assert config["package-dir"] == {"synth.replicate": "replicate", "synth.templates": "templates"}


def data_folder(package: str) -> Path:
    """The source folder of a declared package name (synth.replicate.* lives in replicate/)."""
    for prefix, folder in sorted(FOLDERS.items(), key=lambda kv: -len(kv[0])):
        if package == prefix or package.startswith(prefix + "."):
            return folder.joinpath(*package[len(prefix):].strip(".").split(".")) if package != prefix else folder
    raise AssertionError(f"{package}: not under any source folder")


def _replicate_folder(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[:2] == ["synth", "replicate"] and len(parts) > 2 else None


def test_replicate_folders_depend_one_way():
    """Inside synth.replicate: every module sits in a folder, and a folder imports only the folders below it."""
    modules = _modules()
    loose = sorted(m for m in modules if m.startswith("synth.replicate.") and _replicate_folder(m) not in
                   REPLICATE_ALLOWED)
    assert loose == []
    wrong = defaultdict(set)
    for module, deps in _graph().items():
        folder = _replicate_folder(module)
        if folder is None:
            continue
        for dep in deps:
            target = _replicate_folder(dep)
            if dep == "synth.replicate" or (target and target != folder and target not in REPLICATE_ALLOWED[folder]):
                wrong[module].add(dep)
            if not dep.startswith(("synth.replicate", "synth.core")):
                wrong[module].add(dep)
    assert dict(wrong) == {}


def test_replicate_folder_order_is_acyclic():
    """The allowed arrows themselves form no cycle (so the drawing has a bottom and a top)."""
    assert _cycles({k: set(v) for k, v in REPLICATE_ALLOWED.items()}) == []

