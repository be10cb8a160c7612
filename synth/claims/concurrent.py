"""A claims file written by several processes (and people) at once: an advisory lock around read-compare-write,
and a three-way merge when the file changed on disk since this process read it.

`synth extract` may run for minutes; meanwhile a person appends a claim by hand, or `synth import-report` adds a
review. Writing the in-memory document blindly would drop their work. Instead `save_claims` takes the lock,
sees that the file is not what it read, re-reads it and applies only this process's own changes (relative to
what it read) on top: claims it added, changed or removed, and study-header fields it changed. Where both sides
changed the same claim, the version on disk (the person's) wins and the claim id is reported.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from synth.core.errors import ClaimsError
from synth.core.files import folder_lock
from synth.core.models import ClaimsFile

LOCK_WAIT_S = 120.0  # a writer holds the lock only to re-read, merge and write: seconds even for big files
_NUMBERED = re.compile(r"^(?P<prefix>.+)-c(?P<n>\d+)$")


def file_digest(path: Path) -> str | None:
    """sha256 of the file's bytes, or None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@contextmanager
def locked(path: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold an exclusive advisory lock for writing `path` (a flock on its folder: no lock file is left behind).

    Folders that cannot be locked (some network file systems) are used unlocked: the digest check in
    `save_claims` still catches a concurrent change there, only without the guarantee against a last-moment race.
    """
    with folder_lock(path, wait_s, error=ClaimsError):
        yield


def remove_stale_temps(path: Path) -> None:
    """Delete `.claims.yaml.*.tmp` files left by killed writers (call with the lock held: no live writer)."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def _dump(model) -> dict:
    return model.model_dump(mode="json", by_alias=True)


def _free_id(cid: str, taken: set[str]) -> str | None:
    """The next unused number for a `<prefix>-cNN` id (None for ids that are not numbered)."""
    m = _NUMBERED.match(cid)
    if not m:
        return None
    n = max([int(t.rsplit("-c", 1)[1]) for t in taken if t.startswith(m["prefix"] + "-c")
             and t.rsplit("-c", 1)[1].isdigit()] + [0])
    return f"{m['prefix']}-c{n + 1:0{max(2, len(m['n']))}d}"


def merge_concurrent(base: ClaimsFile, ours: ClaimsFile, theirs: ClaimsFile) -> list[str]:
    """Apply the changes `ours` made relative to `base` onto `theirs` (the file as it is now), in place.

    Returns notes on what could not be applied because the file changed in the same place (theirs wins)."""
    notes: list[str] = []
    base_claims = {c.id: _dump(c) for c in base.claims}
    ours_claims = {c.id: c for c in ours.claims}
    index = {c.id: i for i, c in enumerate(theirs.claims)}
    for cid, claim in ours_claims.items():
        mine = _dump(claim)
        if cid not in base_claims:  # added here
            if cid not in index:
                theirs.claims.append(claim)
                index[cid] = len(theirs.claims) - 1
            elif _dump(theirs.claims[index[cid]]) != mine:
                new_id = _free_id(cid, set(index))
                if new_id is None:
                    notes.append(f"{cid}: added meanwhile with different content; the file's version kept")
                    continue
                theirs.claims.append(claim.model_copy(update={"id": new_id}))
                index[new_id] = len(theirs.claims) - 1
                notes.append(f"{cid}: that id was added meanwhile; this claim is now {new_id}")
        elif mine != base_claims[cid]:  # changed here
            if cid not in index:
                notes.append(f"{cid}: removed from the file meanwhile; not restored")
            elif _dump(theirs.claims[index[cid]]) == base_claims[cid]:
                theirs.claims[index[cid]] = claim
            elif _dump(theirs.claims[index[cid]]) != mine:
                notes.append(f"{cid}: edited in the file meanwhile; that edit kept, this change not written")
    for cid in base_claims.keys() - ours_claims.keys():  # removed here
        if cid in index:
            if _dump(theirs.claims[index[cid]]) == base_claims[cid]:
                theirs.claims[index[cid]] = None  # type: ignore[call-overload]
            else:
                notes.append(f"{cid}: edited in the file meanwhile; kept although removed here")
    theirs.claims[:] = [c for c in theirs.claims if c is not None]
    _merge_study(base, ours, theirs)
    return notes


def _merge_study(base: ClaimsFile, ours: ClaimsFile, theirs: ClaimsFile) -> None:
    """Study-header fields changed here and not there are taken; lists changed on both sides are united."""
    b, o, t = _dump(base.study), _dump(ours.study), _dump(theirs.study)
    merged = dict(t)
    for key, value in o.items():
        if value == b.get(key):
            continue
        if t.get(key) == b.get(key):
            merged[key] = value
        elif isinstance(value, list) and isinstance(t.get(key), list):
            merged[key] = t[key] + [v for v in value if v not in t[key] and v not in (b.get(key) or [])]
    if merged != t:
        theirs.study = type(theirs.study).model_validate(merged)
