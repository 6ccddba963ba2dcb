"""Regions and times of day (kg.analysis.viewpoint): the rules, and the record and array paths agreeing on
random data."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.analysis.arrays.graph import build_array_graph
from kg.analysis.graph import build_graph
from kg.analysis.viewpoint import Viewpoint, facts_at, parse_as_of
from kg.errors import InputError
from kg.store.tablebuilder import tables_from_facts

from .builders import facts_of
from .test_array_engine import array_outcome, reference_outcome

DAY = dt.date(2021, 1, 7)
NODES = [f"n{i}" for i in range(6)]
SERVICES = ["hosting", "dns", "app-store-ios"]
DATES = [None, "2021-01-01", "2021-01-07", "2021-01-08"]
COUNTRIES = [(), (), ("US",), ("BR",), ("BR", "US")]
TIMES = [None, dt.time(0, 0), dt.time(7, 59), dt.time(12, 0), dt.time(23, 59, 59)]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def at(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    return dt.datetime.combine(day, time, dt.UTC) if day and time else None


@st.composite
def datasets(draw):
    rows, extra = [], []
    for _ in range(draw(st.integers(1, 14))):
        dependent = draw(st.sampled_from(NODES))
        provider = draw(st.sampled_from(NODES[:3])) if draw(st.integers(0, 9)) else dependent
        start, end = draw(st.sampled_from(DATES)), draw(st.sampled_from(DATES))
        ended_by = draw(st.sampled_from(["provider", "dependent", "unknown"])) if end else None
        rows.append((dependent, provider, draw(st.sampled_from(SERVICES)), start, end, ended_by))
        extra.append((draw(st.sampled_from(COUNTRIES)), draw(st.sampled_from(TIMES)), draw(st.sampled_from(TIMES))))
    facts = facts_of(*rows)
    for (key, dependency), (countries, start_time, end_time) in zip(
        list(facts.dependencies.items()), extra, strict=True
    ):
        facts.dependencies[key] = replace(
            dependency,
            countries=countries,
            start_time=at(dependency.start, start_time),
            end_time=at(dependency.end, end_time),
        )
    return facts


def outcome(facts, view, removed=(), cuts=()):
    """The cascade's outcome at ``view``, the same by both paths."""
    by_records, by_arrays = outcomes(facts, view, removed, cuts)
    assert by_arrays == by_records
    return by_records


def outcomes(facts, view, removed=(), cuts=()):
    """The cascade's outcome at ``view`` by the record path and by the array path."""
    cuts = [c for c in cuts if c in facts_at(facts, view).dependencies]
    by_records = reference_outcome(build_graph(facts, view=view), removed, cuts)
    arrays = build_array_graph(tables_from_facts(facts), view=view)
    return by_records, array_outcome(arrays, removed, cuts)


@pytest.mark.fuzz
@SETTINGS
@given(datasets(), st.data())
def test_record_and_array_paths_agree_in_every_region_and_at_every_instant(facts, data):
    region = data.draw(st.sampled_from([None, "US", "BR", "FR"]))
    time = data.draw(st.sampled_from([None, *TIMES, dt.time(7, 58, 59)]))
    view = Viewpoint(DAY, at(DAY, time), region)
    providers = sorted({d.provider for d in facts.dependencies.values()})
    removed = data.draw(st.lists(st.sampled_from(providers), unique=True, max_size=2))
    cuts = data.draw(st.lists(st.sampled_from(sorted(facts.dependencies)), unique=True, max_size=2))
    by_records, by_arrays = outcomes(facts, view, removed, cuts)
    assert by_arrays == by_records


@pytest.mark.fuzz
@SETTINGS
@given(datasets(), st.sampled_from([None, "US", "BR"]))
def test_at_the_last_second_of_a_day_an_instant_is_the_date(facts, region):
    """Every time falls on its own UTC date, so after the day's last second the date rule decides."""
    late = Viewpoint(DAY, at(DAY, dt.time(23, 59, 59)), region)
    assert outcomes(facts, late) == outcomes(facts, Viewpoint(DAY, None, region))


@pytest.mark.fuzz
@SETTINGS
@given(datasets())
def test_a_region_without_regional_facts_is_the_worldwide_view(facts):
    worldwide = {k: replace(d, countries=()) for k, d in facts.dependencies.items() if not d.countries}
    plain = replace(facts, dependencies=worldwide)
    assert outcomes(plain, Viewpoint(DAY, None, "FR")) == outcomes(plain, Viewpoint(DAY))
    expected = reference_outcome(build_graph(plain, DAY), (), ())
    assert outcomes(plain, Viewpoint(DAY))[0] == expected


def test_a_regional_dependency_replaces_the_worldwide_one_there_only():
    facts = facts_of(
        ("app", "store", "app-store-ios", "2020-01-01", None, None, "essential"),
        ("app", "store", "app-store-ios", "2020-01-01", "2021-01-07", "provider", "essential"),
        ("app", "isps", "internet-access", "2020-01-01", None),
    )
    _, us, isp = list(facts.dependencies)  # in row order: worldwide, US, Brazil
    facts.dependencies[us] = replace(facts.dependencies[us], countries=("US",))
    facts.dependencies[isp] = replace(facts.dependencies[isp], countries=("BR",))
    assert outcome(facts, Viewpoint(DAY)) == {}
    assert reference_outcome(build_graph(facts, DAY), (), ()) == {}  # without a view: worldwide
    assert array_outcome(build_array_graph(tables_from_facts(facts), DAY), (), ()) == {}
    assert outcome(facts, Viewpoint(DAY, None, "FR")) == {}
    assert outcome(facts, Viewpoint(DAY, None, "US")) == {"app": ("offline", ["app-store-ios"])}
    assert outcome(facts, Viewpoint(DAY, None, "BR"), removed=["isps"]) == {
        "isps": ("exited", []),
        "app": ("offline", ["internet-access"]),
    }
    assert outcome(facts, Viewpoint(DAY), removed=["isps"]) == {"isps": ("exited", [])}


def test_a_cut_at_a_time_of_day_holds_from_that_instant():
    facts = facts_of(("parler", "aws", "hosting", "2020-01-01", "2021-01-11", "provider"))
    (key,) = facts.dependencies
    cut = dt.datetime(2021, 1, 11, 7, 59, tzinfo=dt.UTC)
    facts.dependencies[key] = replace(facts.dependencies[key], end_time=cut)
    day = cut.date()
    before = Viewpoint(day, cut - dt.timedelta(seconds=1))
    assert outcome(facts, before) == {}
    for view in (Viewpoint(day, cut), Viewpoint(day)):
        assert outcome(facts, view) == {"parler": ("offline", ["hosting"])}


def test_as_of_values():
    assert parse_as_of("2021-01-10T23:59:00-08:00")[1] == dt.datetime(2021, 1, 11, 7, 59, tzinfo=dt.UTC)
    assert parse_as_of("2021-01-11T07:59Z") == (dt.date(2021, 1, 11), dt.datetime(2021, 1, 11, 7, 59, tzinfo=dt.UTC))
    for bad in ("2021-13-01", "2021-01-10 noon", "2021-01-10T25:00Z", "yesterday"):
        with pytest.raises(InputError, match="bad date"):
            parse_as_of(bad)
    with pytest.raises(InputError, match="bad region"):
        Viewpoint(DAY, None, "usa")
