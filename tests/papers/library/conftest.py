"""Fixtures: the loopback arXiv mirror (see tests/papers/sources/fixtures.py)."""

from tests.papers.sources.fixtures import mirror  # noqa: F401
