"""Fixtures: the loopback arXiv mirror (see tests/sources/fixtures.py)."""

from tests.sources.fixtures import mirror  # noqa: F401
