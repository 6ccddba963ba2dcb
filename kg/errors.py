"""The library's exceptions, one small hierarchy.

The command line maps each class to an exit code (see ``kg/cli.py`` and ``docs/exit-codes.md``):
:class:`InputError` and its subclasses are the user's to fix (exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["InputError", "KGError", "SourceLocation", "UnknownNameError", "quoted"]

#: The longest message an error carries, in characters: a value given by the user (a 100 kB name) is
#: cut so that the error stays a line one can read.
LONGEST_MESSAGE = 1_000


class KGError(Exception):
    """Base class of every error the library raises on purpose."""


class SourceLocation:
    """Where in an input something is: a file and, when known, a line."""

    def __init__(self, path: str, line: int | None = None) -> None:
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path


class InputError(KGError):
    """An input the user gave cannot be used: missing or unreadable file, syntax error, bad value.

    ``str(error)`` is one line that names the file (and line) or the value at fault.
    """

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        self.message = _escaped_line(message)
        self.location = location
        super().__init__(_escaped_line(f"{location}: {message}" if location else message))


def _escaped_line(text: str) -> str:
    """``text`` as one line, whatever a parser quoted from the input: line breaks shown as escapes, and at
    most :data:`LONGEST_MESSAGE` characters (the rest said to be left out)."""
    line = text.replace("\r", "\\r").replace("\n", "\\n")
    if len(line) <= LONGEST_MESSAGE:
        return line
    return f"{line[: LONGEST_MESSAGE - 40]}… ({len(line) - LONGEST_MESSAGE + 40:,} characters left out)"


def quoted(value: str, limit: int = 80) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters: a name the user gave is echoed, not all
    of a 100 kB one.

    >>> quoted("Parler"), quoted("x" * 100, limit=10)
    ("'Parler'", "'xxxxxxxxx…' (100 characters)")
    """
    if len(value) <= limit:
        return repr(value)
    return f"{value[: limit - 1] + '…'!r} ({len(value):,} characters)"


class UnknownNameError(InputError):
    """A name or identifier given by the user matches nothing; carries the closest matches."""

    def __init__(
        self,
        what: str,
        name: str,
        suggestions: Sequence[str] = (),
        location: SourceLocation | None = None,
    ) -> None:
        self.what = what
        self.name = name
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {what} {quoted(name)}{hint}", location)
