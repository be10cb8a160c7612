"""Escaping untrusted text (paper titles, claim text and ids, review file names, results fields) for the markdown
report, the way autoescaping protects the HTML one.

Every `{{ value }}` a markdown template prints goes through `finalize`: markdown syntax that could change what the
reader sees is escaped (link and image brackets, code-span backticks, table pipes, backslashes), tags are
neutralised (`<script>` → `&lt;script>`), and line breaks cannot start new blocks. Filters that build markup
themselves (`md`, `code`, `url`, `join`) return `Markup`, which is printed as is.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup

_SPECIAL = re.compile(r"([\\`\[\]|])")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # the start of an HTML tag, comment or autolink; "p < 0.05" stays
_NEWLINES = re.compile(r"\r\n|\r|\n")
_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)\s*")  # with the blanks around them: one space replaces all


def md_text(value: object) -> str:
    """Inline markdown for `value`, printed literally: no links, images, code spans, tags or table breaks."""
    text = _SPECIAL.sub(r"\\\1", str(value))
    text = _TAG.sub("&lt;", text)
    return _LINE_BREAKS.sub(" ", text)


def md_prose(value: object) -> Markup:
    """Like `md_text` but backticks are left alone: for sentences synth writes itself that quote a command as
    code (`synth verify`) around data. A backtick can only toggle code formatting, never a link or a tag."""
    text = _TAG.sub("&lt;", re.sub(r"([\\\[\]|])", r"\\\1", str(value)))
    return Markup(_LINE_BREAKS.sub(" ", text))


def md_cell(value: object) -> Markup:
    """Text safe inside a markdown table cell: like `md_text`, with line breaks kept as <br>."""
    text = _TAG.sub("&lt;", _SPECIAL.sub(r"\\\1", str(value)))
    return Markup(_NEWLINES.sub("<br>", text).strip())


def md_code(value: object, table: bool = True) -> Markup:
    """`value` as a code span whatever backticks it holds (the fence is longer than any run inside); code spans
    show their content literally, so nothing else is escaped, except `|` inside tables (GFM splits cells there)."""
    text = " ".join(_NEWLINES.split(str(value)))
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def safe_url(value: object) -> str:
    """An http(s) URL fit for a link target (`(`, `)`, `<`, `>`, quotes, spaces encoded); anything else
    (javascript:, data:, relative paths) becomes '' so the template shows no link."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    if scheme not in ("http", "https"):
        return ""
    return quote(text, safe=":/?#@!$&*+,;=%-._~")


def md_url(value: object) -> Markup:
    """`safe_url` as markup for the markdown templates."""
    return Markup(safe_url(value))


def md_join(values, separator: str = "") -> Markup:
    """`join` for markdown: every item escaped (unless already markup); the separator is the template's own."""
    return Markup(str(separator).join(v if isinstance(v, Markup) else md_text(v) for v in values))


def finalize(value: object) -> object:
    """What a markdown template prints for `{{ value }}`: markup as is, everything else escaped."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("None")
    return Markup(md_text(value))
