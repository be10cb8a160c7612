"""Round-trip YAML reading with file:line error messages (ruamel.yaml keeps comments and node positions)."""

from __future__ import annotations

import os
from collections.abc import Callable
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
    yaml.representer.add_representer(str, _represent_str)
    return yaml


# YAML reads these as line breaks wherever a plain or single-quoted scalar holds them (NEL comes out of some PDFs):
# only a double-quoted scalar, where they are escaped (\N, \L, \P), gives the same text back.
_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(representer, data: str):
    if any(b in data for b in _BREAKS):
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return representer.represent_str(data)


def compact(value: Any, *, keep: frozenset[str] = frozenset(), drop_false: bool = True) -> Any:
    """Plain data with None, '' and empty containers left out (and False, when `drop_false`), so that a written
    file shows what matters; keys in `keep` stay even when empty (fields a person is meant to edit)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = compact(v, keep=keep, drop_false=drop_false)
            if k in keep or not is_empty(v, drop_false=drop_false):
                out[k] = v
        return out
    if isinstance(value, list):
        return [compact(v, keep=keep, drop_false=drop_false) for v in value]
    return value


def is_empty(value: Any, *, drop_false: bool = True) -> bool:
    """None, '' and empty containers (and False, when `drop_false`): values a written file leaves out."""
    return value is None or value == "" or value == [] or value == {} or (drop_false and value is False)


def read_utf8(path: Path, error: type[SynthError] = ConfigError) -> str:
    """The file's text; a missing or non-UTF-8 file raises `error` naming file:line."""
    return decode_utf8(read_bytes(path, error), path, error)


MAX_FILE_MB = 256  # a YAML file (claims, tasks) beyond this is a mistake (or /dev/zero), not data


def read_bytes(path: Path, error: type[SynthError] = ConfigError) -> bytes:
    """The file's bytes; a missing file, a folder, a device or an unreadable file raises `error` in one line."""
    import stat

    cap = MAX_FILE_MB * 1024 * 1024
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise error(f"{path}: not a regular file")
        # a pipe (`--claims <(...)`) is read; opening one without a writer must not wait forever
        fd = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if stat.S_ISFIFO(mode) else 0))
        if stat.S_ISFIFO(mode):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise error(f"{path}: larger than {MAX_FILE_MB} MiB; not read")
        return data
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None


def decode_utf8(data: bytes, path: Path, error: type[SynthError] = ConfigError) -> str:
    """Bytes → text; invalid UTF-8 raises `error` naming file:line and the offending byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None


# Budgets against hostile documents: a few aliases are handy, but nine nested aliases of nine aliases expand to
# a billion values in any plain-data conversion ("billion laughs"); deep nesting exhausts the parser's recursion.
MAX_ALIASES = 100
MAX_ALIAS_VALUES = 100_000  # values that expanding the aliases would add
MAX_DEPTH = 100


def shape_problem(node: Any) -> tuple[int, str] | None:
    """(0-based line, message) for the first budget a composed PyYAML node graph breaks, else None.

    Checks alias count, the size the aliases expand to, nesting depth and duplicate mapping keys; linear in the
    number of distinct nodes (aliased nodes are sized once)."""
    import yaml

    sizes: dict[int, int] = {}
    aliases = 0
    added = 0

    def size(n: Any, depth: int, line: int) -> int:
        nonlocal aliases, added
        if id(n) in sizes:  # a node met again is an alias use
            aliases += 1
            added += sizes[id(n)]
            if aliases > MAX_ALIASES:
                raise _Shape(line, f"more than {MAX_ALIASES} YAML aliases (*name); write the values out")
            if added > MAX_ALIAS_VALUES:
                raise _Shape(line, f"YAML aliases here expand to more than {MAX_ALIAS_VALUES:,} values "
                                   "(an alias bomb?); write the values out")
            return sizes[id(n)]
        if depth > MAX_DEPTH:
            raise _Shape(n.start_mark.line, f"nested more than {MAX_DEPTH} levels deep")
        sizes[id(n)] = 1  # provisional: a node that contains itself counts once
        total = 1
        if isinstance(n, yaml.MappingNode):
            seen: set = set()
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if (key.tag, key.value) in seen:
                        raise _Shape(key.start_mark.line, f"malformed YAML: duplicate key {key.value[:80]!r}")
                    seen.add((key.tag, key.value))
                total += size(key, depth + 1, key.start_mark.line)
                total += size(value, depth + 1, key.start_mark.line)
        elif isinstance(n, yaml.SequenceNode):
            for item in n.value:
                total += size(item, depth + 1, getattr(item.start_mark, "line", line))
        sizes[id(n)] = total
        return total

    try:
        if node is not None:
            size(node, 0, node.start_mark.line)
    except _Shape as exc:
        return exc.line, exc.message
    return None


class _Shape(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


_fast_loader: type | None = None


def fast_loader() -> type:
    """PyYAML's C loader reading scalars the way ruamel (YAML 1.2, the dialect synth writes) does: `yes`, `on`
    and `1:20` stay text, `010` is ten, `1e3` and `0o17` are numbers. The fast read path must not see a
    different file than the round-trip path that writes it."""
    global _fast_loader
    if _fast_loader is not None:
        return _fast_loader
    import re

    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    replaced = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:null"}

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag not in replaced]
                                      for k, v in base.yaml_implicit_resolvers.items()}
    rules = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$", "-+0123456789"),
        ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ]
    for tag, pattern, first in rules:
        Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))

    def construct_int(loader, node):
        text = loader.construct_scalar(node).replace("_", "")
        return int(text, 0) if text[:2] in ("0o", "0x", "0b") else int(text, 10)

    def construct_bool(loader, node):
        return loader.construct_scalar(node).lower() == "true"

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
    _fast_loader = Loader
    return Loader


def compose_fast(text: str) -> tuple[Any, Any]:
    """(loader, node): the document composed by libyaml (PyYAML's C parser); YAMLError on syntax problems."""
    loader = fast_loader()(text)
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


def check_shape(text: str, path: Path, error: type[SynthError] = ConfigError) -> None:
    """Refuse alias bombs, deep nesting and duplicate keys before the (slow, recursive) round-trip parser sees
    them; syntax errors are left to that parser, whose messages are better."""
    import yaml

    try:
        loader, node = compose_fast(text)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            raise error(f"{path}:{exc.problem_mark.line + 1}: nested more than {MAX_DEPTH} levels deep") from None
        return
    except (yaml.YAMLError, ValueError, RecursionError):
        return
    loader.dispose()
    problem = shape_problem(node)
    if problem is not None:
        raise error(f"{path}:{problem[0] + 1}: {problem[1]}")


def parse_yaml(text: str, path: Path, error: type[SynthError] = ConfigError) -> Any:
    """Parse YAML text round-trip; syntax errors, duplicate keys, alias bombs and deep nesting become `error`
    with file:line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    check_shape(text, path, error)
    try:
        return make_yaml().load(text)
    except RecursionError:
        raise error(f"{path}: nested too deeply to parse (more than {MAX_DEPTH} levels)") from None
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
        try:  # tagged or merged nodes may carry no position: keep the last line known
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0]
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                line = node.lc.item(key)[0]
                node = node[key]
            else:
                break
        except (TypeError, KeyError, AttributeError, IndexError):
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


def fast_validated(text: str, model: type[M], accept: Callable[[Any], bool] | None = None) -> M | None:
    """`model` validated from text read with PyYAML's C parser (several times faster than a ruamel round-trip);
    None when anything is off (syntax, duplicate keys, alias bombs, deep nesting, schema), so that the careful
    path (load_yaml_validated) explains it with file:line."""
    import yaml

    # tabs and exotic line breaks are where libyaml and ruamel disagree (libyaml takes `key\t: v`, ruamel not):
    # such files take the careful path, so every command reads the same data or gives the same error
    if any(c in text for c in ("\t", "\x85", "\u2028", "\u2029")):
        return None
    try:
        loader, node = compose_fast(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    try:
        if node is None or shape_problem(node) is not None:
            return None
        tree = loader.construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    finally:
        loader.dispose()
    if accept is not None and not accept(tree):
        return None
    try:
        return model.model_validate(tree)
    except ValidationError:
        return None


def load_yaml_validated(path: Path, model: type[M], error: type[SynthError] = ConfigError) -> M:
    """Read, parse and validate a YAML file against `model`; every failure is one `error` line with file:line.
    A file that reads and validates cleanly takes PyYAML's C parser (fast_validated); any problem takes the
    round-trip parser, which names the line."""
    text = read_utf8(path, error)
    if (fast := fast_validated(text, model)) is not None:
        return fast
    tree = parse_yaml(text, path, error)
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
