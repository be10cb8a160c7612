"""Load, validate, merge and atomically write claims.yaml, keeping comments and human edits (ruamel round-trip).

A claim written by a machine (extract, import-report) carries `machine_hash`, a hash of its machine fields at
the time of writing. When a person edits any of those fields the hash no longer matches and the merge leaves
the claim alone forever (until the person deletes `machine_hash` to hand it back).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from synth.core.errors import ClaimsError
from synth.core.files import stable_hash, write_bytes
from synth.core.models import Claim, ClaimsFile, Origin, PaperMeta, StudySource, Verification
from synth.claims.yaml_tree import claim_plain, item_line, merge_node, to_node
from synth.core.yamlio import compact, decode_utf8, fast_validated, make_yaml, parse_yaml, read_bytes, validation_message

SCHEMA_VERSION = 1
# Fields a machine writes; a change to any of them by a person marks the claim as human-edited.
MACHINE_FIELDS = frozenset({
    "text", "origin", "type", "source", "cites", "quantities", "entities", "tables", "score", "truncated",
    "reported_verification",
})
CLAIM_ID = re.compile(r"^(?P<prefix>.+)-c(?P<n>\d+)$")


@dataclass
class MergeStats:
    """What a merge did, by claim id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_edited: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped_edited": self.skipped_edited}

    def __add__(self, other: "MergeStats") -> "MergeStats":
        return MergeStats(self.added + other.added, self.updated + other.updated,
                          self.unchanged + other.unchanged, self.skipped_edited + other.skipped_edited)


def machine_hash(claim: Claim) -> str:
    """Hash of the claim's machine-written fields (stable across YAML round-trips)."""
    return stable_hash(claim.model_dump(mode="json", include=set(MACHINE_FIELDS)), length=12)


def is_human_edited(claim: Claim) -> bool:
    """True when a person changed a machine-written claim since the machine last wrote it."""
    return claim.machine_hash is not None and claim.machine_hash != machine_hash(claim)


def claim_id(prefix: str, number: int) -> str:
    """'2005.13013' + 7 → '2005.13013-c07' ('/' in old-style arXiv ids becomes '_')."""
    return f"{prefix.replace('/', '_')}-c{number:02d}"


def split_claim_id(cid: str) -> tuple[str, int] | None:
    m = CLAIM_ID.match(cid)
    return (m["prefix"], int(m["n"])) if m else None


def _norm_text(text: str) -> str:
    return " ".join(text.split()).lower()


def _span_key(claim: Claim) -> tuple | None:
    s = claim.source
    if s is None or s.start is None or s.end is None:
        return None
    return (s.paper, s.version, s.page, s.start, s.end)


def _text_key(claim: Claim) -> tuple:
    paper = claim.source.paper if claim.source else None
    version = claim.source.version if claim.source else None
    prefix = (split_claim_id(claim.id) or (claim.id, 0))[0]
    return (claim.origin.value, paper, version, prefix if claim.origin == Origin.imported else None,
            _norm_text(claim.text))


# --------------------------------------------------------------------------------------------- document


class ClaimsDocument:
    """A claims file in memory: the validated model (`data`) plus the round-trip tree that keeps comments."""

    def __init__(self, data: ClaimsFile, tree: Any = None, path: Path | None = None, read_only: bool = False):
        self.data = data
        self.path = Path(path) if path is not None else None
        self._tree = tree
        self.read_only = read_only
        self.newline, self.bom = "\n", False  # kept on save: a CRLF file with a BOM stays one
        # (sha256, bytes) of the file as read or last written; None for a document made in memory
        self._disk: tuple[str | None, bytes | None] | None = None

    @property
    def claims(self) -> list[Claim]:
        return self.data.claims

    def find(self, cid: str) -> Claim | None:
        """The claim with this id, or None."""
        return next((c for c in self.data.claims if c.id == cid), None)

    def get(self, cid: str) -> Claim:
        """The claim with this id; ClaimsError naming close ids when absent."""
        claim = self.find(cid)
        if claim is None:
            import difflib

            close = difflib.get_close_matches(cid, [c.id for c in self.data.claims], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ClaimsError(f"no claim with id {cid!r} in {self.path or 'the claims file'}{hint}")
        return claim

    def line_of(self, cid: str) -> int | None:
        """1-based line of a claim in the file it was loaded from (None for new claims)."""
        seq = self._tree.get("claims") if self._tree is not None else None
        for i, node in enumerate(seq or []):
            if isinstance(node, dict) and node.get("id") == cid:
                return item_line(seq, i)
        return None

    def where(self, cid: str) -> str:
        line = self.line_of(cid)
        return f"{self.path or '<claims>'}{f':{line}' if line else ''}"

    def set_verification(self, cid: str, verification: Verification | None) -> None:
        """Store a verdict on one claim (does not count as a human edit)."""
        self.get(cid).verification = verification

    def add_source(self, meta: PaperMeta) -> None:
        """Record a paper (id, version, sha256, title) in the study header, once per paper@version."""
        for src in self.data.study.sources:
            if src.paper == meta.id and src.version in (None, meta.version):
                src.version, src.sha256 = meta.version, meta.sha256
                src.title = src.title or meta.title or None
                return
        self.data.study.sources.append(
            StudySource(paper=meta.id, version=meta.version, sha256=meta.sha256, title=meta.title or None))

    # ----------------------------------------------------------------------------------------- merging

    def upsert_extracted(self, claims: Iterable[Claim]) -> MergeStats:
        """Merge freshly extracted claims: same paper + span (or same text) = same claim, keeping its id.

        New claims get the next free number of their paper; unedited machine claims get updated machine fields;
        claims a person edited, and manual or imported claims, are never touched.
        """
        return self._merge(claims)

    def add_imported(self, review, review_path: str | Path | None = None) -> MergeStats:
        """Merge an ImportedReview's claims (matched by review + text), and list the review file in the study."""
        stats = self._merge(review.claims)
        if review_path is not None:
            shown = self._study_path(review_path)
            known = {self._study_path(r) for r in self.data.study.reviews}
            if shown not in known:
                self.data.study.reviews.append(shown)
        return stats

    def _study_path(self, path: str | Path) -> str:
        """A file beside (or below) the claims file as a relative path: the study folder can move, and the report
        names the review the same way whichever folder the study was built in."""
        if self.path is None:
            return str(path)
        try:
            rel = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(self.path)).parent)
        except ValueError:
            return str(path)
        return rel.as_posix()

    def _merge(self, incoming: Iterable[Claim]) -> MergeStats:
        stats = MergeStats()
        incoming = list(incoming)
        by_span = {k: c for c in self.data.claims if (k := _span_key(c)) is not None}
        by_text = {_text_key(c): c for c in self.data.claims}
        next_number: dict[str, int] = {}
        for c in self.data.claims:
            parts = split_claim_id(c.id)
            if parts:
                next_number[parts[0]] = max(next_number.get(parts[0], 0), parts[1])
        matched = self._match_imported([c for c in incoming if c.origin == Origin.imported])
        for new in incoming:
            if new.origin == Origin.imported:
                old = matched.get(id(new))
            else:
                key = _span_key(new)
                old = (by_span.get(key) if key is not None else None) or by_text.get(_text_key(new))
            if old is not None:
                if old.origin != new.origin or is_human_edited(old):
                    stats.skipped_edited.append(old.id)
                    continue
                candidate = new.model_copy(update={"id": old.id})
                if machine_hash(candidate) == old.machine_hash:
                    stats.unchanged.append(old.id)
                    continue
                for name in MACHINE_FIELDS:
                    setattr(old, name, getattr(candidate, name))
                old.machine_hash = machine_hash(old)
                stats.updated.append(old.id)
                continue
            prefix = (split_claim_id(new.id) or (new.id, 0))[0]
            next_number[prefix] = next_number.get(prefix, 0) + 1
            claim = new.model_copy(update={"id": claim_id(prefix, next_number[prefix])}, deep=True)
            claim.machine_hash = machine_hash(claim)
            self.data.claims.append(claim)
            if new.origin != Origin.imported:  # a review's repeated row stays a claim of its own
                by_text[_text_key(claim)] = claim
                if (k := _span_key(claim)) is not None:
                    by_span[k] = claim
            stats.added.append(claim.id)
        return stats

    def _match_imported(self, rows: list[Claim]) -> dict[int, Claim]:
        """Each review row → the claim it already is, or nothing (a new row). Every row first by its text (each
        stored claim matched once, in order, so a repeated row is not folded into the first); then a row whose
        text changed by its row id, if that claim matched no other row. A row inserted above the others thus
        becomes a new claim instead of taking the id (and the place) of the row it pushed down."""
        by_text: dict[tuple, list[Claim]] = {}
        for c in self.data.claims:
            if c.origin == Origin.imported:
                by_text.setdefault(_text_key(c), []).append(c)
        taken: set[int] = set()
        matched: dict[int, Claim] = {}
        for new in rows:
            old = next((c for c in by_text.get(_text_key(new), []) if id(c) not in taken), None)
            if old is not None:
                taken.add(id(old))
                matched[id(new)] = old
        for new in rows:
            if id(new) in matched:
                continue
            same_row = self.find(new.id)
            if same_row is not None and same_row.origin == Origin.imported and id(same_row) not in taken:
                taken.add(id(same_row))
                matched[id(new)] = same_row
        return matched

    # ----------------------------------------------------------------------------------------- checks

    def check_unique_ids(self) -> None:
        seen: dict[str, int] = {}
        for i, c in enumerate(self.data.claims):
            if c.id in seen:
                line = self._item_line(i)
                first = self._item_line(seen[c.id])
                at = f" (first at line {first})" if first else ""
                raise ClaimsError(f"{self.path or '<claims>'}{f':{line}' if line else ''}: duplicate claim id "
                                  f"{c.id!r}{at}; give each claim its own id")
            seen[c.id] = i

    def check_papers(self, known: Iterable[str]) -> None:
        """Every source paper and cited paper must be in `known` (library keys like '2005.13013v2').

        A versioned reference needs that exact version; a bare id ('2005.13013') is satisfied by any version.
        """
        keys = set(known)
        bare_keys = {re.sub(r"v\d+$", "", k) for k in keys}
        for c in self.data.claims:
            refs = []
            if c.source is not None:
                refs.append(c.source.paper if c.source.version is None else f"{c.source.paper}v{c.source.version}")
            refs += c.cites
            for ref in refs:
                bare = re.sub(r"v\d+$", "", ref)
                if (ref in keys) if ref != bare else (bare in bare_keys):
                    continue
                raise ClaimsError(f"{self.where(c.id)}: claim {c.id} points at paper {ref}, which is not in "
                                  f"the library", hint=f"run `synth fetch {ref}` first")

    def check_library(self, library) -> None:
        """check_papers against every paper version stored in a synth.papers.library.Library."""
        self.check_papers(m.key for m in library.papers())

    def _item_line(self, index: int) -> int | None:
        seq = self._tree.get("claims") if self._tree is not None else None
        if seq is None or index >= len(seq):
            return None
        return item_line(seq, index)

    # ----------------------------------------------------------------------------------------- output

    def to_tree(self) -> Any:
        """The round-trip tree updated to the current model (comments and unchanged scalars kept)."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        plain = self.data.model_dump(mode="json", by_alias=True, exclude={"claims"})
        plain = {"schema": plain["schema"], "study": compact(plain["study"])}
        tree = self._tree if isinstance(self._tree, CommentedMap) else CommentedMap()
        for key in [k for k in tree if k not in ("schema", "study", "claims")]:
            del tree[key]
        for i, key in enumerate(("schema", "study")):
            if key in tree:
                tree[key] = merge_node(tree[key], plain[key])
            else:
                tree.insert(i, key, to_node(plain[key]))
        seq = tree.get("claims")
        if not isinstance(seq, CommentedSeq):
            seq = CommentedSeq()
            tree["claims"] = seq
        wanted = [c.id for c in self.data.claims]
        for i in reversed(range(len(seq))):
            if not isinstance(seq[i], dict) or seq[i].get("id") not in wanted:
                del seq[i]
        for i, claim in enumerate(self.data.claims):
            plain_claim = claim_plain(claim)
            if i < len(seq) and seq[i].get("id") == claim.id:
                seq[i] = merge_node(seq[i], plain_claim)
                continue
            j = next((j for j in range(i + 1, len(seq)) if seq[j].get("id") == claim.id), None)
            node = merge_node(seq.pop(j), plain_claim) if j is not None else to_node(plain_claim)
            seq.insert(i, node)
        self._tree = tree
        return tree

    def dumps(self) -> str:
        import io

        buf = io.StringIO()
        make_yaml().dump(self.to_tree(), buf)
        return buf.getvalue()


# --------------------------------------------------------------------------------------------- functions


def new_claims_file(question: str = "", sources: Iterable[StudySource | dict] = (), title: str = "",
                    path: str | Path | None = None) -> ClaimsDocument:
    """An empty claims document with a study header."""
    data = ClaimsFile(study={"question": question, "title": title,
                             "sources": [s if isinstance(s, StudySource) else StudySource(**s) for s in sources]})
    return ClaimsDocument(data, None, Path(path) if path else None)


def _load_fast(text: str) -> ClaimsFile | None:
    """The fast read-only path (see yamlio.fast_validated); a file without this schema version takes the careful
    path, which says what is wrong."""
    return fast_validated(text, ClaimsFile, accept=lambda tree: isinstance(tree, dict)
                          and tree.get("schema") == SCHEMA_VERSION)


def load_claims(path: str | Path, missing_ok: bool = False, *, read_only: bool = False) -> ClaimsDocument:
    """Read and validate claims.yaml; every problem is one ClaimsError line naming file:line.

    `read_only=True` skips the comment-keeping round-trip tree (for listing and reporting); such a document
    cannot be saved."""
    path = Path(path)
    if path.is_dir():
        raise ClaimsError(f"{path}: is a folder; the claims file is a YAML file (--claims FILE / SYNTH_CLAIMS)")
    if missing_ok and not path.exists():
        doc = new_claims_file(path=path)
        doc._disk = (None, None)  # "was absent": a file that appears before saving is merged, not overwritten
        return doc
    raw = read_bytes(path, ClaimsError)
    doc = _parse_document(decode_utf8(raw, path, ClaimsError), path, missing_ok=missing_ok, read_only=read_only)
    if not doc.read_only:
        doc._disk = (_digest(raw), raw)
    return doc


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _parse_document(text: str, path: Path, *, missing_ok: bool = False, read_only: bool = False) -> ClaimsDocument:
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in text else "\n"
    if read_only and text.strip() and (data := _load_fast(text)) is not None:
        doc = ClaimsDocument(data, None, path, read_only=True)
        doc.check_unique_ids()
        return doc
    if not text.strip():
        if missing_ok:
            return new_claims_file(path=path)
        raise ClaimsError(f"{path}:1: empty claims file", hint="start one with `schema: 1` and `claims: []`")
    tree = parse_yaml(text, path, ClaimsError)
    if not isinstance(tree, dict):
        raise ClaimsError(f"{path}:1: expected a mapping with keys schema, study, claims; got "
                          f"{type(tree).__name__}")
    if "schema" not in tree:
        raise ClaimsError(f"{path}:1: missing `schema: {SCHEMA_VERSION}` at the top of the file")
    if tree["schema"] != SCHEMA_VERSION:
        line = tree.lc.key("schema")[0] + 1
        raise ClaimsError(f"{path}:{line}: schema version {repr(tree['schema'])[:40]} is not supported "
                          f"(this synth reads schema {SCHEMA_VERSION})")
    from synth.core.yamlio import to_plain

    try:
        data = ClaimsFile.model_validate(to_plain(tree))
    except ValidationError as exc:
        raise ClaimsError(validation_message(path, tree, exc)) from None
    doc = ClaimsDocument(data, tree, path)
    doc.newline, doc.bom = newline, bom
    doc.check_unique_ids()
    return doc


def save_claims(doc: ClaimsDocument, path: str | Path | None = None) -> list[str]:
    """Validate, then write the document atomically (to `path` or where it came from).

    If the file changed on disk since `doc` was read (a person's edit, another synth command), this process's own
    changes are merged into the file as it is now instead of overwriting it (see synth.claims.concurrent);
    returns notes on changes that could not be applied. The line endings and BOM of the file are kept."""
    from synth.claims.concurrent import locked, remove_stale_temps

    target = Path(path) if path is not None else doc.path
    if doc.read_only:
        raise ClaimsError(f"{doc.path}: loaded read-only (without comments); load it again to write it")
    if target is None:
        raise ClaimsError("no path to save the claims file to")
    if target.is_dir():
        raise ClaimsError(f"{target}: is a folder; the claims file is a YAML file (--claims FILE / SYNTH_CLAIMS)")
    try:
        ClaimsFile.model_validate(doc.data.model_dump(mode="json", by_alias=True))
    except ValidationError as exc:
        raise ClaimsError(f"{target}: refusing to write invalid claims: {exc.errors()[0]['msg']}") from None
    doc.check_unique_ids()
    notes: list[str] = []
    shown = target
    # A claims.yaml that is a link (to a study kept elsewhere) is written through: the atomic rename happens next
    # to the file the link points to, so the link stays a link and the linked study gets the change.
    target = Path(os.path.realpath(target)) if target.is_symlink() else target
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target):
        remove_stale_temps(target)
        if doc._disk is not None and doc.path is not None and target.resolve() == doc.path.resolve():
            notes = _merge_with_disk(doc, target)
        text = doc.dumps()
        if doc.newline != "\n":
            text = text.replace("\n", doc.newline)
        data = (("\ufeff" if doc.bom else "") + text).encode("utf-8")
        write_bytes(target, data)
    doc.path = shown
    doc._disk = (_digest(data), data)
    return notes


def _merge_with_disk(doc: ClaimsDocument, target: Path) -> list[str]:
    """When the file is no longer what `doc` was read from, re-read it and re-apply doc's own changes on top."""
    from synth.claims.concurrent import merge_concurrent

    digest, raw = doc._disk
    try:
        now = target.read_bytes()
    except FileNotFoundError:
        return [] if digest is None else [f"{target} was removed meanwhile; written anew"]
    if digest is not None and _digest(now) == digest:
        return []
    try:
        fresh = _parse_document(decode_utf8(now, target, ClaimsError), target, missing_ok=True)
    except ClaimsError as exc:
        raise ClaimsError(f"{target} changed while synth was running and no longer loads ({exc}); nothing was "
                          "written: fix the file and run the command again") from None
    base = (_parse_document(raw.decode("utf-8"), target, missing_ok=True) if raw is not None
            else new_claims_file(path=target))
    notes = merge_concurrent(base.data, doc.data, fresh.data)
    doc.data, doc._tree, doc.newline, doc.bom = fresh.data, fresh._tree, fresh.newline, fresh.bom
    doc.check_unique_ids()
    return notes
