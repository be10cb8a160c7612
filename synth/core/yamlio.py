"""Round-trip YAML reading with file:line error messages (ruamel.yaml keeps comments and node positions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from synth.core.errors import ConfigError, SynthError

M = TypeVar("M", bound=BaseModel)


def make_yaml():
    """A round-trip ruamel.yaml instance with the house formatting (2-space indent, no line wrapping)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096  # never fold long sentences: one claim text per line diffs better
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    # write null as `null` (ruamel's default is an empty value, which would rewrite hand-written `key: null`)
    yaml.representer.add_representer(type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def read_utf8(path: Path, error: type[SynthError] = ConfigError) -> str:
    """The file's text; a missing or non-UTF-8 file raises `error` naming file:line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None


def parse_yaml(text: str, path: Path, error: type[SynthError] = ConfigError) -> Any:
    """Parse YAML text round-trip; syntax errors and duplicate keys become `error` with file:line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return make_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise error(f"{path}{line}: malformed YAML: {problem}") from None
    except YAMLError as exc:
        raise error(f"{path}: malformed YAML: {str(exc).splitlines()[0]}") from None


def line_of(tree: Any, loc: tuple) -> int | None:
    """1-based line of the deepest node of `tree` reachable along a pydantic error location."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line: int | None = getattr(getattr(tree, "lc", None), "line", None)
    node = tree
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0]
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0]
            node = node[key]
        else:
            break
    return None if line is None else line + 1


def describe_error(error: dict) -> str:
    """'claims[3].quantities[0].value: Input should be a valid number' from one pydantic error."""
    path = ""
    for key in error["loc"]:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
    return f"{path or '<top>'}: {error['msg']}"


def validation_message(path: Path, tree: Any, exc: ValidationError) -> str:
    """One line for the first pydantic error, pointing at file:line, plus a count of the others."""
    errors = exc.errors()
    first = errors[0]
    line = line_of(tree, tuple(first["loc"]))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{path}{f':{line}' if line else ''}: {describe_error(first)}{more}"


def load_yaml_validated(path: Path, model: type[M], error: type[SynthError] = ConfigError) -> M:
    """Read, parse and validate a YAML file against `model`; every failure is one `error` line with file:line."""
    tree = parse_yaml(read_utf8(path, error), path, error)
    try:
        return model.model_validate(to_plain(tree))
    except ValidationError as exc:
        raise error(validation_message(path, tree, exc)) from None


def to_plain(node: Any) -> Any:
    """ruamel round-trip containers and scalars → plain dict/list/str/int/float for pydantic."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (int, float, bool)) else k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node
