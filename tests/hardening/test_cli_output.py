"""What the CLI prints comes from data: it must be printed literally (no rich markup, no emoji codes, no terminal
escape sequences) and every expected failure must be one `error:` line with the documented exit code."""

from __future__ import annotations

import subprocess

import pytest

from synth.cli.common import safe
from tests.hardening.conftest import SYNTH


def titled_pdf(title: str, body: str) -> bytes:
    """A PDF whose document title and text are exactly these strings (fpdf, as the parser tests make theirs)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, text=body)
    return bytes(pdf.output())


@pytest.fixture
def odd_paper(cli, tmp_path):
    title = "T [/x] [bold]b[/bold] :smile: \x1b[2J\x1b]0;owned\x07 \u202eevil"
    body = "Results [/red] improve \x1b[31mby 3 points\x1b[0m on XNLI."
    path = tmp_path / "[x] odd [b].pdf"
    path.write_bytes(titled_pdf(title, body))
    run = cli("fetch", str(path))
    assert run.exit_code == 0, run.stderr
    return title


def test_markup_and_escape_codes_in_a_title_are_printed_literally(cli, odd_paper):
    for args in (("library", "ls"), ("library", "show", "local"), ("library", "search", "improve")):
        run = cli(*args)
        assert run.exit_code in (0, 2), run.stderr  # `show local` is not an id: one error line
        assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout and "\u202e" not in run.stdout
    listing = cli("library", "ls").stdout
    assert "[/x]" in listing and ":smile:" in listing and "\\x1b[2J" in listing
    meta = cli("--json", "library", "ls").json()[0]
    key = f"{meta['id']}v{meta['version']}"
    shown = cli("library", "show", key).stdout
    assert "[bold]b[/bold]" in shown and "\\u202eevil" in shown
    found = cli("library", "search", "improve").stdout
    assert "[/red]" in found and "\\x1b[31mby 3 points" in found


def test_json_keeps_the_data_exact(cli, odd_paper):
    assert cli("--json", "library", "ls").json()[0]["title"] == " ".join(odd_paper.split())


@pytest.mark.parametrize("text, shown", [("a\x1b[31mb", "a\\x1b[31mb"), ("bell\x07", "bell\\x07"),
                                         ("rtl\u202e", "rtl\\u202e"), ("tab\tnew\nline", "tab\tnew\nline"),
                                         ("surrogate \udcff", "surrogate \\udcff"), ("[b]x[/b]", "[b]x[/b]")])
def test_safe_makes_control_characters_visible(text, shown):
    assert safe(text) == shown


def test_error_messages_with_brackets_do_not_crash_the_handler(cli, settings):
    settings.claims.write_text("schema: 1\nclaims:\n  - id: '[/x]'\n    text: t\n  - id: '[/x]'\n    text: u\n")
    run = cli("claims", "ls")
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1 and "duplicate claim id '[/x]'" in run.stderr


@pytest.mark.parametrize("env, expected", [
    ({"SYNTH_HTTP_TIMEOUT": "abc"}, "bad setting SYNTH_HTTP_TIMEOUT='abc': Input should be a valid number"),
    ({"SYNTH_HTTP_RETRIES": "-1"}, "bad setting SYNTH_HTTP_RETRIES='-1'"),
    ({"SYNTH_HTTP_TIMEOUT": "1e400"}, "Input should be a finite number"),
    ({"SYNTH_HOME": "/etc/passwd"}, "/etc/passwd: the library folder is a file"),
])
def test_bad_settings_are_one_line_and_exit_2(run_synth, env, expected):
    p = run_synth("library", "ls", extra_env=env)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [p.stderr.strip()] and expected in p.stderr


def test_a_closed_pipe_ends_quietly(env, cli, odd_paper):
    proc = subprocess.Popen(f"{SYNTH} library ls | head -c 1", shell=True, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_pdf_errors_name_the_users_file_not_the_internal_copy(cli, tmp_path):
    from tests.papers.sources.pdfs import corrupt_pdf, encrypted_pdf

    for name, data in (("my draft.pdf", corrupt_pdf()), ("locked.pdf", encrypted_pdf())):
        path = tmp_path / name
        path.write_bytes(data)
        run = cli("--json", "fetch", str(path))
        assert run.exit_code == 1, run.stderr  # the item failed, reported
        message = run.json()[0]["message"]
        assert message.startswith(str(path)) and "paper.pdf" not in message
