"""Campaign cases, part 2: library and index damage, network faults (loopback servers), hostile servers and
hostile JSON (redirects off http, a lying 206, trickled headers, Retry-After of hours, paging that never
advances, deep/non-finite/mistyped JSON from the search APIs, the search cache and results.json), replicate
inputs, signals, races, full and read-only disks."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from fuzz_campaign import SYNTH, Case, Step
from fuzz_servers import (
    DEEP_JSON, RawServer, answer, closed_port_env, drip, endless, garbage_bytes, mirror_with, reset, scholarly_with,
    silent,
)
from synth.demo.loopback import Fault
from synth.demo.scholarly import ApiFault


def write(work: Path, rel: str, data: bytes | str) -> Path:
    path = work / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def folders(work: Path) -> list[Path]:
    return sorted(p for p in (work / "library" / "papers").iterdir() if not p.name.startswith("."))


def local_folder(work: Path) -> Path:
    return next(p for p in folders(work) if p.name.startswith("local-"))


def drop_index(work: Path) -> None:
    for name in ("synth.sqlite", "synth.sqlite-wal", "synth.sqlite-shm"):
        (work / "library" / name).unlink(missing_ok=True)


def sql(statement: str):
    def prepare(work: Path) -> None:
        conn = sqlite3.connect(work / "library" / "synth.sqlite")
        conn.executescript(statement)
        conn.close()

    return prepare


# ------------------------------------------------------------------------------------------ library


def library_cases() -> list[Case]:
    def corrupt(data_fn):
        def prepare(work):
            db = work / "library" / "synth.sqlite"
            for extra in ("synth.sqlite-wal", "synth.sqlite-shm"):
                (work / "library" / extra).unlink(missing_ok=True)
            db.write_bytes(data_fn(db.read_bytes()))
        return prepare

    def on_paper(fn):
        def prepare(work):
            fn(local_folder(work))
            drop_index(work)
        return prepare

    damages = {
        "synth.sqlite is garbage": corrupt(lambda b: b"not a database\n" * 200),
        "synth.sqlite truncated": corrupt(lambda b: b[: len(b) // 3]),
        "synth.sqlite zeroed pages": corrupt(lambda b: b[:4096] + b"\x00" * (len(b) - 4096)),
        "synth.sqlite is a foreign database": lambda w: (drop_index(w), sqlite3.connect(
            w / "library" / "synth.sqlite").executescript("CREATE TABLE papers(x); INSERT INTO papers VALUES (1);")),
        "synth.sqlite is a folder": lambda w: (drop_index(w), (w / "library" / "synth.sqlite").mkdir()),
        "synth.sqlite links to /dev/null": lambda w: (drop_index(w), (w / "library" / "synth.sqlite").symlink_to(
            "/dev/null")),
        "garbage WAL file": lambda w: write(w, "library/synth.sqlite-wal", os.urandom(9000)),
        "FTS table dropped": sql("DROP TABLE sentences_fts"),
        "sentence rows deleted": sql("DELETE FROM sentences"),
        "papers table emptied": sql("DELETE FROM papers"),
        "triggers dropped": sql("DROP TRIGGER sentences_ai; DROP TRIGGER sentences_ad"),
        "meta.json is garbage": on_paper(lambda f: (f / "meta.json").write_bytes(b"{not json")),
        "meta.json is empty": on_paper(lambda f: (f / "meta.json").write_bytes(b"")),
        "meta.json misses fields": on_paper(lambda f: (f / "meta.json").write_text('{"id": "x"}')),
        "meta.json version is text": on_paper(lambda f: (f / "meta.json").write_text(
            (f / "meta.json").read_text().replace('"version": 1', '"version": "one"'))),
        "meta.json names another paper": on_paper(lambda f: (f / "meta.json").write_text(
            (f / "meta.json").read_text().replace('"id": "local-', '"id": "local-f'))),
        "sentences.jsonl truncated": on_paper(lambda f: (f / "sentences.jsonl").write_bytes(
            (f / "sentences.jsonl").read_bytes()[:777])),
        "sentences.jsonl missing": on_paper(lambda f: (f / "sentences.jsonl").unlink()),
        "pages.jsonl missing": on_paper(lambda f: (f / "pages.jsonl").unlink()),
        "sections.jsonl garbage": on_paper(lambda f: (f / "sections.jsonl").write_bytes(b"\xff\xfe garbage\n")),
        "tables.jsonl wrong schema": on_paper(lambda f: (f / "tables.jsonl").write_text('{"rows": 1}\n')),
        "paper.pdf missing": on_paper(lambda f: (f / "paper.pdf").unlink()),
        "a paper folder emptied": on_paper(lambda f: [p.unlink() for p in f.iterdir() if p.is_file()]),
        "a stray file in papers/": lambda w: write(w, "library/papers/README", "hello"),
        "a folder that is not an id": lambda w: shutil.copytree(local_folder(w), w / "library" / "papers" / "foo"),
        "a dead process's temp folder": lambda w: (w / "library" / "papers" / ".tmp-local-x-999999-abc").mkdir(),
        "papers/ is a file": lambda w: (shutil.rmtree(w / "library" / "papers"), write(w, "library/papers", "x"),
                                        drop_index(w)),
        "the library folder is missing": lambda w: shutil.rmtree(w / "library"),
    }
    commands = [["library", "ls"], ["library", "search", "intermediate"], ["library", "reindex"], ["verify"],
                ["library", "show", "local"], ["claims", "check"], ["fetch", "--offline", "--query", "transfer"],
                ["report"], ["extract", "--min-score", "0.95"]]
    cases = []
    for i, (name, prepare) in enumerate(damages.items()):
        for args in (commands[i % len(commands)], commands[(i + 4) % len(commands)], ["library", "reindex"]):
            removes = name in ("a paper folder emptied", "papers/ is a file", "the library folder is missing",
                               "meta.json is garbage", "meta.json is empty", "meta.json misses fields",
                               "meta.json version is text", "meta.json names another paper")
            cases.append(Case("library", f"{name} → {' '.join(args[:2])}", [Step(list(args))], prepare=prepare,
                              removes_papers=removes))
    cases.append(Case("library", "library rm then search", [Step(["library", "rm", "2005.13013"]),
                                                            Step(["library", "search", "transfer"])],
                      removes_papers=True))
    cases.append(Case("library", "rm a paper twice", [Step(["library", "rm", "2005.13013v1"]),
                                                      Step(["library", "rm", "2005.13013v1"])], removes_papers=True))
    return cases


# ------------------------------------------------------------------------------------------ network


def network_cases() -> list[Case]:
    fetch = [Step(["fetch", "2005.13013v2"])]
    query = [Step(["fetch", "--query", "intermediate training", "--max", "2"])]
    mirror_faults = {
        "API 429 forever": Fault(route="api", status=429, retry_after="1", times=None),
        "API 503 forever": Fault(route="api", status=503, times=None),
        "API 500 once": Fault(route="api", status=500),
        "API reset": Fault(route="api", reset=True, times=None),
        "API slower than the timeout": Fault(route="api", delay=5.0, times=None),
        "PDF 404": Fault(route="pdf", status=404, times=None),
        "PDF 403": Fault(route="pdf", status=403, times=None),
        "PDF 503 forever": Fault(route="pdf", status=503, times=None),
        "PDF truncated once (resumed)": Fault(route="pdf", truncate=3000),
        "PDF truncated forever": Fault(route="pdf", truncate=3000, times=None),
        "PDF stalls mid-body": Fault(route="pdf", truncate=2000, stall=20.0, times=None),
        "PDF reset": Fault(route="pdf", reset=True, times=None),
    }
    cases = []
    for name, fault in mirror_faults.items():
        for steps in (fetch, query):
            cases.append(Case("network", f"{name} ({steps[0].args[1]})", steps, server=mirror_with(fault)))
    raw = {
        "API trickles a byte a second": (drip(1.0), True, False),
        "API trickles its headers": (drip(1.0, in_headers=True), True, False),
        "PDF trickles a byte a second": (drip(1.0), False, True),
        "endless API body": (endless(), True, False),
        "endless PDF body": (endless("application/pdf"), False, True),
        "API answers HTML": (answer(b"<html><body>Service unavailable</body></html>"), True, False),
        "API answers plain text": (answer(b"Rate limit exceeded", content_type="text/plain"), True, False),
        "API answers random bytes": (garbage_bytes(), True, False),
        "API answers an empty 200": (answer(b"", content_type="application/atom+xml"), True, False),
        "API answers truncated XML": (answer(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                                             b"<id>http://arxiv.org/abs/2005.13013v2</id><title>x", ), True, False),
        "API answers XML that is not Atom": (answer(b'<?xml version="1.0"?><rss><channel/></rss>'), True, False),
        "API answers an XML entity bomb": (answer(
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
            b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&f;&f;&f;&f;</title></feed>'), True, False),
        "PDF route answers HTML": (answer(b"<html>login required</html>"), False, True),
        "PDF declares 10 GB": (answer(b"%PDF-1.4 short", content_type="application/pdf", length=10 * 2**30), False, True),
        "API never answers": (silent, True, False),
        "PDF never answers": (silent, False, True),
        "API resets": (reset, True, False),
    }
    for name, (handler, api, pdf) in raw.items():
        def server(handler=handler, api=api, pdf=pdf):
            return RawServer(handler, api=api, pdf=pdf, mirror=None if (api and pdf) else mirror_with()())

        steps = query if api and "Atom" not in name and len(cases) % 2 else fetch
        cases.append(Case("network", name, steps, server=server))
    cases.append(Case("network", "connection refused", fetch, env=closed_port_env()))
    cases.append(Case("network", "unknown id", [Step(["fetch", "2101.99999"])]))
    cases.append(Case("network", "search with no hits", [Step(["fetch", "--query", "zzzqqq nothing"])]))
    cases.append(Case("network", "--offline for a missing paper", [Step(["fetch", "--offline", "1811.01088"])]))
    cases.append(Case("network", "API at a non-HTTP URL", fetch, env={"SYNTH_ARXIV_API": "ftp://127.0.0.1/x"}))
    cases.append(Case("network", "API is a local file", fetch, env={"SYNTH_ARXIV_API": "file:///etc/passwd"}))
    cases.append(Case("network", "API host does not resolve", fetch,
                      env={"SYNTH_ARXIV_API": "http://no-such-host.invalid/api/query"}))
    return cases


# ------------------------------------------------------------------------------------------ replicate


def replicate_cases() -> list[Case]:
    def score_setup(pred: dict[str, bytes | str], gold: dict[str, bytes | str]):
        def prepare(work):
            for rel, data in pred.items():
                write(work, f"pred/{rel}", data)
            for rel, data in gold.items():
                write(work, f"gold/{rel}", data)
        return prepare

    squad = json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "c", "qas": [
        {"id": "q1", "question": "q", "answers": [{"text": "a cat", "answer_start": 0}]}]}]}]})
    good_gold = {"xquad/test-de.json": squad, "xnli/test-de.tsv": "entailment\nneutral\n"}
    score = ["replicate", "score", "--benchmark", "xtreme", "--predictions", "pred", "--gold", "gold"]
    variants = {
        "non-UTF-8 predictions": ({"xnli/test-de.tsv": b"entail\xffment\nneutral\n"}, good_gold),
        "predictions [1,2,3]": ({"xquad/test-de.json": "[1, 2, 3]"}, good_gold),
        "predictions null": ({"xquad/test-de.json": "null"}, good_gold),
        "predictions an integer": ({"xquad/test-de.json": "7"}, good_gold),
        "predictions not JSON": ({"xquad/test-de.json": "{oops"}, good_gold),
        "gold without paragraphs": ({"xquad/test-de.json": '{"q1": "a cat"}'},
                                    {"xquad/test-de.json": '{"data": [{"title": "t"}]}'}),
        "a folder named like a file": ({"xnli/test-de.tsv/x": "y"}, good_gold),
        "fewer predictions than gold": ({"xnli/test-de.tsv": "entailment\n"}, good_gold),
        "empty folders": ({}, {}),
        "1 MB single-line prediction": ({"xnli/test-de.tsv": "entailment" * 100000}, good_gold),
    }
    cases = [Case("replicate", f"score: {name}", [Step(list(score), fails=name != "fewer predictions than gold")],
                  prepare=score_setup(*v)) for name, v in variants.items()]
    for args in (["replicate", "score", "--benchmark", "xtreme", "--predictions", "/etc", "--gold", "/etc"],
                 ["replicate", "score", "--benchmark", "xtreme", "--predictions", "nope", "--gold", "nope"],
                 ["replicate", "score", "--benchmark", "bogus", "--predictions", ".", "--gold", "."],
                 ["replicate", "run", "nosuchexperiment", "--dry-run"],
                 ["replicate", "run", "../../etc/passwd", "--dry-run"],
                 ["replicate", "run", "xstilts", "--profile", "bogus", "--dry-run"],
                 ["replicate", "run", "xstilts", "--only", "nosuchtask", "--dry-run"],
                 ["replicate", "run", "xstilts", "--executor", "bogus", "--dry-run"],
                 ["replicate", "run", "xstilts", "--dry-run"],
                 ["replicate", "run", "inputs/review.md", "--dry-run"],
                 ["replicate", "tasks", "show", "nosuchtask"], ["replicate", "tasks", "show", "[/x]"],
                 ["replicate", "tasks", "show", "../../etc/passwd"], ["replicate", "tasks", "ls", "--benchmark", "x"],
                 ["replicate", "tasks", "validate"], ["replicate", "results"]):
        valid = args[-1] in ("validate", "results") or args[2:4] == ["xstilts", "--dry-run"]
        cases.append(Case("replicate", " ".join(args[1:])[:70], [Step(args, fails=not valid)]))
    cases.append(Case("replicate", "results with a corrupt results.json", [Step(["replicate", "results"])],
                      prepare=lambda w: write(w, "runs/eval-deadbeef/results.json", "{corrupt")))
    cases.append(Case("replicate", "run with SYNTH_RUNS a file", [Step(["replicate", "run", "demo", "--dry-run"])],
                      env={"SYNTH_RUNS": "/etc/passwd"}))
    return cases


# ------------------------------------------------------------------------------------------ signals


def signal_cases() -> list[Case]:
    def verdicts_written(work: Path) -> bool:
        return (work / "claims.yaml").stat().st_mtime > time.time() - 60 and b"verification" in (
            work / "claims.yaml").read_bytes()

    commands = {
        "fetch (stalled download)": (["fetch", "1811.01088v2"],
                                     mirror_with(Fault(route="pdf", truncate=2000, stall=25.0, times=None))),
        "extract": (["extract"], None),
        "verify": (["verify"], None),
        "import-report": (["import-report", "inputs/review.md", "--id", "again"], None),
        "report": (["report"], None),
        "library reindex": (["library", "reindex"], None),
    }
    cases = []
    for name, (args, server) in commands.items():
        for sig, delay in ((signal.SIGINT, 1.0), (signal.SIGTERM, 2.0), (signal.SIGKILL, 1.5), (signal.SIGINT, 0.3)):
            env = {"SYNTH_VERIFY_SAVE_EVERY": "0"} if args[0] == "verify" else {}
            steps = [Step(list(args), signal=(delay, sig), env=env), Step(["claims", "ls"]), Step(["library", "ls"])]
            cases.append(Case("signals", f"{signal.Signals(sig).name} after {delay:g} s: {name}", steps,
                              server=server))
    return cases


# ------------------------------------------------------------------------------------------ races


def race_cases() -> list[Case]:
    def append_claim(work: Path) -> None:
        time.sleep(1.0)
        with (work / "claims.yaml").open("a") as fh:
            fh.write("  - id: hand-c01\n    text: A claim written by hand while synth ran.\n")

    def copies(n):
        def prepare(work):
            for i in range(n):
                shutil.copy(work / "inputs" / "review.md", work / "inputs" / f"review{i}.md")
        return prepare

    def background(*args: str, n: int = 1):
        def during(work: Path) -> None:
            env = {**os.environ, "SYNTH_HOME": str(work / "library"), "SYNTH_CLAIMS": str(work / "claims.yaml"),
                   "SYNTH_REPORTS": str(work / "reports")}
            procs = [subprocess.Popen([str(SYNTH), "--quiet", *args], env=env, cwd=work, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(n)]
            for p in procs:
                p.wait(60)
        return during

    cases = [
        Case("races", "6 fetches of one arXiv paper", [Step(["--json", "fetch", "1811.01088v2"], parallel=6)],
             server=mirror_with(Fault(route="pdf", delay=0.5, times=None))),
        Case("races", "6 fetches of one local PDF", [Step(["fetch", "inputs/paper0.pdf", "inputs/paper1.pdf"],
                                                          parallel=6)]),
        Case("races", "3 import-reports and a verify", [
            Step(["import-report", "inputs/review0.md"], during=background("import-report", "inputs/review1.md")),
            Step(["verify"], during=background("import-report", "inputs/review2.md"))], prepare=copies(3)),
        Case("races", "a claim appended by hand during extract", [Step(["extract"], during=append_claim)]),
        Case("races", "a claim appended by hand during verify", [Step(["verify"], during=append_claim,
                                                                     env={"SYNTH_VERIFY_SAVE_EVERY": "1"})]),
        Case("races", "2 verify runs at once", [Step(["verify"], parallel=2)]),
        Case("races", "3 reindexes and searches", [Step(["library", "reindex"], parallel=3,
                                                        during=background("library", "search", "transfer", n=3))]),
        Case("races", "library rm during search", [Step(["library", "search", "intermediate"], parallel=3,
                                                        during=background("library", "rm", "2005.13013v1"))],
             removes_papers=True),
        Case("races", "3 reports to one file", [Step(["report"], parallel=3)], report=True),
        Case("races", "extract twice at once", [Step(["extract"], parallel=2)]),
        Case("races", "fetch while reindexing", [Step(["fetch", "1811.01088v2"],
                                                      during=background("library", "reindex", n=2))]),
    ]
    return cases


# ------------------------------------------------------------------------------------------ disks


def disk_cases() -> list[Case]:
    from tests.hardening.sandbox import namespaces_available

    if not namespaces_available():
        return []

    def on_tmpfs(target: str, size_kib: int, args: list[str], read_only: bool = False, env_var: str = "SYNTH_HOME"):
        """Run `synth ARGS` with `target` (library or the claims folder) on a tiny tmpfs (or read-only), then copy
        what is left back so the campaign's checks see it."""
        def wrapped(work: Path) -> list[str]:
            src = work / target
            mnt = work / "mnt"
            q = shlex.quote
            if read_only:
                setup = f"mount --bind {q(str(src))} {q(str(src))}; mount -o remount,bind,ro {q(str(src))}"
                back = "true"
                path = src
            else:  # room for what is there already plus `size_kib`: the command itself runs out of space
                used = sum((p.stat().st_size + 4095) // 4096 * 4 for p in src.rglob("*") if p.is_file())
                setup = (f"mkdir -p {q(str(mnt))}; mount -t tmpfs -o size={used + size_kib + 64}k tmpfs {q(str(mnt))}; "
                         f"cp -a {q(str(src))}/. {q(str(mnt))}/ 2>/dev/null || true")
                back = f"rm -rf {q(str(src))}; mkdir -p {q(str(src))}; cp -a {q(str(mnt))}/. {q(str(src))}/"
                path = mnt
            var = (f"{env_var}={q(str(path))}" if env_var == "SYNTH_HOME"
                   else f"SYNTH_CLAIMS={q(str(path / 'claims.yaml'))}")
            cmd = " ".join(q(a) for a in [str(SYNTH), *args])
            return ["unshare", "-rm", "sh", "-c", f"{setup}; env {var} {cmd}; rc=$?; {back}; exit $rc"]
        return wrapped

    def claims_dir(work: Path) -> None:
        (work / "study").mkdir()
        shutil.move(work / "claims.yaml", work / "study" / "claims.yaml")

    cases = []
    specs = [
        ("library", 64, ["fetch", "1811.01088v2"]), ("library", 200, ["fetch", "inputs/paper0.pdf"]),
        ("library", 64, ["library", "reindex"]), ("library", 0, ["verify"]), ("library", 0, ["library", "search", "x"]),
        ("library", 0, ["fetch", "1811.01088v2"]), ("study", 8, ["import-report", "inputs/review.md", "--id", "z"]),
        ("study", 8, ["verify"]), ("study", 8, ["extract"]), ("study", 0, ["verify"]),
        ("study", 0, ["import-report", "inputs/review.md", "--id", "z"]), ("reports", 16, ["report"]),
    ]
    for target, size, args in specs:
        ro = size == 0
        var = "SYNTH_HOME" if target == "library" else ("SYNTH_CLAIMS" if target == "study" else "SYNTH_REPORTS")
        name = f"{'read-only' if ro else f'{size} KiB'} {target} → {' '.join(args[:2])}"
        wrap = on_tmpfs(target, size, args, read_only=ro, env_var=var)
        if var == "SYNTH_REPORTS":
            def wrap(work, size=size, args=args):  # noqa: F811 - reports on a tiny disk
                q = shlex.quote
                mnt = work / "reports"
                mnt.mkdir(exist_ok=True)
                cmd = " ".join(q(a) for a in [str(SYNTH), *args])
                return ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size={size}k tmpfs {q(str(mnt))}; {cmd}"]
        study = target == "study"
        cases.append(Case("disk", name, [Step(args, wrap=wrap)], prepare=claims_dir if study else None,
                          env={"SYNTH_CLAIMS": "study/claims.yaml"} if study else {},
                          claims="study/claims.yaml" if study else "claims.yaml"))
    return cases


# ------------------------------------------------------------------------------------------ hostile servers, JSON


def _served_pdf_check(key: str):
    """After the case: the library's copy of `key` (when there is one) must be the file the mirror serves."""

    def check(work: Path) -> str | None:
        import hashlib

        from fuzz_servers import catalogue

        served = {p.key: p.pdf for p in catalogue()}[key]
        meta = work / "library" / "papers" / key / "meta.json"
        if not meta.is_file():
            return None  # not fetched: an error said so
        stored = json.loads(meta.read_text(encoding="utf-8")).get("sha256")
        if stored != hashlib.sha256(served).hexdigest():
            return f"{key} stored with sha256 {str(stored)[:12]}…, the server's file is another"
        return None

    return check


def _partial_of_dead_process(key: str, size: int = 1500):
    def prepare(work: Path) -> None:
        from fuzz_servers import catalogue

        served = {p.key: p.pdf for p in catalogue()}[key]
        p = subprocess.Popen(["true"])
        p.wait()
        write(work, f"library/.downloads/{key}.pdf.{p.pid}.part", served[:size])

    return prepare


def _plant_cache(body: bytes):
    def plant(work: Path, step: int) -> None:
        if step == 0:
            for entry in (work / "cache" / "api").rglob("*.json"):
                entry.write_bytes(body)

    return plant


def hostile_cases() -> list[Case]:
    fetch_v2 = [Step(["fetch", "2005.13013v2"])]
    query = [Step(["fetch", "--query", "intermediate training", "--max", "2"])]
    cases = [
        Case("hostile network", "PDF redirects to ftp://", fetch_v2,
             server=mirror_with(Fault(route="pdf", location="ftp://127.0.0.1:1/p.pdf", times=None))),
        Case("hostile network", "PDF redirects to file:///etc/passwd", fetch_v2,
             server=mirror_with(Fault(route="pdf", location="file:///etc/passwd", times=None))),
        Case("hostile network", "API redirects to ftp://", query,
             server=mirror_with(Fault(route="api", location="ftp://127.0.0.1:1/feed", times=None))),
        Case("hostile network", "PDF trickles its headers", fetch_v2,
             server=lambda: RawServer(drip(1.0, in_headers=True), api=False, pdf=True, mirror=mirror_with()())),
        Case("hostile network", "PDF asks to retry in 3 hours", fetch_v2, max_seconds=10,
             server=mirror_with(Fault(route="pdf", status=503, retry_after="10800", times=None))),
        Case("hostile network", "API asks to retry in 3 hours", query, max_seconds=10,
             server=mirror_with(Fault(route="api", status=429, retry_after="10800", times=None))),
    ]
    for lie in ("whole", "shifted"):
        cases.append(Case("hostile network", f"PDF resume answered by a lying 206 ({lie})", fetch_v2,
                          prepare=_partial_of_dead_process("2005.13013v2"), check=_served_pdf_check("2005.13013v2"),
                          server=mirror_with(Fault(route="pdf", lie_206=lie))))
    search = [Step(["search", "intermediate training transfer", "--sources", "s2,openalex", "--max", "300"])]
    snow = [Step(["search", "--references", "arxiv:2001.00005", "--limit", "3000"])]
    names = ("SYNTH_S2_API", "SYNTH_OPENALEX_API")
    cases += [
        Case("hostile network", "S2 and OpenAlex trickle their headers", search, env={"SYNTH_SEARCH_DELAY": "0"},
             server=lambda: RawServer(drip(1.0, in_headers=True), api=False, pdf=False, names=names)),
        Case("hostile network", "S2 asks to retry in 10 hours", search, max_seconds=10,
             server=scholarly_with(ApiFault(route="s2", status=429, retry_after="36000", times=None))),
        Case("hostile network", "S2 rate-limits without Retry-After", search, max_seconds=25,
             server=scholarly_with(s2_rate_limit=0)),
        Case("hostile network", "OpenAlex allowance spent (no key)", search, max_seconds=10,
             server=scholarly_with(openalex_allowance=0)),
        Case("hostile network", "search online without a network", search + [Step(["search", "x"])],
             max_seconds=10, env={name: closed_port_env()["SYNTH_ARXIV_API"] for name in
                                  ("SYNTH_S2_API", "SYNTH_OPENALEX_API", "SYNTH_ARXIV_API")}),
    ]
    bodies = {
        "S2 next 0 with null data": {"total": 5, "offset": 0, "next": 0, "data": None},
        "S2 next never advances": {"total": 10 ** 6, "offset": 0, "next": 0,
                                   "data": [{"paperId": "a" * 40, "title": "x"}] * 100},
        "S2 next is 'abc'": {"total": 5, "offset": 0, "next": "abc", "data": [{"paperId": "a" * 40}]},
        "S2 total Infinity": b'{"total": Infinity, "offset": 0, "data": []}',
        "S2 total NaN": b'{"total": NaN, "offset": 0, "data": []}',
        "S2 nested 200,000 deep": DEEP_JSON,
        "S2 wrong types": {"total": [1], "offset": "0", "data": [[1], "x", None, {"paperId": ["a"]},
                                                                 {"paperId": "b" * 40, "title": {"t": 1},
                                                                  "authors": "Ada", "year": "2020",
                                                                  "publicationDate": "99999-99-99",
                                                                  "externalIds": [1], "citationCount": 1e300}]},
    }
    for name, body in bodies.items():
        fault = ApiFault(route="s2", status=200, times=None, body=body)
        for steps in (search, snow):
            cases.append(Case("hostile json", f"{name} ({steps[0].args[1][:12]})", steps, server=scholarly_with(fault),
                              max_seconds=20))
    works = [{"id": f"https://openalex.org/W{i}", "display_name": f"Work {i}", "publication_year": 2020,
              "publication_date": "99999-99-99" if i % 2 else "2020-02-30"} for i in range(1, 101)]
    openalex = {
        "OpenAlex repeats its cursor": {"meta": {"count": 10 ** 9, "next_cursor": "same"}, "results": works},
        "OpenAlex cursor is a number": {"meta": {"count": 5, "next_cursor": 7}, "results": works[:5]},
        "OpenAlex wrong types": {"meta": [], "results": {"id": "W1"}},
        "OpenAlex count 1e308": b'{"meta": {"count": 1e308, "next_cursor": null}, "results": []}',
        "OpenAlex nested 200,000 deep": DEEP_JSON,
    }
    for name, body in openalex.items():
        fault = ApiFault(route="openalex", status=200, times=None, body=body)
        cases.append(Case("hostile json", name, search, server=scholarly_with(fault), max_seconds=20))
    for name, body in {"deep": DEEP_JSON, "NaN status": b'{"status": NaN, "body": {}}',
                       "a list": b"[1, 2]", "1e999 inside": b'{"status": 200, "body": {"total": 1e999}}'}.items():
        cases.append(Case("hostile json", f"search cache entry planted: {name}",
                          search + [Step(["search", "intermediate training transfer", "--sources", "s2,openalex",
                                          "--max", "300", "--offline"])],
                          server=scholarly_with(), after_step=_plant_cache(body)))
    for name, text in {"NaN": '{"scores": {"de": NaN}}', "1e308": '{"scores": {"de": 1e308}}',
                       "Infinity": '{"scores": {"de": Infinity}}', "deep": DEEP_JSON.decode()}.items():
        def prepare(work, text=text):
            write(work, "runs/eval-0123456789abcdef/results.json", text)

        for args in (["replicate", "results"], ["report"]):
            cases.append(Case("hostile json", f"results.json with {name} ({args[-1]})", [Step(args)],
                              prepare=prepare, report=args == ["report"]))
    return cases


def fault_cases() -> list[Case]:
    return (library_cases() + network_cases() + hostile_cases() + replicate_cases() + signal_cases() + race_cases()
            + disk_cases())
