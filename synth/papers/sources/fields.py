"""Reading fields of an API reply that may hold anything: a list where an object belongs, a number where a
string does, a date "99999-99-99". Each reader returns the value when it has the documented type and shape, and
an empty value otherwise, so one odd record never stops a search (and never reaches the log as garbage)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def mapping(value: Any) -> dict:
    """An object, or {}."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list:
    """An array, or []."""
    return value if isinstance(value, list) else []


def text(value: Any, limit: int = 10_000) -> str:
    """A string with its whitespace collapsed (at most `limit` characters), or ''."""
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def opt_text(value: Any, limit: int = 2_000) -> str | None:
    """A non-empty string, or None."""
    return text(value, limit) or None


def ident(value: Any) -> str | None:
    """An identifier given as a string or an integer (S2's MAG and CorpusId ids), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return opt_text(value, 300)


def count(value: Any) -> int | None:
    """A non-negative whole number, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def year(value: Any) -> int | None:
    """A plausible publication year (1000-2999), or None."""
    found = count(value)
    return found if found is not None and 1000 <= found <= 2999 else None


def published(value: Any) -> str | None:
    """A real date 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (a time part dropped), or None."""
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    if not m or year(int(m[1])) is None:
        return None
    try:
        date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None
    return m[0]


def names(values: Any, key: str | None = None) -> list[str]:
    """Author names from a list of strings or of objects holding them under `key`."""
    out = []
    for v in items(values):
        name = text(mapping(v).get(key) if key else v, 300)
        if name:
            out.append(name)
    return out
