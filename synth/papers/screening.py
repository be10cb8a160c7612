"""Fetching what the screening included: every included record of the search log with an arXiv id goes into the
library (synth.papers.fetch), and the log records the library key or why it could not."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Callable

from synth.papers.search_log import load_log, update_log

if TYPE_CHECKING:
    from synth.core.settings import Settings

Progress = Callable[..., None]


@dataclass
class FetchOutcome:
    fetched: list[str]
    present: list[str]
    failed: dict[str, str]
    not_fetchable: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


def fetch_included(settings: "Settings | None" = None, progress: Progress | None = None) -> FetchOutcome:
    """Fetch every included record with an arXiv id into the library; the log records each library key (records
    without an arXiv id get a note: add their PDF with `synth fetch path.pdf`)."""
    from synth.core.settings import get_settings
    from synth.papers.fetch import fetch

    settings = settings or get_settings()
    path = settings.search_log_path
    log = load_log(path)
    todo = [r for r in log.records if r.screening == "include" and not r.fetched]
    arxiv = [r for r in todo if r.ids.arxiv]
    outcome = FetchOutcome([], [], {}, [r.key for r in todo if not r.ids.arxiv])
    results = fetch([r.ids.arxiv for r in arxiv], settings=settings, progress=progress) if arxiv else []
    notes: dict[str, tuple[str | None, str | None]] = {
        key: (None, "no arXiv id: fetch its PDF yourself with `synth fetch path.pdf`") for key in
        outcome.not_fetchable}
    for record, result in zip(arxiv, results):
        if result.status == "failed":
            outcome.failed[record.key] = result.message
            notes[record.key] = (None, result.message)
        else:
            (outcome.fetched if result.status == "fetched" else outcome.present).append(record.key)
            notes[record.key] = (result.paper, None)


    def record_fetches(fresh) -> None:  # the log as it is now: marks made while fetching are kept
        fresh.records = [r.model_copy(update={"fetched": notes[r.key][0], "fetch_note": notes[r.key][1]})
                         if r.key in notes else r for r in fresh.records]

    update_log(path, record_fetches)
    return outcome
