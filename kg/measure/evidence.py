"""One question asked of the network and its raw answer: the source of every measured fact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["FAILURES", "OUTCOMES", "Evidence", "instant_text", "whole_second"]

#: How a question ended. ``ok``: an answer (possibly empty of the records asked for: ``nodata``);
#: ``nxdomain``: the name does not exist; ``servfail``, ``refused``: the server failed or refused;
#: ``timeout``: no answer in time; ``error``: anything else (a TLS failure, a malformed answer), said in
#: ``detail``.
OUTCOMES = ("ok", "nodata", "nxdomain", "servfail", "refused", "timeout", "error")

#: The outcomes that are failures: no usable answer, so they end no dependency.
FAILURES = ("servfail", "refused", "timeout", "error")


def instant_text(moment: dt.datetime) -> str:
    """An instant as the interchange format writes it: UTC, to the second (a fraction is dropped).

    >>> instant_text(dt.datetime(2026, 12, 7, 11, 0, 1, 900_000, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '2026-12-07T10:00:01Z'
    """
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def whole_second(moment: dt.datetime, up: bool = False) -> dt.datetime:
    """``moment`` in UTC to the second: down, or ``up`` (a run's end, which every answer came before).

    >>> t = dt.datetime(2026, 12, 7, 10, 0, 1, 250_000, tzinfo=dt.UTC)
    >>> whole_second(t).isoformat(), whole_second(t, up=True).isoformat()
    ('2026-12-07T10:00:01+00:00', '2026-12-07T10:00:02+00:00')
    """
    moment = moment.astimezone(dt.UTC)
    whole = moment.replace(microsecond=0)
    return whole + dt.timedelta(seconds=1) if up and whole < moment else whole


@dataclass(frozen=True)
class Evidence:
    """What was asked, of which server, from where, when, and what came back.

    Examples
    --------
    >>> e = Evidence("gab.com", "dns", "NS gab.com", "127.0.0.1:5353", dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
    ...              "ok", ("ns1.example.net.", "ns2.example.net."))
    >>> e.failed
    False
    """

    domain: str  # the domain being measured (what the answer is evidence about)
    kind: str  # "dns", "tls", "http", "rdap", "asn"
    question: str  # e.g. "NS gab.com", "A www.gab.com", "GET https://gab.com/", "TLS gab.com:443"
    server: str  # the resolver, host:port or URL asked
    instant: dt.datetime  # when the answer came (UTC)
    outcome: str  # one of OUTCOMES
    answer: tuple[str, ...] = ()  # the raw answer, one record (or header, or certificate field) per item
    detail: str = ""  # what went wrong, or a note on the answer
    vantage: dict[str, str] = field(default_factory=dict, hash=False)  # country, network: where asked from

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}; expected one of {', '.join(OUTCOMES)}")
        if self.instant.tzinfo is None:
            raise ValueError("an evidence instant needs its time zone (UTC)")

    @property
    def failed(self) -> bool:
        """Whether the question got no usable answer (a failure ends no dependency: see the merge rule)."""
        return self.outcome in FAILURES
