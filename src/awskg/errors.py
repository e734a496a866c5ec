"""The errors awskg raises on bad input. Each carries a one-line message that names the culprit;
the CLI prints it and exits non-zero, the app shows it, and nothing prints a traceback."""

from __future__ import annotations


class AwskgError(Exception):
    """Base class: `str(err)` is the one-line message shown to the user."""

    exit_code = 1


class InputError(AwskgError):
    """A notes path that cannot be read as notes: missing, binary, empty, undecodable, no notes."""

    exit_code = 2


class GraphFileError(AwskgError):
    """A graph file that is missing, truncated, corrupt, or of an unknown schema version."""

    exit_code = 3


class UnknownEntity(AwskgError):
    """A name that matches no entity; `suggestions` holds the nearest names (did you mean ...)."""

    exit_code = 4

    def __init__(self, name: str, suggestions: list[str] | None = None):
        self.name = name
        self.suggestions = list(suggestions or [])
        msg = f"no entity named {name!r}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions[:5]) + "?"
        super().__init__(msg)


class OutputError(AwskgError):
    """A file awskg was asked to write and may not: it exists (no --force), or its folder is missing."""

    exit_code = 5


class UsageError(AwskgError):
    """An argument out of range or malformed (a depth of 100, an unknown format or unit)."""

    exit_code = 2
