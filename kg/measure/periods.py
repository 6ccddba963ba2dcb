"""Successive measurements merged into dated periods, and what changed between two of them.

A measurement shows that a dependency held at an instant, not since when. Runs of ``kg measure`` over
the same domains are merged by one rule:

* a dependency seen in consecutive runs in which its dependent was measured is one period, from the
  first run that saw it (it held *no later than* then) to the last (it held *at least* until then);
* a dependency no longer seen in a run that measured its dependent successfully ends between the last run
  that saw it and that one (``ended_at``; ended by an unknown party: the measurement cannot say who);
* a run in which the dependent's measurement failed (a timeout, SERVFAIL, a refusal, an error), or
  that service's (its certificate could not be read, its registry did not answer), or that did not measure
  the service at all, ends nothing: it is a gap in the evidence, not a change;
* a dependent that no longer exists (NXDOMAIN), measured successfully, ends every dependency it had and
  is seen *unreachable* (:func:`changes` reports it as an observation of its status).

Every run is kept as evidence of the periods it belongs to (:attr:`Period.runs`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Change", "Period", "Run", "Seen", "StatusChange", "between", "changes", "merge_runs"]

#: A dependent's outcome in a run that counts as measured: its dependencies seen are all it has.
MEASURED = ("ok", "nxdomain")


@dataclass(frozen=True)
class Seen:
    """One dependency observed in one run: ``dependent`` relies on ``provider`` for ``service``."""

    dependent: str
    provider: str
    service: str
    evidence: tuple[str, ...] = ()  # the identifiers of the evidence that showed it

    @property
    def key(self) -> tuple[str, str, str]:
        return self.dependent, self.provider, self.service


@dataclass(frozen=True)
class Run:
    """One measurement run: when, each measured domain's outcome (``ok``, ``nxdomain``, or a failure:
    ``servfail``, ``refused``, ``timeout``, ``error``), the dependencies it saw and, when known, the outcome
    of each service it measured for a domain that answered (``services``: ``(domain, service)`` ->
    outcome; ``None``: every service counts as measured where the domain was)."""

    identifier: str
    instant: dt.datetime
    outcomes: dict[str, str] = field(hash=False)
    seen: tuple[Seen, ...] = ()
    services: dict[tuple[str, str], str] | None = field(default=None, hash=False)

    def measured(self, domain: str, service: str = "dns") -> bool:
        """Whether this run measured ``domain``'s ``service`` successfully (the providers it saw for it are
        all it had): the domain answered, or no longer exists; and the service's own questions did not fail
        (its certificate read, its registry answered...).

        >>> t = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        >>> run = Run("r", t, {"a.test": "ok", "b.test": "nxdomain"}, services={("a.test", "hosting"): "timeout"})
        >>> run.measured("a.test"), run.measured("a.test", "hosting"), run.measured("a.test", "registrar")
        (True, False, False)
        >>> run.measured("b.test", "registrar"), run.measured("c.test")
        (True, False)
        """
        outcome = self.outcomes.get(domain)
        if outcome not in MEASURED:
            return False
        if outcome == "nxdomain" or service == "dns" or self.services is None:
            return True
        return self.services.get((domain, service)) in MEASURED


@dataclass(frozen=True)
class Period:
    """A dependency over consecutive runs that saw it."""

    dependent: str
    provider: str
    service: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    ended_at: dt.datetime | None  # the first run that measured the dependent and did not see it
    runs: tuple[str, ...]  # the runs that saw it: its evidence


def merge_runs(runs: Iterable[Run]) -> list[Period]:
    """The periods of every dependency seen in ``runs`` (in any order: they are sorted by instant), by the
    module's rule.

    Examples
    --------
    >>> t = [dt.datetime(2026, 12, d, tzinfo=dt.UTC) for d in (1, 8, 15, 22)]
    >>> runs = [
    ...     Run("r1", t[0], {"gab.com": "ok"}, (Seen("gab.com", "x", "hosting"),)),
    ...     Run("r2", t[1], {"gab.com": "timeout"}),  # a gap: ends nothing
    ...     Run("r3", t[2], {"gab.com": "ok"}, (Seen("gab.com", "x", "hosting"),)),
    ...     Run("r4", t[3], {"gab.com": "ok"}, (Seen("gab.com", "y", "hosting"),)),
    ... ]
    >>> for p in merge_runs(runs):
    ...     print(p.provider, p.first_seen.day, p.last_seen.day, p.ended_at and p.ended_at.day, p.runs)
    x 1 15 22 ('r1', 'r3')
    y 22 22 None ('r4',)
    """
    ordered = sorted(runs, key=lambda run: (run.instant, run.identifier))
    seen_in: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for run in ordered:
        for seen in run.seen:
            seen_in[seen.key].add(run.identifier)
    periods: list[Period] = []
    for key in sorted(seen_in):
        dependent = key[0]
        first = last = None
        members: list[str] = []
        for run in ordered:
            if run.identifier not in seen_in[key] and not run.measured(dependent, key[2]):
                continue  # a failed (or absent) measurement: a gap, not a change
            if run.identifier in seen_in[key]:
                if first is None:
                    first = run.instant
                last = run.instant
                members.append(run.identifier)
            elif first is not None:
                periods.append(Period(*key, first, last, run.instant, tuple(members)))
                first, last, members = None, None, []
        if first is not None:
            periods.append(Period(*key, first, last, None, tuple(members)))
    return periods


def between(after: dt.datetime, before: dt.datetime) -> str:
    """When a change happened, as precisely as two runs tell: their days, or their times on one day (UTC).

    >>> t = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    >>> between(t, t + dt.timedelta(days=7)), between(t, t + dt.timedelta(hours=6, minutes=5))
    ('between 2026-12-01 and 2026-12-08', 'on 2026-12-01 between 10:00:00 and 16:05:00 UTC')
    """
    after, before = after.astimezone(dt.UTC), before.astimezone(dt.UTC)
    if after.date() != before.date():
        return f"between {after:%Y-%m-%d} and {before:%Y-%m-%d}"
    return f"on {after:%Y-%m-%d} between {after:%H:%M:%S} and {before:%H:%M:%S} UTC"


@dataclass(frozen=True)
class Change:
    """How one dependent's providers of one service changed between two runs."""

    dependent: str
    service: str
    ended: tuple[str, ...]  # providers seen in the older run, not in the newer
    began: tuple[str, ...]  # providers seen in the newer run, not in the older
    after: dt.datetime  # the older run: the change happened after it...
    before: dt.datetime  # ... and before the newer one

    def sentence(self, name=lambda identifier: identifier) -> str:
        """The change in words: ``gab.com: hosting moved from X to Y between 2026-12-01 and 2026-12-08``."""
        when = between(self.after, self.before)
        ended, began = ", ".join(map(name, self.ended)), ", ".join(map(name, self.began))
        if self.ended and self.began:
            return f"{name(self.dependent)}: {self.service} moved from {ended} to {began} {when}"
        if self.ended:
            return f"{name(self.dependent)}: {self.service} from {ended} ended {when}"
        return f"{name(self.dependent)}: {self.service} from {began} began {when}"


@dataclass(frozen=True)
class StatusChange:
    """A dependent whose outcome changed between two runs: it stopped resolving, or came back."""

    dependent: str
    old: str  # its outcome in the older run
    new: str  # ... and in the newer one
    after: dt.datetime
    before: dt.datetime

    @property
    def status(self) -> str:
        """The status the newer run observed: ``unreachable`` (the name no longer exists or no longer
        answers) or ``reachable``."""
        return "reachable" if self.new == "ok" else "unreachable"

    def sentence(self, name=lambda identifier: identifier) -> str:
        when = between(self.after, self.before)
        if self.new == "ok":
            return f"{name(self.dependent)}: answers again ({self.old} before) {when}"
        return f"{name(self.dependent)}: stopped answering ({self.new}) {when}"


def changes(old: Run, new: Run) -> tuple[list[Change], list[StatusChange]]:
    """What changed from ``old`` to ``new``: per dependent and service, the providers that ended and began
    (only for dependents both runs measured: a failed measurement is a gap, not a change); and the
    dependents whose outcome changed between answering (``ok``) and not (``nxdomain`` or a failure).

    Examples
    --------
    >>> t1, t2 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 8, tzinfo=dt.UTC)
    >>> a = Run("a", t1, {"gab.com": "ok", "x.test": "ok"}, (Seen("gab.com", "epik", "hosting"),))
    >>> b = Run("b", t2, {"gab.com": "ok", "x.test": "nxdomain"}, (Seen("gab.com", "sibyl", "hosting"),))
    >>> moved, statuses = changes(a, b)
    >>> print(moved[0].sentence())
    gab.com: hosting moved from epik to sibyl between 2026-12-01 and 2026-12-08
    >>> print(statuses[0].sentence(), statuses[0].status)
    x.test: stopped answering (nxdomain) between 2026-12-01 and 2026-12-08 unreachable
    """
    if new.instant < old.instant:
        old, new = new, old
    providers: dict[tuple[str, str], list[set[str]]] = defaultdict(lambda: [set(), set()])
    for index, run in enumerate((old, new)):
        for seen in run.seen:
            providers[seen.dependent, seen.service][index].add(seen.provider)
    found = []
    for (dependent, service), (before, after) in sorted(providers.items()):
        measured = all(providers_seen or run.measured(dependent, service) for run, providers_seen in
                       ((old, before), (new, after)))  # fmt: skip
        if not measured or before == after:
            continue
        ended, began = tuple(sorted(before - after)), tuple(sorted(after - before))
        found.append(Change(dependent, service, ended, began, old.instant, new.instant))
    statuses = [
        StatusChange(domain, old.outcomes[domain], new.outcomes[domain], old.instant, new.instant)
        for domain in sorted(set(old.outcomes) & set(new.outcomes))
        if (old.outcomes[domain] == "ok") != (new.outcomes[domain] == "ok")
    ]
    return found, statuses
