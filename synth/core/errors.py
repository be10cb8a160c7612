"""Typed errors. The library raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class SynthError(Exception):
    """Base class for every expected failure. `exit_code` follows DESIGN.md: 1 item failed, 2 usage/input."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(SynthError):
    """Bad arguments or bad input files: exit code 2."""

    exit_code = 2


class InvalidIdError(UsageError):
    """A string that is not an arXiv id, arXiv URL or existing PDF path."""


class ConfigError(UsageError):
    """Malformed YAML / schema violations in a user-editable file; message carries file:line."""


class NetworkError(SynthError):
    """Network down, timeouts, or HTTP errors that persisted after retries."""


class NotFoundError(SynthError):
    """An id that arXiv (or the library) does not know."""


class PDFError(SynthError):
    """A PDF that cannot be used: corrupt, encrypted, empty, too large, or without a text layer."""


class LibraryError(SynthError):
    """Problems with the paper store (missing paper, inconsistent index)."""


class ClaimsError(UsageError):
    """claims.yaml problems: duplicate ids, wrong schema version, unknown papers."""


class ReplicationError(SynthError):
    """Replication engine failures: missing data, missing model, bad experiment file."""


class StorageError(SynthError):
    """The disk said no: full, read-only or not writable. Finished work is kept; the message says where."""
