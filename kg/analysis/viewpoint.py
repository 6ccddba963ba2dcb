"""Where and when an analysis stands: a date or an instant, worldwide or in one country.

Dates stay the unit of the data, but sources sometimes give a time of day (AWS cut Parler at 23:59
Pacific) and some facts hold in one jurisdiction only (TikTok left the US app stores, not the others). A
:class:`Viewpoint` selects what holds at one instant in one country, and hands the engines the same kind of
data they always take, so nothing downstream changes:

- **Region.** A dependency, event or observation may carry the countries it applies to (``pd:appliesIn``;
  none: everywhere). Worldwide (no region), only worldwide facts count. In a country, a dependency that
  applies there *replaces* the worldwide dependencies of the same dependent, provider and service (the US
  listing of TikTok on Apple's App Store stands in for its worldwide listing, for US users), and facts that
  apply only elsewhere are left out.
- **Outages.** An outage (:class:`~kg.model.facts.Outage`) counts where it applies, while it holds
  (:meth:`~kg.model.facts.Outage.holds`, with the same rules for dates and times as a dependency).
- **Time of day.** At an instant, a dependency that starts or ends on that UTC date with a known time
  (``pd:startTime`` / ``pd:endTime``) holds from its start time up to its end time; at a date, and for
  facts without a time, the date rule holds (``start <= d < end``).

Both are filters and projections over the dependency table (rows dropped, dates moved by one day), so they
are as easy to express as a join on a distributed engine as they are here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import chain

from kg.errors import InputError, quoted
from kg.model.facts import Dependency, Facts

__all__ = ["Viewpoint", "applies", "facts_at", "parse_as_of", "parse_region", "tables_at"]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Viewpoint:
    """An analysis' date, with the instant when a time of day was asked for, and its country (if any)."""

    day: dt.date
    moment: dt.datetime | None = None  # UTC, on ``day``
    region: str | None = None  # ISO 3166-1 alpha-2 code; None: worldwide

    def __post_init__(self) -> None:
        if self.region is not None and not _COUNTRY.match(self.region):
            parse_region(self.region)  # raises, naming the value

    def describe(self) -> str:
        """``2021-01-11``, ``2021-01-11 07:30 UTC`` or ``2021-01-11 in US``."""
        when = self.moment.strftime("%Y-%m-%d %H:%M UTC") if self.moment else self.day.isoformat()
        return f"{when} in {self.region}" if self.region else when


def parse_region(text: str) -> str:
    """The ISO 3166-1 alpha-2 code of a ``--region`` value, in upper case.

    >>> parse_region(" us ")
    'US'
    >>> parse_region("USA")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: bad region 'USA': not an ISO 3166-1 alpha-2 code (expected two letters such as US)
    >>> parse_region("EU")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: bad region 'EU': not an ISO 3166-1 alpha-2 code (the European Union is not a country: ...)
    """
    from kg.model.countries import not_a_country

    problem = not_a_country(text)
    if problem is not None:
        raise InputError(f"bad region {quoted(text, 20)}: not an ISO 3166-1 alpha-2 code ({problem})")
    return text.strip().upper()


def parse_as_of(text: str) -> tuple[dt.date, dt.datetime | None]:
    """The UTC date and instant of an ``--as-of`` value: a date, or a date-time with an offset.

    >>> parse_as_of("2021-01-11")
    (datetime.date(2021, 1, 11), None)
    >>> parse_as_of("2021-01-10T23:30:00-08:00")
    (datetime.date(2021, 1, 11), datetime.datetime(2021, 1, 11, 7, 30, tzinfo=datetime.timezone.utc))
    >>> parse_as_of("2021-01-10T23:30")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: bad date-time '2021-01-10T23:30': give its offset, e.g. 2021-01-10T23:30Z or ...+01:00
    """
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text), None
        except ValueError as error:
            raise InputError(f"bad date {text!r}: {error}") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", text):
        raise InputError(f"bad date {text!r}: expected YYYY-MM-DD or YYYY-MM-DDThh:mm+hh:mm")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise InputError(f"bad date-time {text!r}: {error}") from None
    if moment.tzinfo is None:
        raise InputError(f"bad date-time {text!r}: give its offset, e.g. {text}Z or ...+01:00")
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:  # 9999-12-31T23:30-01:00 is in year 10000 in UTC
        raise InputError(
            f"bad date-time {text!r}: outside the dates that can be told apart (years 1 to 9999, UTC)"
        ) from None
    return moment.date(), moment


def applies(countries: tuple[str, ...], region: str | None) -> bool:
    """Whether a fact that applies in ``countries`` (none: everywhere) counts in ``region`` (None: worldwide).

    >>> applies((), None), applies(("US",), None), applies(("US",), "US"), applies(("US",), "BR")
    (True, False, True, False)
    """
    return not countries or (region is not None and region in countries)


def _kept_dependencies(dependencies, region: str | None) -> list[Dependency]:
    """The dependencies that count in ``region``: regional ones replace the worldwide ones of their pair."""
    regional = {
        (d.dependent, d.provider, d.service) for d in dependencies if region is not None and region in d.countries
    }
    return [
        d
        for d in dependencies
        if (region is not None and region in d.countries)
        or (not d.countries and (d.dependent, d.provider, d.service) not in regional)
    ]


def _at_instant(dependency: Dependency, day: dt.date, moment: dt.datetime) -> Dependency | None:
    """``dependency`` with its start and end dates moved so that the date rule gives its state at ``moment``
    (``None``: not begun yet, on the last day there is, where no later start date can say so)."""
    changes = {}
    last = day == dt.date.max
    if dependency.start_time is not None and dependency.start == day and dependency.start_time > moment:
        if last:
            return None
        changes["start"] = day + _ONE_DAY  # not yet begun at this instant
    if dependency.end_time is not None and dependency.end == day and moment < dependency.end_time:
        changes["end"] = None if last else day + _ONE_DAY  # still holds at this instant
    return replace(dependency, **changes) if changes else dependency


def facts_at(facts: Facts, view: Viewpoint) -> Facts:
    """The facts that hold at ``view``: regional selection, then times of day (see the module's text).

    Facts without countries or times come back unchanged (the same objects), so worldwide date analyses
    of data without either cost one pass. Pairs with :func:`tables_at` (the same selection on column tables),
    held to the same answers by ``tests/test_viewpoint.py``
    (``test_record_and_array_paths_agree_in_every_region_and_at_every_instant``).
    """
    dependencies = _kept_dependencies(facts.dependencies.values(), view.region)
    if view.moment is not None:
        dependencies = [d for d in (_at_instant(d, view.day, view.moment) for d in dependencies) if d is not None]
    kept = {d.identifier: d for d in dependencies}
    return Facts(
        entities=facts.entities,
        dependencies=kept,
        events={
            key: e for key, e in facts.events.items() if e.dependency in kept and applies(e.countries, view.region)
        },
        observations={k: o for k, o in facts.observations.items() if applies(o.countries, view.region)},
        sources=facts.sources,
        outages={k: o for k, o in facts.outages.items() if applies(o.countries, view.region)},
    )


def tables_at(tables, view: Viewpoint):
    """:func:`facts_at` for column tables (:class:`kg.store.tables.Tables`), without a record per row.

    Dependencies left out keep their row but can never hold or end (start and end moved past every date),
    so dependency numbers stay valid; only the few rows with countries or times are looked at one by one.
    Held to :func:`facts_at`'s answers by ``tests/test_viewpoint.py``.
    """
    import numpy as np

    from kg.store.encodings import NO_END, NO_TIME, day_number

    countries = tables.dep_countries
    with_countries = np.flatnonzero(np.diff(countries.offsets) > 0).tolist()  # the few rows with countries
    timed = (
        np.flatnonzero((tables.dep_start_time != NO_TIME) | (tables.dep_end_time != NO_TIME))
        if view.moment is not None
        else np.zeros(0, dtype=np.int64)
    )
    regional_records = any(r.get("countries") for r in chain(tables.events, tables.observations, tables.outages))
    if not with_countries and not len(timed) and not regional_records:
        return tables
    start, end, ended_by = tables.dep_start.copy(), tables.dep_end.copy(), tables.dep_ended_by.copy()
    dropped = []
    if with_countries:
        regional = defaultdict(list)
        for row in with_countries:
            if view.region is not None and view.region in countries[row].split(";"):
                key = (int(tables.dep_dependent[row]), int(tables.dep_provider[row]), int(tables.dep_service[row]))
                regional[key].append(row)
            else:
                dropped.append(row)
        if regional:
            pair = (tables.dep_dependent, tables.dep_provider, tables.dep_service)
            for dependent, provider, service in regional:
                same = np.flatnonzero((pair[0] == dependent) & (pair[1] == provider) & (pair[2] == service))
                dropped.extend(row for row in same.tolist() if not countries[row])
    if dropped:
        rows = np.asarray(dropped, dtype=np.int64)
        start[rows], end[rows], ended_by[rows] = NO_END, NO_END, 0
    if len(timed):
        today = day_number(view.day, 0)
        seconds = int(view.moment.timestamp())
        late = (tables.dep_start_time[timed] != NO_TIME) & (start[timed] == today)
        late &= tables.dep_start_time[timed] > seconds
        start[timed[late]] = today + 1
        holding = (tables.dep_end_time[timed] != NO_TIME) & (end[timed] == today)
        holding &= seconds < tables.dep_end_time[timed]
        end[timed[holding]] = today + 1
    gone = {tables.dep_id[row] for row in dropped}
    kept_events = [
        e
        for e in tables.events
        if e["dependency"] not in gone and applies(tuple(e.get("countries") or ()), view.region)
    ]
    return replace(
        tables,
        dep_start=start,
        dep_end=end,
        dep_ended_by=ended_by,
        events=kept_events,
        observations=[o for o in tables.observations if applies(tuple(o.get("countries") or ()), view.region)],
        outages=[o for o in tables.outages if applies(tuple(o.get("countries") or ()), view.region)],
    )
