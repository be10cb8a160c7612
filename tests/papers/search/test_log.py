"""The search log file: round trip, hand edits (screening marks) read back, bad edits reported with file:line."""

from __future__ import annotations

import pytest

from synth.core.errors import ConfigError
from synth.papers.search import search_literature
from synth.papers.search_log import dump_log, flow_counts, load_log
from tests.papers.search.conftest import QUERY


def test_round_trip_and_hand_edited_marks(settings, databases):
    search_literature(QUERY, settings=settings)
    path = settings.search_log_path
    log = load_log(path)
    assert load_log(path) == log and dump_log(log) == path.read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.count("screening: undecided") == len(log.records)  # shown, so that it can be edited
    # a person marks the first record by hand
    edited = text.replace("screening: undecided", "screening: include\n  reason: core paper", 1)
    path.write_text(edited, encoding="utf-8")
    log = load_log(path)
    assert log.records[0].screening == "include" and log.records[0].reason == "core paper"
    assert flow_counts(log).included == 1
    search_literature(QUERY, settings=settings)  # the same search again: marks kept
    assert load_log(path).records[0].screening == "include"


def test_bad_mark_is_one_line_with_file_and_line(settings, databases):
    search_literature(QUERY, settings=settings)
    path = settings.search_log_path
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "screening: undecided" in line)
    lines[at] = lines[at].replace("undecided", "maybe")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_log(path)
    message = str(exc.value)
    assert message.startswith(f"{path}:{at + 1}: records[0].screening:") and "\n" not in message


def test_a_hand_edit_the_careful_parser_refuses_is_refused_not_read_differently(settings, databases):
    """A repeated key or a byte that is not UTF-8 is an error with file:line, as for claims.yaml."""
    search_literature(QUERY, settings=settings)
    path = settings.search_log_path
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "records: []\n", encoding="utf-8")  # `records:` a second time
    with pytest.raises(ConfigError, match=r"duplicate key|found duplicate"):
        load_log(path)
    path.write_bytes(text.encode("utf-8").replace(b"screening: undecided", b"screening: undecided \xff", 1))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_log(path)
