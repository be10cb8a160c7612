"""Hostile text in every place the report prints it: study title and question, claim ids and text, review file
names, PDF titles. The markdown report must show it literally (no raw HTML, no live links), like the HTML one."""

from __future__ import annotations

import re

import pytest

from synth.claims.document import new_claims_file, save_claims
from synth.core.models import Claim, Verification
from synth.report.markdown import md_code, md_text, safe_url
from tests.papers.sources.pdfs import paper_pdf, write

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![x](javascript:alert(2))",
    "\\[esc](javascript:alert(3))",
    "a `code` b``c | pipe",
    "line one\n\n# heading\n<iframe src=//evil>",
    "<!-- comment --> <a href=javascript:alert(4)>x</a>",
]
ALLOWED_TAGS = {"br", "sub", "/sub"}


CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def raw_html(markdown: str) -> list[str]:
    """Tags a markdown renderer would pass through as HTML (the report's own <br>/<sub> and autolinks aside);
    code spans show their content literally, so they are left out."""
    markdown = CODE_SPAN.sub("", markdown)
    found = []
    for m in re.finditer(r"<(/?[A-Za-z][A-Za-z0-9]*|!--|\?)", markdown):
        name = m.group(1).lower()
        if name in ALLOWED_TAGS or markdown[m.start():].startswith(("<http://", "<https://")):
            continue
        found.append(markdown[m.start():m.start() + 40])
    return found


def live_script_links(markdown: str) -> list[str]:
    """Link targets with a script-capable scheme behind an unescaped ']' (outside code spans)."""
    markdown = CODE_SPAN.sub("", markdown)
    return re.findall(r"(?<!\\)\]\(\s*(?:javascript|data|vbscript):[^)]*\)", markdown, flags=re.IGNORECASE)


@pytest.fixture
def hostile_study(cli, settings, tmp_path):
    payload = " ".join(PAYLOADS)
    pdf = write(tmp_path / "hostile.pdf", paper_pdf("<script>alert(5)</script> [t](javascript:alert(6))", 1, 2.0))
    run = cli("--json", "fetch", str(pdf))
    assert run.exit_code == 0, run.stderr
    key = run.json()[0]["paper"]
    doc = new_claims_file(question=payload, title="T " + payload, path=settings.claims)
    doc.data.study.reviews.append("rev`iew <img src=x onerror=alert(7)> [x](javascript:alert(8)).md")
    for i, text in enumerate(PAYLOADS, 1):
        claim = Claim(id=f"x`<b>{i}`-c{i:02d}", text=text, cites=[key.rsplit("v", 1)[0]])
        if i % 2:
            claim.verification = Verification(label="not_found", confidence=0.5, reason=payload)
        doc.data.claims.append(claim)
    save_claims(doc)
    return settings


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_prints_hostile_text_literally(cli, hostile_study, tmp_path, fmt):
    run = cli("--json", "report", "--format", fmt, "--out", str(tmp_path / "out"), "--name", "r")
    assert run.exit_code == 0, run.stderr
    text = (tmp_path / "out" / f"r.{fmt}").read_text()
    if fmt == "md":
        assert raw_html(text) == []
        assert live_script_links(text) == []
        assert "alert(1)" in text  # shown, not dropped
    else:
        assert "<script>" not in text and "<img src=x" not in text
        assert 'href="javascript:' not in text.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_escapes_render_safely(payload):
    escaped = md_text(payload)
    assert raw_html(escaped) == [] and live_script_links(escaped) == []
    assert "\n" not in escaped
    code = md_code(payload)
    fence = re.match(r"`+", code).group()
    assert code.endswith(fence) and fence not in code[len(fence):-len(fence)]


def test_only_http_links_survive():
    assert safe_url("https://arxiv.org/pdf/2005.13013v1") == "https://arxiv.org/pdf/2005.13013v1"
    assert safe_url("http://127.0.0.1:8000/a (b)") == "http://127.0.0.1:8000/a%20%28b%29"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>", "/etc/passwd", "", None):
        assert safe_url(bad) == ""
