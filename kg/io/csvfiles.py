"""Reading CSV files: each record with the line it starts on, and every fault named by file and line.

Both CSV readers (the interchange format, :mod:`kg.io.csvdata`, and the measurement importer, :mod:`kg.io.webdep`)
read through :func:`records`. It is stricter than Python's :mod:`csv` defaults, so that a broken file
stops with one line instead of being read wrongly:

* a quote opened and never closed (the rest of the file would become one field) is an error, and so is a
  quoted field that runs over lines which look like records of their own;
* text after a closing quote, a field over :data:`FIELD_LIMIT` characters, text that is not UTF-8 (UTF-16
  is recognised by its byte-order mark) are errors naming the line;
* a UTF-8 byte-order mark and CRLF line ends are accepted.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError, SourceLocation

__all__ = ["FIELD_LIMIT", "records"]

#: The longest field accepted, in characters (Python's csv default).
FIELD_LIMIT = 131_072

_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def _check_encoding(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError as error:
        raise InputError(error.strerror or str(error), SourceLocation(str(path))) from None
    for bom, name in _BOMS.items():
        if start.startswith(bom):
            raise InputError(f"{name} text: save the file as UTF-8", SourceLocation(str(path), 1))


def _bad_text_line(path: Path) -> int | None:
    """The first line of ``path`` that is not UTF-8."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


#: What the first field of a record looks like: an identifier, a domain name, a rank (never a date, never
#: words with spaces, as a line of prose or a list in a note would start).
_RECORD_KEY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._:/-]*[A-Za-z0-9])?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}.*")


def _looks_like_records(field: str, width: int) -> bool:
    """Whether a field spanning lines holds lines that look like whole records (a closing quote is missing):
    a line that reads as exactly ``width`` fields, the first an identifier. A note whose lines are prose,
    lists or dated entries (``2021-01-10, AWS warns, ...``) is a note, whatever its commas."""
    if width <= 2:
        return False
    for line in field.split("\n")[1:]:
        try:
            cells = next(csv.reader([line], strict=True), [])
        except csv.Error:  # the line holds the quote that closes the field: not a record of its own
            continue
        key = cells[0].strip() if cells else ""
        if len(cells) == width and _RECORD_KEY.fullmatch(key) and not _DATE.fullmatch(key):
            return True
    return False


def records(path: Path, width: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, fields)`` for each record of the CSV file at ``path``, the header first.

    ``line`` is the line the record starts on. ``width``, when known (the header's), lets a field that
    swallowed whole records be recognised. Raises :class:`~kg.errors.InputError` naming the file and line.
    """
    _check_encoding(path)
    name = str(path)
    line = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise _csv_error(str(error), name, line, reader.line_num) from None
                if width is None and line == 1:
                    width = len(fields)
                if reader.line_num > line and width is not None:
                    for field in fields:
                        if "\n" in field and _looks_like_records(field, width):
                            raise InputError(
                                f"a quoted field runs from here over {reader.line_num - line} lines that look like "
                                "records: is a closing quote missing?",
                                SourceLocation(name, line),
                            )
                yield line, fields
                line = reader.line_num + 1
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason})", SourceLocation(name, _bad_text_line(path))) from None
    except OSError as error:
        raise InputError(error.strerror or str(error), SourceLocation(name)) from None


def _csv_error(message: str, name: str, start: int, current: int) -> InputError:
    if "unexpected end of data" in message:
        return InputError(
            "a quoted field opened here is never closed: is a closing quote missing?", SourceLocation(name, start)
        )
    if "expected after" in message:
        return InputError(
            'text after a closing quote (a quote inside a quoted field is written twice: "")',
            SourceLocation(name, current),
        )
    if "field larger than field limit" in message:
        return InputError(f"a field longer than {FIELD_LIMIT:,} characters", SourceLocation(name, start))
    return InputError(f"malformed CSV: {message}", SourceLocation(name, current))
