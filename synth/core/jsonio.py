"""One validated reader for every JSON document synth reads back: API replies, the response cache, results.json,
predictions, examples.json, hub.lock.json, sentences.jsonl.

What it refuses, with one line naming the document (never a RecursionError, OverflowError or a bare ValueError):

- nesting deeper than `max_depth` (64 by default: synth's own files nest under 10 levels, API replies under 8);
- the non-standard constants NaN, Infinity and -Infinity, numbers that overflow to infinity, and numbers whose
  magnitude is over `max_number` (1e15 by default: 1e308 parses, but the first arithmetic on it overflows; user
  data such as task rows pass math.inf, keeping 64-bit ids);
- bytes that are not UTF-8, text that is not JSON, and (`read_model`) a document that does not fit its schema.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from synth.core.errors import ConfigError

MAX_DEPTH = 64
MAX_NUMBER = 1e15

M = TypeVar("M")


class JsonError(ConfigError):
    """A JSON document that cannot be used: not JSON, too deep, a non-finite or huge number, a schema misfit.
    `reason` is the bare detail ('NaN is not a JSON value', 'nested more than 64 levels deep'), for callers that
    word the message their own way."""

    def __init__(self, message: str, *, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message


def _error(what: str, problem: str, detail: str) -> JsonError:
    """'<what> is not valid JSON (<detail>)', or with a colon: '<what> is not usable JSON: <detail>'."""
    message = f"{what} {problem} {detail}" if problem.endswith(":") else f"{what} {problem} ({detail})"
    return JsonError(message, reason=detail)


class _Refused(ValueError):
    pass


def _finite(limit: float):
    def parse_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value) or abs(value) > limit:
            raise _Refused(f"the number {text[:40]} is out of range (more than {limit:g} in magnitude)")
        return value

    def parse_int(text: str) -> int:
        if limit == math.inf:
            return int(text)  # Python's own limit on digits still applies (a ValueError, reported as JsonError)
        if len(text.lstrip("-")) > 16:  # cheaper than converting a 4,000-digit int to compare it
            raise _Refused(f"the number {text[:40]}{'...' if len(text) > 40 else ''} is out of range "
                           f"(more than {limit:g} in magnitude)")
        value = int(text)
        if abs(value) > limit:
            raise _Refused(f"the number {text} is out of range (more than {limit:g} in magnitude)")
        return value

    return parse_float, parse_int


def _constant(name: str):
    raise _Refused(f"{name} is not a JSON value")


def depth(value: Any) -> int:
    """Nesting depth of a decoded document (a scalar is 0, [] and {} are 1), computed without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in node)
    return deepest


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _bracket_depth(text: str) -> int:
    """The deepest [ / { nesting of JSON text, strings skipped: checked before parsing, so a hostile document
    never reaches the recursive decoder."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    deepest = level = 0
    for c in brackets:
        if c in "[{":
            level += 1
            if level > deepest:
                deepest = level
        else:
            level -= 1
    return deepest


def loads(data: bytes | str, *, what: str = "JSON document", max_depth: int = MAX_DEPTH,
          max_number: float = MAX_NUMBER) -> Any:
    """Decode one JSON document; anything hostile or malformed raises JsonError naming `what`."""
    if isinstance(data, (bytes, bytearray)):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _error(what, "is not UTF-8 text", f"byte {exc.start} is not UTF-8") from None
    else:
        text = data
    if _bracket_depth(text) > max_depth:
        raise _error(what, "is nested too deeply; not read", f"nested more than {max_depth} levels deep")
    parse_float, parse_int = _finite(max_number)
    try:
        value = json.loads(text, parse_float=parse_float, parse_int=parse_int, parse_constant=_constant)
    except _Refused as exc:
        raise _error(what, "is not usable JSON:", str(exc)) from None
    except RecursionError:
        raise _error(what, "is nested too deeply; not read", "nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise _error(what, "is not valid JSON", f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:  # e.g. Python's own limit on integer digits
        raise _error(what, "is not usable JSON:", str(exc)) from None
    return value


def read_json(path: str | os.PathLike, *, what: str | None = None, max_depth: int = MAX_DEPTH,
              max_number: float = MAX_NUMBER) -> Any:
    """Read and decode a JSON file (see `loads`); an unreadable file raises JsonError too."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JsonError(f"cannot read {path}: {exc.strerror or exc}") from None
    return loads(data, what=what or str(path), max_depth=max_depth, max_number=max_number)


def read_model(path: str | os.PathLike, model: type[M], *, what: str | None = None,
               max_depth: int = MAX_DEPTH, max_number: float = MAX_NUMBER) -> M:
    """Read a JSON file and validate it as `model` (a pydantic model); a misfit is one JsonError line."""
    from pydantic import ValidationError

    where = what or str(path)
    data = read_json(path, what=where, max_depth=max_depth, max_number=max_number)
    try:
        return model.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise _error(where, "does not fit its schema:", _first_error(exc)) from None


def _first_error(exc) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or "(top level)"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{loc}: {first.get('msg', 'invalid')}{more}"


def iter_jsonl(path: str | os.PathLike, *, what: str | None = None, max_depth: int = MAX_DEPTH,
               max_number: float = MAX_NUMBER) -> Iterator[Any]:
    """Decode a JSON Lines file row by row (blank lines skipped); a bad row raises JsonError naming its line."""
    path = Path(path)
    where = what or str(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise JsonError(f"cannot read {path}: {exc.strerror or exc}") from None
    with fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                yield loads(line, what=f"{where} line {number}", max_depth=max_depth, max_number=max_number)
