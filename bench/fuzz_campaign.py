"""The hardening campaign: hundreds of hostile inputs, faults, signals and races against the real `synth` command.

Every case runs in its own copy of a small real study (papers fetched, claims extracted, a review imported,
verdicts written), each command in a subprocess with a 30 s cap, and is classified:

- clean: every command ended with exit 0/1/2 (130/143 after our own signal) and any error was one `error:` line;
- traceback: a Python traceback (or an exception dump) reached the user;
- hang: a command ran past 30 s;
- data lost: a file the user had (claims.yaml, a claim in it, a paper in the library, an input file) is gone,
  changed or unreadable afterwards, or the library can no longer be listed;
- injection: the markdown report contains raw HTML or a live script link;
- unclear: a failure without a one-line `error:` message (or an unexpected exit code).

Usage: python bench/fuzz_campaign.py [--workers 3] [--only CATEGORY ...] [--keep DIR] [--list]
Prints the table (markdown) and, per non-clean case, its name and what happened.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYNTH = Path(sys.executable).parent / "synth"
CAP_S = 30.0
OUTCOMES = ("clean", "traceback", "hang", "data lost", "injection", "unclear")
GLOBAL_ENV: dict[str, str] = {}  # the shared loopback mirror, set in main()


@dataclass
class Step:
    """One `synth` invocation of a case (or `parallel` copies at once, or one that gets a signal)."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    parallel: int = 1
    signal: tuple[Callable[[Path], bool] | float, int] | None = None  # (when: seconds or condition(work), sig)
    during: Callable[[Path], None] | None = None  # runs in this process while the command runs (races)
    stdin: bytes | None = None
    wrap: Callable[[Path], list[str]] | None = None  # the whole argv instead (e.g. inside a mount namespace)
    fails: bool = False  # the input is invalid: exit 0 would be a silent failure


@dataclass
class Case:
    category: str
    name: str
    steps: list[Step]
    prepare: Callable[[Path], None] | None = None  # mutate the work folder before the steps
    env: dict[str, str] = field(default_factory=dict)
    server: Callable[[], object] | None = None  # context manager yielding extra env (loopback faults)
    claims: str = "claims.yaml"  # where the case keeps its claims file (relative to the work folder)
    removes_claims: bool = False  # the case may legitimately drop claims (none of synth's commands do)
    removes_papers: bool = False  # e.g. `library rm`
    report: bool = False  # scan reports/ for injection afterwards
    check: Callable[[Path], str | None] | None = None  # what went wrong in the files afterwards (e.g. a corrupt
    # PDF recorded as fetched): reported as data lost
    after_step: Callable[[Path, int], None] | None = None  # runs after step i (e.g. plant a hostile cache entry)
    max_seconds: float | None = None  # a case that must fail fast: slower than this counts as a hang


@dataclass
class Result:
    case: Case
    outcome: str
    detail: str = ""
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------ the study


def base_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    env.update({
        "SYNTH_HOME": str(work / "library"), "SYNTH_CLAIMS": str(work / "claims.yaml"),
        "SYNTH_RUNS": str(work / "runs"), "SYNTH_REPORTS": str(work / "reports"), "SYNTH_CACHE": str(work / "cache"),
        # short network budgets so that a fault resolves well inside the 30 s cap (the defaults are minutes)
        "SYNTH_ARXIV_DELAY": "0", "SYNTH_HTTP_TIMEOUT": "3", "SYNTH_HTTP_DEADLINE": "6", "SYNTH_HTTP_RETRIES": "1",
        "SYNTH_HTTP_BACKOFF": "0.05", "SYNTH_HTTP_BACKOFF_MAX": "0.2",
        "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "200",
        "TOKENIZERS_PARALLELISM": "false",
    })
    return env


def build_base(root: Path, mirror) -> Path:
    """A real small study: two local PDFs and one arXiv paper fetched, claims extracted, a review imported,
    everything verified."""
    from tests.papers.sources.pdfs import paper_pdf, write

    base = root / "base"
    base.mkdir()
    env = {**base_env(base), **mirror.env()}
    inputs = root / "inputs"
    for i, title in enumerate(["Intermediate tasks help transfer", "More intermediate data"]):
        write(inputs / f"paper{i}.pdf", paper_pdf(title, 1, 1.5 + i))
    shutil.copy(ROOT / "tests" / "data" / "claims" / "review_stilts.md", inputs / "review.md")
    for args in (["fetch", str(inputs / "paper0.pdf"), str(inputs / "paper1.pdf"), "2005.13013v1"], ["extract"],
                 ["import-report", str(inputs / "review.md")], ["verify"]):
        p = subprocess.run([str(SYNTH), "--quiet", *args], env=env, capture_output=True, text=True, timeout=600)
        if p.returncode not in (0, 1):
            raise SystemExit(f"building the base study failed at {args}: {p.stderr}")
    shutil.copytree(inputs, base / "inputs")
    return base


# ------------------------------------------------------------------------------------------ checks


def snapshot(work: Path, claims_rel: str = "claims.yaml") -> dict:
    """What the user has before a case: claims (ids, or the bytes of an unreadable file), papers, input files."""
    from synth.claims.document import load_claims
    from synth.papers.library import Library

    snap: dict = {"inputs": {}}
    claims = work / claims_rel
    snap["claims_bytes"] = claims.read_bytes() if claims.is_file() else None
    try:
        snap["claim_ids"] = {c.id for c in load_claims(claims, read_only=True).claims}
    except Exception:
        snap["claim_ids"] = None
    try:
        snap["papers"] = {m.key for m in Library(work / "library").papers()}
    except Exception:
        snap["papers"] = None
    for p in (work / "inputs").glob("*") if (work / "inputs").is_dir() else []:
        if p.is_file() and not p.is_symlink():
            snap["inputs"][p.name] = p.read_bytes()
    return snap


def data_lost(case: Case, work: Path, before: dict) -> str | None:
    from synth.claims.document import load_claims
    from synth.papers.library import Library

    claims = work / case.claims
    if before["claim_ids"] is not None and not case.removes_claims:
        try:
            after = {c.id for c in load_claims(claims, read_only=True).claims}
        except Exception as exc:
            return f"claims.yaml no longer loads: {str(exc)[:160]}"
        if not before["claim_ids"] <= after:
            return f"claims lost: {sorted(before['claim_ids'] - after)[:5]}"
    elif before["claims_bytes"] and before["claims_bytes"].strip() and before["claim_ids"] is None:
        now = claims.read_bytes() if claims.is_file() else None
        if now != before["claims_bytes"]:  # a file synth could not read is the user's to fix, never to replace
            return "a claims.yaml synth could not read was rewritten (the user's text is gone)"
    if before["papers"] is not None and not case.removes_papers:
        try:
            after = {m.key for m in Library(work / "library").papers()}
        except Exception as exc:
            return f"the library can no longer be listed: {str(exc)[:160]}"
        if not before["papers"] <= after:
            return f"papers lost: {sorted(before['papers'] - after)}"
    for name, data in before["inputs"].items():
        path = work / "inputs" / name
        if not path.is_file() or path.read_bytes() != data:
            return f"input file changed or removed: {name}"
    return None


CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def injection(work: Path) -> str | None:
    """Raw HTML or a live script link in a rendered markdown report (code spans show text literally)."""
    for report in sorted((work / "reports").glob("*.md")) if (work / "reports").is_dir() else []:
        text = CODE_SPAN.sub("", report.read_text(encoding="utf-8", errors="replace"))
        for m in re.finditer(r"<(/?[A-Za-z][A-Za-z0-9]*|!--|\?)", text):
            name = m.group(1).lower()
            if name in ("br", "sub", "/sub") or text[m.start():].startswith(("<http://", "<https://")):
                continue
            return f"raw HTML in {report.name}: {text[m.start():m.start() + 50]!r}"
        link = re.search(r"(?<!\\)\]\(\s*(?:javascript|data|vbscript):", text, flags=re.IGNORECASE)
        if link:
            return f"live script link in {report.name}: {text[link.start():link.start() + 50]!r}"
    return None


EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)|Traceback)\b")


def judge_output(rc: int | None, stderr: str, expected_signal: int | None, fails: bool = False) -> tuple[str, str] | None:
    """None when a command ended cleanly; else (outcome, detail)."""
    if "Traceback (most recent call last)" in stderr:
        return "traceback", stderr.strip().splitlines()[-1][:200]
    lines = [line for line in stderr.splitlines() if line.strip()]
    dumped = [line for line in lines if EXCEPTION_LINE.match(line)]
    if dumped:
        return "traceback", dumped[0][:200]
    if expected_signal is not None:
        allowed = {0, 1, 2, 130, 143, -signal.SIGKILL}
        if rc not in allowed:
            return "unclear", f"exit {rc} after signal {expected_signal}"
        if rc in (130, 143) and not any(line.startswith("error: ") for line in lines):
            return "unclear", f"exit {rc} without a message"
        return None
    if rc not in (0, 1, 2):
        return "unclear", f"exit {rc}: {(lines or [''])[-1][:160]}"
    if fails and rc == 0:
        return "unclear", "exit 0 for invalid input"
    # exit 1 = some items failed, each reported: an error line, or (verify) a warning naming the failed items
    if rc != 0 and not any(line.startswith(("error: ", "warning: ")) for line in lines) and "Usage:" not in stderr:
        return "unclear", f"exit {rc} without an error line: {(lines or [''])[-1][:160]}"
    return None


# ------------------------------------------------------------------------------------------ running


def _wait_signal(proc: subprocess.Popen, when, work: Path, sig: int) -> None:
    deadline = time.monotonic() + CAP_S
    if callable(when):
        while time.monotonic() < deadline and proc.poll() is None and not when(work):
            time.sleep(0.02)
    else:
        end = time.monotonic() + when
        while time.monotonic() < end and proc.poll() is None:
            time.sleep(0.02)
    if proc.poll() is None:
        proc.send_signal(sig)


def run_step(step: Step, env: dict, work: Path) -> list[tuple[int | None, str, str, bool]]:
    """(returncode, stdout, stderr, timed_out) per process of the step."""
    argv = step.wrap(work) if step.wrap is not None else [str(SYNTH), *step.args]
    procs = [subprocess.Popen(argv, env={**env, **step.env}, cwd=work,
                              stdin=subprocess.PIPE if step.stdin is not None else subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
             for _ in range(step.parallel)]
    helpers = []
    if step.signal is not None:
        when, sig = step.signal
        helpers.append(threading.Thread(target=_wait_signal, args=(procs[0], when, work, sig), daemon=True))
    if step.during is not None:
        helpers.append(threading.Thread(target=step.during, args=(work,), daemon=True))
    for h in helpers:
        h.start()
    results = []
    for p in procs:
        try:
            out, err = p.communicate(input=step.stdin, timeout=CAP_S)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            timed_out = True
        results.append((p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timed_out))
    for h in helpers:
        h.join(5)
    return results


def run_case(case: Case, base: Path, scratch: Path, keep: Path | None) -> Result:
    work = Path(tempfile.mkdtemp(prefix="case-", dir=scratch))
    started = time.monotonic()
    try:
        shutil.copytree(base, work, dirs_exist_ok=True)
        env = {**base_env(work), **GLOBAL_ENV, **case.env}
        server = case.server() if case.server else None
        with server if server is not None else _null():
            if server is not None and hasattr(server, "env"):
                env.update(server.env())
            if case.prepare:
                case.prepare(work)
            before = snapshot(work, case.claims)
            outcome, detail = "clean", ""
            for number, step in enumerate(case.steps):
                for rc, _out, err, timed_out in run_step(step, env, work):
                    if timed_out:
                        outcome, detail = "hang", f"{' '.join(step.args)[:120]} ran past {CAP_S:.0f} s"
                        break
                    judged = judge_output(rc, err, step.signal[1] if step.signal else None, step.fails)
                    if judged and _worse(judged[0], outcome):
                        outcome, detail = judged[0], f"{' '.join(step.args)[:100]}: {judged[1]}"
                if outcome == "hang":
                    break
                if case.after_step is not None:
                    case.after_step(work, number)
        took = time.monotonic() - started
        if case.max_seconds is not None and took > case.max_seconds and _worse("hang", outcome):
            outcome, detail = "hang", f"took {took:.1f} s, more than the {case.max_seconds:g} s it should fail within"
        lost = data_lost(case, work, before) or (case.check(work) if case.check else None)
        if lost and _worse("data lost", outcome):
            outcome, detail = "data lost", lost
        if case.report:
            injected = injection(work)
            if injected and _worse("injection", outcome):
                outcome, detail = "injection", injected
        result = Result(case, outcome, detail, time.monotonic() - started)
    except Exception as exc:  # a bug in the campaign itself must not look like a clean case
        result = Result(case, "unclear", f"campaign error: {type(exc).__name__}: {exc}", time.monotonic() - started)
    if keep is not None and result.outcome != "clean":
        try:
            shutil.copytree(work, keep / f"{case.category}-{_slug(case.name)}", dirs_exist_ok=True, symlinks=True)
        except (OSError, shutil.Error):  # FIFOs and other special files of a case
            pass
    shutil.rmtree(work, ignore_errors=True)
    if work.exists():  # read-only leftovers from a case
        subprocess.run(["chmod", "-R", "u+w", str(work)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return result


SEVERITY = {"clean": 0, "unclear": 1, "injection": 2, "data lost": 3, "traceback": 4, "hang": 5}


def _worse(a: str, b: str) -> bool:
    return SEVERITY[a] > SEVERITY[b]


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text)[:60].strip("-")


# ------------------------------------------------------------------------------------------ main


def table(results: list[Result]) -> str:
    rows = defaultdict(Counter)
    for r in results:
        rows[r.case.category][r.outcome] += 1
    lines = ["| category | tried | clean | traceback | hang | data lost | injection | unclear |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    total = Counter()
    for category in sorted(rows):
        c = rows[category]
        total.update(c)
        lines.append(f"| {category} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in OUTCOMES) + " |")
    lines.append(f"| **all** | **{sum(total.values())}** | " + " | ".join(f"**{total[o]}**" for o in OUTCOMES) + " |")
    return "\n".join(lines)


def main() -> int:
    from fuzz_cases import all_cases
    from synth.demo.loopback import ArxivMirror

    from fuzz_servers import catalogue

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="categories to run")
    ap.add_argument("--keep", type=Path, help="copy the work folder of every non-clean case here")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()
    cases = [c for c in all_cases() if not args.only or c.category in args.only]
    if args.list:
        for c in cases:
            print(f"{c.category}\t{c.name}")
        print(f"{len(cases)} cases")
        return 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="synth-fuzz-") as tmp, ArxivMirror(catalogue()) as mirror:
        scratch = Path(tmp)
        GLOBAL_ENV.update(mirror.env())  # every case reaches the loopback mirror unless it brings its own server
        base = build_base(scratch, mirror)
        build_s = time.monotonic() - started
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(lambda c: run_case(c, base, scratch, args.keep), cases))
    wall = time.monotonic() - started
    print(table(results))
    slowest = max(results, key=lambda r: r.seconds)
    print(f"\n{len(results)} cases in {wall:.0f} s wall ({build_s:.0f} s building the study), {args.workers} workers; "
          f"slowest case {slowest.seconds:.1f} s ({slowest.case.category}: {slowest.case.name}); "
          f"peak RSS of this driver {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
          f"largest synth process {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB")
    bad = [r for r in results if r.outcome != "clean"]
    if bad:
        print("\nNot clean:")
        for r in sorted(bad, key=lambda r: (r.case.category, r.outcome, r.case.name)):
            print(f"- [{r.case.category}] {r.outcome}: {r.case.name} — {r.detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
