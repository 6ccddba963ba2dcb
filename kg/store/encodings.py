"""How the column tables encode values: dates and instants as integers, lists as packed strings and
compressed rows, and strings as one packed column.

Every table of :mod:`kg.store.tables` is written and read with these; the analysis on arrays
(:mod:`kg.analysis.arrays`) compares the integers directly (a day number is days since 1970-01-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "EFFECTS",
    "ENDINGS",
    "NO_END",
    "NO_START",
    "NO_TIME",
    "StringColumn",
    "country_codes",
    "csr",
    "day_number",
    "from_day_number",
    "from_instant_number",
    "gather_lists",
    "instant_number",
    "listed",
    "optional_iri",
    "upstream_services",
    "upstream_text",
]

#: Day numbers (days since 1970-01-01) standing for "no start" and "no end".
NO_START, NO_END = np.iinfo(np.int32).min, np.iinfo(np.int32).max
_EPOCH = dt.date(1970, 1, 1)
#: Codes of ``ended_by`` and ``effect`` (index 0: not given).
ENDINGS = ("", "provider", "dependent", "unknown")
EFFECTS = ("", "essential", "channel")
#: ``dep_start_time`` / ``dep_end_time`` where no time of day is known.
NO_TIME = np.iinfo(np.int64).min


def instant_number(value: str | dt.datetime | None) -> int:
    """Seconds since 1970-01-01T00:00Z of an ISO date-time with an offset (:data:`NO_TIME` when empty).

    >>> instant_number("1970-01-01T01:00:00+01:00"), instant_number("") == NO_TIME
    (0, True)
    """
    if not value:
        return int(NO_TIME)
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return int(moment.timestamp())


def from_instant_number(number: int) -> dt.datetime | None:
    """The UTC instant of :func:`instant_number`, or ``None`` for :data:`NO_TIME`."""
    if number == NO_TIME:
        return None
    return dt.datetime.fromtimestamp(int(number), dt.UTC)


def upstream_services(value: str) -> tuple[str, ...] | None:
    """Decode ``dep_upstream``: ``None`` for the service's default, ``()`` for none, else the services.

    >>> upstream_services(""), upstream_services("-"), upstream_services("banking;payments")
    (None, (), ('banking', 'payments'))
    """
    if not value:
        return None
    return () if value == "-" else tuple(value.split(";"))


def upstream_text(value: tuple[str, ...] | None) -> str:
    if value is None:
        return ""
    return ";".join(value) if value else "-"


def country_codes(value) -> tuple[str, ...]:
    return tuple(value.split(";")) if isinstance(value, str) and value else tuple(value or ())


def listed(value: str) -> tuple[str, ...]:
    return tuple(value.split(";")) if value else ()


def day_number(value: str | dt.date | None, missing: int) -> int:
    """Days since 1970-01-01 of an ISO date (or ``missing`` when empty).

    >>> day_number("1970-01-02", NO_START), day_number("", NO_END) == NO_END
    (1, True)
    """
    if not value:
        return missing
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (day - _EPOCH).days


def from_day_number(number: int) -> dt.date | None:
    """The date of a day number, or ``None`` for :data:`NO_START` / :data:`NO_END`."""
    if number in (NO_START, NO_END):
        return None
    return _EPOCH + dt.timedelta(days=int(number))


class StringColumn:
    """Many strings packed into one: the text and each string's start offset (in characters)."""

    def __init__(self, text: str, offsets: np.ndarray) -> None:
        self.text = text
        self.offsets = offsets

    @classmethod
    def of(cls, values: Sequence[str]) -> StringColumn:
        """Pack ``values``.

        >>> column = StringColumn.of(["parler", "", "aws"])
        >>> column[2], len(column), column.tolist()
        ('aws', 3, ['parler', '', 'aws'])
        """
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls("".join(values), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.text[self.offsets[index] : self.offsets[index + 1]]

    def tolist(self) -> list[str]:
        text, offsets = self.text, self.offsets.tolist()
        return [text[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {
            f"{name}.text": np.frombuffer(self.text.encode("utf-8"), dtype=np.uint8),
            f"{name}.offsets": self.offsets,
        }

    @classmethod
    def from_arrays(cls, arrays, name: str) -> StringColumn:
        return cls(arrays[f"{name}.text"].tobytes().decode("utf-8"), arrays[f"{name}.offsets"])


def csr(lists: Iterable[Sequence[int]], count: int) -> tuple[np.ndarray, np.ndarray]:
    pointer = np.zeros(count + 1, dtype=np.int64)
    flat: list[int] = []
    for index, values in enumerate(lists):
        flat.extend(values)
        pointer[index + 1] = len(flat)
    return pointer, np.asarray(flat, dtype=np.int32)


def gather_lists(pointer: np.ndarray, items: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR whose row ``i`` is row ``rows[i]`` of (``pointer``, ``items``).

    >>> gather_lists(np.array([0, 1, 3]), np.array([7, 8, 9], dtype=np.int32), np.array([1, 1, 0]))
    (array([0, 2, 4, 5]), array([8, 9, 8, 9, 7], dtype=int32))
    """
    lengths = (pointer[rows + 1] - pointer[rows]) if len(rows) else np.zeros(0, dtype=np.int64)
    out_pointer = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out_pointer[1:])
    total = int(out_pointer[-1])
    if total == 0:
        return out_pointer, np.zeros(0, dtype=np.int32)
    positions = np.repeat(pointer[rows] - out_pointer[:-1], lengths) + np.arange(total)
    return out_pointer, items[positions].astype(np.int32)


def optional_iri(text: str):
    """An IRI from its text, or ``None`` for the empty string."""
    from rdflib import URIRef

    return URIRef(text) if text else None
