"""Which stored paper version a claim's reference is checked against: one rule for `synth verify` and
`synth claims check`, so the two never disagree.

A reference names a paper id and maybe a version ('2005.13013v2'). It is checked against
  * that exact version when the library holds it;
  * otherwise another version of the same paper (the newest), with a note saying which (a review that cites v2
    of a preprint the library holds as v1 is still checked, and the reader is told);
  * for an arXiv id the library does not hold under that id: a local PDF identified as that paper (its arXiv
    stamp or DOI), with the same note when the version differs;
and is missing only when none of these exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from synth.core.models import PaperMeta, PaperRef


@dataclass(frozen=True)
class Cited:
    """Where a reference is checked: the stored paper id and version (None: no version wanted), or why not."""

    ref: PaperRef
    paper: str | None = None
    version: int | None = None
    note: str | None = None  # said beside the verdict: the version checked is not the version cited
    missing: str | None = None


def resolve_cited(ref: PaperRef, versions: Callable[[str], list[PaperMeta]],
                  by_arxiv: Callable[[str], PaperMeta | None] | None = None) -> Cited:
    """The stored paper version `ref` is checked against (see the module docstring)."""
    metas = versions(ref.id)
    if not metas and by_arxiv is not None and not ref.id.startswith("local-"):
        local = by_arxiv(ref.id)  # the same paper, added from a local PDF under another id
        if local is not None:
            metas = versions(local.id)
    if not metas:
        return Cited(ref, missing=f"{ref} is not in the library (run: synth fetch {ref})")
    if all(m.n_sentences == 0 for m in metas):
        return Cited(ref, missing=f"{ref} has no text in the library (empty or scanned PDF)")
    if ref.version is None:
        return Cited(ref, metas[-1].id, None)
    exact = next((m for m in metas if m.version == ref.version), None)
    if exact is not None:
        return Cited(ref, exact.id, exact.version)
    newest = max(metas, key=lambda m: m.version)
    if newest.id == ref.id:
        note = f"cites {ref}, which is not in the library: checked against {newest.key}"
    else:
        note = f"cites {ref}: checked against {newest.key}, the library's copy of that paper"
        if newest.source == "local" and newest.id.startswith("local-"):
            note += " (a local PDF)"
    return Cited(ref, newest.id, newest.version, note)


def identity_from_references(library, title: str) -> tuple[PaperRef | None, str]:
    """The arXiv id and version other library papers cite a paper with this title under ('Phang et al. 2020.
    English intermediate-task training improves ... arXiv:2005.13013v2'): (ref, how) when every such reference
    agrees and gives a version, else (None, a reason to tell the user, '' when nothing cites it)."""
    from synth.papers.library.lookup import ARXIV_ANY, MIN_TITLE_CHARS, normalise_title

    wanted = normalise_title(title)
    if len(wanted) < MIN_TITLE_CHARS:
        return None, ""
    found: set[tuple[str, int | None]] = set()
    citing: list[str] = []
    for meta in library.papers():
        for sentence in library.iter_sentences(meta):
            if sentence.kind != "references" or f" {wanted} " not in f" {normalise_title(sentence.text)} ":
                continue
            for m in ARXIV_ANY.finditer(sentence.text):
                found.add((m["id"], int(m["v"]) if m["v"] else None))
                citing.append(meta.key)
    ids = {i for i, _ in found}
    if not ids:
        return None, ""
    by = ", ".join(sorted(set(citing)))
    if len(ids) > 1:
        return None, f"references in {by} give this title several arXiv ids ({', '.join(sorted(ids))})"
    (paper,) = ids
    versions = {v for _, v in found if v is not None}
    if len(versions) != 1:
        return None, (f"{by} cites this title as arXiv {paper} without one version: not filed under it "
                      f"(use --as {paper}vN)")
    return PaperRef(id=paper, version=versions.pop()), f"cited as arXiv {paper} by {by}"
