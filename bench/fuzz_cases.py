"""Campaign cases, part 1: hostile inputs (PDFs, claims files, reviews, ids, settings, report injection).
Part 2 (library damage, network, replicate, signals, races, disks) is in fuzz_faults.py."""

from __future__ import annotations

import os
import random
import re
import signal
from pathlib import Path

from fuzz_campaign import Case, Step

KEY = "local-"  # base study papers are local PDFs plus 2005.13013v1


def write(work: Path, rel: str, data: bytes | str) -> Path:
    path = work / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def valid_pdf() -> bytes:
    from tests.papers.sources.pdfs import paper_pdf

    return paper_pdf("A valid paper for mutation", 1, 2.7)


def titled_pdf(title: str, body: str = "A short paper. Intermediate training improves accuracy by 2.0 points.",
               pages: int = 1) -> bytes:
    """A PDF whose document title and text are exactly what we pass (control characters included)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for i in range(pages):
        pdf.add_page()
        text = body.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 6, text=f"{text} Page {i + 1}.")
    return bytes(pdf.output())


# ------------------------------------------------------------------------------------------ PDFs


def pdf_cases() -> list[Case]:
    from tests.papers.sources.pdfs import corrupt_pdf, encrypted_pdf, scanned_pdf

    good = valid_pdf()
    rng = random.Random(16)
    variants: dict[str, object] = {
        "corrupt object stream": corrupt_pdf(),
        "encrypted": encrypted_pdf(),
        "scanned (no text layer)": scanned_pdf(),
        "zero bytes": b"",
        "one byte": b"%",
        "header only": b"%PDF-",
        "html saved as pdf": b"<html><body><h1>Not found</h1></body></html>",
        "png saved as pdf": b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)),
        "zip saved as pdf": b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(2000)),
        "%PDF then noise": b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(20000)),
        "%PDF then NULs": b"%PDF-1.4\n" + b"\x00" * 50000,
        "title with rich markup": titled_pdf("T [/x] [bold]x[/bold] :smile:"),
        "title with terminal escapes": titled_pdf("Title \x1b[2J\x1b[31mred\x1b[0m \x07 \u202eevil"),
        "text with terminal escapes": titled_pdf("Plain", body="Results \x1b]0;owned\x07 improve \x1b[31mby 3\x1b[0m."),
        "title 10k characters": titled_pdf("Long " * 2000),
        "title with HTML": titled_pdf("<img src=x onerror=alert(1)> [a](javascript:alert(1))"),
        "300 pages": titled_pdf("Many pages", pages=300),
        "whitespace-only text": titled_pdf("Blank", body="      "),
        "one 880 KB line": titled_pdf("One line", body=("accuracy improves by 3.5 points on XNLI " * 22000)),
    }
    for frac in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98):
        variants[f"truncated at {frac:.0%}"] = good[: int(len(good) * frac)]
    for seed in range(6):
        data = bytearray(good)
        r = random.Random(seed)
        for _ in range(8):
            data[r.randrange(len(data))] = r.randrange(256)
        variants[f"8 flipped bytes (seed {seed})"] = bytes(data)
    cases = []
    for name, data in variants.items():
        def prepare(work, data=data):
            write(work, "inputs/x.pdf", data)

        follow = [Step(["library", "ls"])]
        if "title" in name or "text" in name:
            follow += [Step(["library", "show", "local"]), Step(["library", "search", "improve"])]
        cases.append(Case("pdf", name, [Step(["fetch", "inputs/x.pdf"]), *follow], prepare=prepare))

    def fs_case(name, prepare, arg="inputs/x.pdf", env=None):
        cases.append(Case("pdf", name, [Step(["fetch", arg]), Step(["library", "ls"])], prepare=prepare,
                          env=env or {}))

    fs_case("a folder named x.pdf", lambda w: (w / "inputs" / "x.pdf").mkdir())
    fs_case("a symlink loop", lambda w: (w / "inputs" / "x.pdf").symlink_to(w / "inputs" / "x.pdf"))
    fs_case("a FIFO named x.pdf", lambda w: os.mkfifo(w / "inputs" / "x.pdf"))
    fs_case("/dev/zero", lambda w: None, arg="/dev/zero")
    fs_case("/dev/null", lambda w: None, arg="/dev/null")
    fs_case("a path that does not exist", lambda w: None, arg="inputs/nothing/here.pdf")
    fs_case("brackets and a newline in the name", lambda w: write(w, "inputs/[/x]\nb.pdf", good),
            arg="inputs/[/x]\nb.pdf")
    fs_case("a 250-character name", lambda w: write(w, "inputs/" + "n" * 246 + ".pdf", good),
            arg="inputs/" + "n" * 246 + ".pdf")
    fs_case("a 5000-character path", lambda w: None, arg="inputs/" + "d/" * 2500 + "x.pdf")
    fs_case("a non-ASCII name", lambda w: write(w, "inputs/ü論文 📄.pdf", good), arg="inputs/ü論文 📄.pdf")
    fs_case("over the size cap", lambda w: write(w, "inputs/x.pdf", good), env={"SYNTH_MAX_PDF_MB": "0.001"})
    cases.append(Case("pdf", "the same PDF twice in one call", [Step(["fetch", "inputs/x.pdf", "inputs/x.pdf"])],
                      prepare=lambda w: write(w, "inputs/x.pdf", good)))
    return cases


# ------------------------------------------------------------------------------------------ claims files


def _bomb(where: str) -> str:
    lines = ['  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    if where == "study":
        return "schema: 1\nstudy:\n  question: q\n" + "\n".join(lines) + "\nclaims: []\n"
    if where == "top":
        return "schema: 1\nbomb:\n" + "\n".join(lines) + "\nclaims: []\n"
    return "schema: 1\nx:\n" + "\n".join(lines) + "\nclaims:\n  - id: a-c01\n    text: t\n    cites: *l9\n"


def claims_mutations(text: str) -> dict[str, object]:
    """name → new content (str/bytes) or a function(text) of the base claims.yaml."""
    first_text = re.search(r"^    text: .*$", text, flags=re.M)
    rng = random.Random(7)
    m: dict[str, object] = {}
    for frac in (0.05, 0.3, 0.6, 0.95):
        m[f"truncated at {frac:.0%}"] = text[: int(len(text) * frac)]
    for seed in range(4):
        data = bytearray(text.encode())
        r = random.Random(100 + seed)
        for _ in range(5):
            data[r.randrange(len(data))] = r.choice(b":-[]{}&*!|>'\"#\t\n\x00")
        m[f"5 flipped bytes (seed {seed})"] = bytes(data)
    m["a Latin-1 byte"] = text.encode()[:200] + b"caf\xe9" + text.encode()[200:]
    m["BOM and CRLF"] = ("\ufeff" + text).replace("\n", "\r\n")
    m["tab indentation"] = text.replace("  ", "\t", 3)
    m["duplicate key in a claim"] = text.replace(first_text.group(), first_text.group() + "\n    text: dup", 1)
    m["duplicate claim id"] = text + text[text.index("  - id:"):]
    m["alias bomb under study"] = _bomb("study")
    m["alias bomb at top level"] = _bomb("top")
    m["alias bomb in cites"] = _bomb("cites")
    m["5000 nested brackets"] = "schema: 1\nstudy:\n  question: " + "[" * 5000 + "]" * 5000 + "\nclaims: []\n"
    m["400 nested lists"] = "schema: 1\nstudy:\n  question:\n" + "".join("  " * (i + 2) + "- \n" for i in range(400))
    m["claims is a string"] = "schema: 1\nclaims: hello\n"
    m["claims is null"] = "schema: 1\nclaims:\n"
    m["study is a list"] = "schema: 1\nstudy: [1, 2]\nclaims: []\n"
    m["text is a list"] = text.replace(first_text.group(), "    text: [a, b]", 1)
    m["confidence 7"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: t\n    verification:\n      label: supported\n      confidence: 7\n"
    m["unknown verdict label"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: t\n    verification:\n      label: maybe\n"
    m["page -1"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: t\n    source:\n      paper: '2005.13013'\n      page: -1\n"
    m["source.paper not an id"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: t\n    source:\n      paper: not an id\n"
    m["source.paper ../x"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: t\n    source:\n      paper: ../x\n"
    m["cites ../../etc/passwd"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: t\n    cites: ['../../etc/passwd']\n"
    m["empty id"] = "schema: 1\nclaims:\n  - id: ''\n    text: t\n"
    m["10k-character id"] = f"schema: 1\nclaims:\n  - id: {'i' * 10000}-c01\n    text: t\n"
    m["1 MB claim text"] = "schema: 1\nclaims:\n  - id: a-c01\n    text: '" + "improves by 2 points " * 50000 + "'\n"
    m["schema 2"] = text.replace("schema: 1", "schema: 2", 1)
    m["no schema"] = text.replace("schema: 1\n", "", 1)
    m["empty file"] = ""
    m["only a comment"] = "# nothing here\n"
    m["binary garbage"] = bytes(rng.randrange(256) for _ in range(4000))
    m["python object tag"] = "schema: 1\nclaims: !!python/object/apply:os.system ['echo pwned > pwned']\n"
    m["binary tag"] = "schema: 1\nstudy:\n  question: !!binary aGVsbG8=\nclaims: []\n"
    m["timestamp question"] = "schema: 1\nstudy:\n  question: 2020-05-26\nclaims: []\n"
    m["merge keys"] = ("schema: 1\nbase: &b {text: shared, type: result}\nclaims:\n  - <<: *b\n    id: a-c01\n"
                       "  - <<: *b\n    id: a-c02\n")
    m["two documents"] = text + "\n---\n" + text
    m["null document"] = "~\n"
    m["unknown top-level key"] = text + "extra: 1\n"
    return m


def claims_cases(base_claims: str) -> list[Case]:
    readers = [["claims", "ls"], ["claims", "check"], ["verify"], ["report"], ["claims", "show", "review-c01"]]
    writers = [["import-report", "inputs/review.md"], ["verify"], ["extract", "--min-score", "0.9"]]
    cases = []
    for i, (name, content) in enumerate(claims_mutations(base_claims).items()):
        def prepare(work, content=content):
            write(work, "claims.yaml", content)

        for args in (readers[i % len(readers)], writers[i % len(writers)]):
            cases.append(Case("claims file", f"{name} → {' '.join(args)}", [Step(list(args))], prepare=prepare,
                              report=args[0] == "report"))
    return cases


# ------------------------------------------------------------------------------------------ reviews

HEADER = "| # | Claim | Source | Verified |\n|---|---|---|---|\n"


def review_variants() -> dict[str, object]:
    rng = random.Random(3)
    v: dict[str, object] = {
        "empty": "",
        "no table": "# A review\n\nJust prose, no claims table.\n",
        "header only": HEADER,
        "one column": "| Claim |\n|---|\n| MNLI helps by 3 points. |\n",
        "3,000 rows": HEADER + "".join(f"| {i} | Claim {i} improves accuracy by {i % 9}.{i % 7} points. | [1] | ✓ |\n"
                                       for i in range(3000)),
        "an 86 KB cell": HEADER + "| 1 | " + "accuracy rises by 3.5 points on XNLI " * 2300 + " | [1] | ✓ |\n",
        "an 860 KB cell": HEADER + "| 1 | " + "accuracy rises by 3.5 points on XNLI " * 23000 + " | [1] | ✓ |\n",
        "binary": bytes(rng.randrange(256) for _ in range(5000)),
        "Latin-1": ("| Claim | Source |\n|---|---|\n| Caf\xe9 results improve by 2 points. | [1] |\n").encode("latin-1"),
        "UTF-16": ("| Claim | Source |\n|---|---|\n| MNLI helps by 3 points. | [1] |\n").encode("utf-16"),
        "HTML and markup in cells": HEADER + "| 1 | <script>alert(1)</script> [/x] [bold]b[/bold] improves 2 points | "
                                             "<img src=x onerror=1> | ✓ |\n",
        "escaped pipes and backticks": HEADER + "| 1 | a \\| b `c|d` improves by 2 points | [1] | ✓ |\n",
        "200 columns": "|" + "|".join(f" c{i} " for i in range(200)) + "|\n|" + "---|" * 200 + "\n|" + "x|" * 200 + "\n",
        "unbalanced rows": HEADER + "| 1 | only two cells |\n| 2 | a | b | c | d | e | f |\n",
        "CRLF table": (HEADER + "| 1 | MNLI helps by 3 points. | [1] | ✓ |\n").replace("\n", "\r\n"),
        "sources with paths": HEADER + "| 1 | MNLI helps by 3 points. | ../../etc/passwd | ✓ |\n"
                                       "| 2 | SQuAD helps. | file:///etc/shadow | ✓ |\n",
        "full-width arXiv id source": HEADER + "| 1 | MNLI helps by 3 points. | arXiv:２００５.１３０１３ | ✓ |\n",
        "10,000 references": HEADER + "| 1 | MNLI helps. | [9999] | ✓ |\n\n## References\n\n"
                             + "".join(f"{i}. Author {i}. 2020. Paper {i}. https://arxiv.org/abs/2005.{i:05d}\n"
                                       for i in range(1, 10001)),
        "numbers everywhere": HEADER + "| 1 | " + " ".join(f"{i}.{i}% ±{i}" for i in range(3000)) + " | [1] | ✓ |\n",
        "NUL bytes": HEADER.encode() + b"| 1 | MNLI \x00 helps | [1] | \x00 |\n",
        "nested table in a cell": HEADER + "| 1 | | a | b | |\n|---|---| | [1] | ✓ |\n",
    }
    return v


def review_cases() -> list[Case]:
    cases = []
    for name, content in review_variants().items():
        def prepare(work, content=content):
            write(work, "inputs/rev.md", content)

        cases.append(Case("review", f"{name} → import-report", [Step(["import-report", "inputs/rev.md"])],
                          prepare=prepare))
        cases.append(Case("review", f"{name} → verify FILE.md", [Step(["verify", "inputs/rev.md"])], prepare=prepare))
    odd = {
        "a folder named .md": (lambda w: (w / "inputs" / "rev.md").mkdir(), "inputs/rev.md"),
        "a path that does not exist": (lambda w: None, "inputs/none.md"),
        "/dev/zero": (lambda w: None, "/dev/zero"),
        "a FIFO": (lambda w: os.mkfifo(w / "inputs" / "rev.md"), "inputs/rev.md"),
        "brackets in the name": (lambda w: write(w, "inputs/[/x] [b].md", HEADER + "| 1 | a claim | [1] | ✓ |\n"),
                                 "inputs/[/x] [b].md"),
    }
    for name, (prepare, arg) in odd.items():
        for args in (["import-report", arg], ["verify", arg]):
            cases.append(Case("review", f"{name} → {args[0]}", [Step(args)], prepare=prepare))
    for rid in ("../x", "[/x]", "", "a" * 5000, "x\ny", "-c01"):
        cases.append(Case("review", f"--id {rid[:20]!r}", [Step(["import-report", "inputs/review.md", "--id", rid])]))
    return cases


# ------------------------------------------------------------------------------------------ ids

HOSTILE_IDS = [
    "", " ", "x" * 20000, "２００５.１３０１３", "٢٠٠٥.١٣٠١٣", "2005.13013v0", "2005.13013v" + "9" * 30, "2013.13013",
    "9912.12345", "hep-th/99010011", "HEP-TH/9901001", "2005.13013; rm -rf /", "$(touch pwned)", "`id`",
    "../../etc/passwd", "file:///etc/passwd", "https://evil.example/abs/2005.13013", "https://arxiv.org/abs/",
    "https://arxiv.org/pdf/2005.13013v1.pdf?download=1#x", "arXiv:2005.13013", "[/x]", "\u202e2005.13013",
    "2005.13013\x1b[2J", "%s%n{0}", "local-zzzzzzzzzzzz", "local-" + "0" * 12 + "v1", "🙂", "-", "--json",
]


def id_cases() -> list[Case]:
    commands = [["fetch", "{}"], ["library", "show", "{}"], ["library", "rm", "{}"], ["claims", "show", "{}"],
                ["verify", "{}"], ["library", "search", "x", "--paper", "{}"], ["extract", "{}"]]
    cases = []
    for i, ident in enumerate(HOSTILE_IDS):
        for args in (commands[i % len(commands)], commands[(i + 3) % len(commands)]):
            argv = [a.format(ident) if a == "{}" else a for a in args]
            if argv[0] == "fetch" or argv[0] == "extract":
                argv = [argv[0], "--", *argv[1:]] if ident.startswith("-") else argv
            cases.append(Case("ids", f"{' '.join(args[:2])} {ident[:30]!r}", [Step(argv)],
                              removes_papers=args[:2] == ["library", "rm"]))
    return cases


# ------------------------------------------------------------------------------------------ settings


UNREADABLE_VALUES = {"SYNTH_HTTP_TIMEOUT=abc", "SYNTH_HTTP_TIMEOUT=-1", "SYNTH_HTTP_TIMEOUT=1e400",
                     "SYNTH_HTTP_RETRIES=1e9", "SYNTH_MAX_PDF_MB=0", "SYNTH_ARXIV_DELAY=-5",
                     "SYNTH_VERIFY_SAVE_EVERY=-1"}


def settings_cases() -> list[Case]:
    bad = {
        "SYNTH_HTTP_TIMEOUT=abc": {"SYNTH_HTTP_TIMEOUT": "abc"},
        "SYNTH_HTTP_TIMEOUT=-1": {"SYNTH_HTTP_TIMEOUT": "-1"},
        "SYNTH_HTTP_TIMEOUT=1e400": {"SYNTH_HTTP_TIMEOUT": "1e400"},
        "SYNTH_HTTP_RETRIES=1e9": {"SYNTH_HTTP_RETRIES": "1e9"},
        "SYNTH_MAX_PDF_MB=0": {"SYNTH_MAX_PDF_MB": "0"},
        "SYNTH_ARXIV_DELAY=-5": {"SYNTH_ARXIV_DELAY": "-5"},
        "SYNTH_VERIFY_SAVE_EVERY=-1": {"SYNTH_VERIFY_SAVE_EVERY": "-1"},
        "SYNTH_HOME is a file": {"SYNTH_HOME": "/etc/passwd"},
        "SYNTH_HOME empty": {"SYNTH_HOME": ""},
        "SYNTH_HOME under a file": {"SYNTH_HOME": "/etc/passwd/lib"},
        "SYNTH_CLAIMS is a folder": {"SYNTH_CLAIMS": "/tmp"},
        "SYNTH_CLAIMS=/dev/zero": {"SYNTH_CLAIMS": "/dev/zero"},
        "SYNTH_CLAIMS=/dev/null": {"SYNTH_CLAIMS": "/dev/null"},
        "SYNTH_RUNS is a file": {"SYNTH_RUNS": "/etc/passwd"},
        "SYNTH_REPORTS is a file": {"SYNTH_REPORTS": "/etc/passwd"},
        "SYNTH_TEMPLATES missing": {"SYNTH_TEMPLATES": "/nonexistent/templates"},
        "SYNTH_CACHE is a file": {"SYNTH_CACHE": "/etc/passwd"},
        "SYNTH_ARXIV_API not a URL": {"SYNTH_ARXIV_API": "not a url"},
        "SYNTH_ARXIV_API file://": {"SYNTH_ARXIV_API": "file:///etc/passwd"},
        "SYNTH_NLI_MODEL missing": {"SYNTH_NLI_MODEL": "/nonexistent/model"},
        "SYNTH_SPACY_MODEL unknown": {"SYNTH_SPACY_MODEL": "xx_no_such_model"},
        "SYNTH_EMBED=maybe": {"SYNTH_EMBED": "maybe"},
        "an unknown SYNTH_ variable": {"SYNTH_FOO": "1"},
    }
    commands = [["library", "ls"], ["claims", "ls"], ["verify"], ["report"], ["fetch", "2005.13013"],
                ["extract", "--min-score", "0.99"]]
    cases = []
    for i, (name, env) in enumerate(bad.items()):
        # a value that cannot be read fails every command; a path matters only to the commands that use it
        invalid = name in UNREADABLE_VALUES
        for args in (commands[i % len(commands)], commands[(i + 2) % len(commands)]):
            cases.append(Case("settings", f"{name} → {' '.join(args[:2])}", [Step(list(args), fails=invalid)],
                              env=env))
    for args in (["--claims", "/tmp", "claims", "ls"], ["--library", "/etc/passwd", "library", "ls"],
                 ["--json", "--quiet", "--debug", "library", "ls"], ["nosuchcommand"], ["fetch", "--max", "0", "-q"],
                 ["fetch", "--max", "[/x]", "x"], ["report", "--format", "docx"], ["verify", "a.md", "b.md"]):
        cases.append(Case("settings", " ".join(args)[:60], [Step(args)]))
    return cases


# ------------------------------------------------------------------------------------------ report injection

PAYLOADS = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "[x](javascript:alert(1))",
            "![i](javascript:alert(2))", "\\[e](javascript:alert(3))", "a `b` c``d", "<!-- c --><a href=javascript:x>"]


def report_cases() -> list[Case]:
    from synth.claims.document import load_claims, save_claims
    from synth.core.models import Claim

    def hostile(field: str, payload: str):
        def prepare(work):
            doc = load_claims(work / "claims.yaml")
            if field == "title":
                doc.data.study.title = "T " + payload
            elif field == "question":
                doc.data.study.question = payload
            elif field == "id":
                doc.data.claims.append(Claim(id=f"x{payload}-c01", text="A claim."))
            elif field == "text":
                doc.data.claims.append(Claim(id="inj-c01", text=payload + " improves by 2 points"))
            elif field == "review":
                doc.data.study.reviews.append(f"rev {payload}.md")
            save_claims(doc)

        return prepare

    cases = []
    for i, payload in enumerate(PAYLOADS):
        for field in ("title", "question", "id", "text", "review"):
            fmt = "html" if (i + len(field)) % 4 == 0 else "md"
            cases.append(Case("report injection", f"{field}: {payload[:30]} ({fmt})",
                              [Step(["report", "--format", fmt])], prepare=hostile(field, payload), report=True))
    cases.append(Case("report injection", "PDF title and authors from the mirror",
                      [Step(["fetch", "2101.00001"]), Step(["library", "ls"]), Step(["library", "show", "2101.00001"]),
                       Step(["report"])], report=True))
    cases.append(Case("report injection", "--name with a path", [Step(["report", "--name", "../../x [/y]"])], report=True))
    cases.append(Case("report injection", "--out is a file", [Step(["report", "--out", "/etc/passwd"])]))
    cases.append(Case("report injection", "a template with a syntax error", [Step(["report"])],
                      prepare=lambda w: write(w, "tpl/report.md.j2", "{% for x in %}"), env={"SYNTH_TEMPLATES": "tpl"}))
    return cases


def all_cases() -> list[Case]:
    from fuzz_faults import fault_cases

    base_claims = _base_claims_text()
    return (pdf_cases() + claims_cases(base_claims) + review_cases() + id_cases() + settings_cases()
            + report_cases() + fault_cases())


def _base_claims_text() -> str:
    """A representative claims.yaml for mutation (the real producer: the claims document writer)."""
    from synth.claims.document import new_claims_file
    from synth.core.models import Claim, SourceSpan, Verification

    doc = new_claims_file(question="Does intermediate-task training help?", title="Study")
    for i in range(1, 6):
        text = f"Intermediate training on MNLI improves XNLI accuracy by {i}.5 points."
        doc.data.claims.append(Claim(id=f"2005.13013-c{i:02d}", text=text,
                                     source=SourceSpan(paper="2005.13013", version=1, page=1, start=0, end=len(text)),
                                     verification=Verification(label="supported", confidence=0.9, reason="ok")))
    return doc.dumps()


_ = signal  # signals are used by fuzz_faults
