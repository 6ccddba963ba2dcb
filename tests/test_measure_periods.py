"""Successive measurements merged into periods, and the changes between two runs (issue 21): the rule of
kg.measure.periods checked on literal histories and, as invariants, on random ones."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.measure.periods import Run, Seen, changes, merge_runs

T = [dt.datetime(2026, 12, 1, tzinfo=dt.UTC) + dt.timedelta(days=7 * i) for i in range(6)]


def test_a_dependency_seen_in_consecutive_runs_is_one_period():
    runs = [Run(f"r{i}", T[i], {"a.test": "ok"}, (Seen("a.test", "p", "dns"),)) for i in range(3)]
    (period,) = merge_runs(runs)
    assert (period.first_seen, period.last_seen, period.ended_at, period.runs) == (T[0], T[2], None, ("r0", "r1", "r2"))


def test_a_dependency_no_longer_seen_ends_between_the_two_runs():
    runs = [
        Run("r0", T[0], {"a.test": "ok"}, (Seen("a.test", "p", "dns"),)),
        Run("r1", T[1], {"a.test": "ok"}, (Seen("a.test", "q", "dns"),)),
    ]
    old, new = merge_runs(runs)
    assert (old.provider, old.last_seen, old.ended_at) == ("p", T[0], T[1])
    assert (new.provider, new.first_seen, new.ended_at) == ("q", T[1], None)


def test_a_failed_measurement_ends_nothing():
    runs = [
        Run("r0", T[0], {"a.test": "ok"}, (Seen("a.test", "p", "dns"),)),
        Run("r1", T[1], {"a.test": "servfail"}),
        Run("r2", T[2], {}),  # not measured at all
        Run("r3", T[3], {"a.test": "ok"}, (Seen("a.test", "p", "dns"),)),
    ]
    (period,) = merge_runs(runs)
    assert (period.first_seen, period.last_seen, period.ended_at, period.runs) == (T[0], T[3], None, ("r0", "r3"))


def test_a_name_that_no_longer_exists_ends_what_it_had_and_is_seen_unreachable():
    runs = [Run("r0", T[0], {"a.test": "ok"}, (Seen("a.test", "p", "dns"),)), Run("r1", T[1], {"a.test": "nxdomain"})]
    (period,) = merge_runs(runs)
    assert period.ended_at == T[1]
    moved, statuses = changes(*runs)
    assert [(c.ended, c.began) for c in moved] == [(("p",), ())]
    assert [(s.dependent, s.status) for s in statuses] == [("a.test", "unreachable")]


def test_a_move_between_two_runs_is_reported_in_words():
    old = Run("r0", T[0], {"gab.com": "ok"}, (Seen("gab.com", "epik", "hosting"), Seen("gab.com", "cf", "dns")))
    new = Run("r1", T[1], {"gab.com": "ok"}, (Seen("gab.com", "sibyl", "hosting"), Seen("gab.com", "cf", "dns")))
    moved, statuses = changes(new, old)  # either order
    names = {"epik": "Epik", "sibyl": "Sibyl", "gab.com": "Gab"}
    expected = "Gab: hosting moved from Epik to Sibyl between 2026-12-01 and 2026-12-08"
    assert [c.sentence(names.get) for c in moved] == [expected]
    assert statuses == []


def test_a_gap_is_not_a_change():
    old = Run("r0", T[0], {"a.test": "ok"}, (Seen("a.test", "p", "dns"),))
    new = Run("r1", T[1], {"a.test": "timeout"})
    moved, statuses = changes(old, new)
    assert moved == []
    assert [(s.old, s.new, s.status) for s in statuses] == [("ok", "timeout", "unreachable")]


@st.composite
def histories(draw):
    domains, providers = ["a.test", "b.test"], ["p", "q", "r"]
    runs = []
    for number in range(draw(st.integers(1, 6))):
        outcomes = {d: draw(st.sampled_from(["ok", "ok", "ok", "nxdomain", "timeout", "absent"])) for d in domains}
        outcomes = {d: o for d, o in outcomes.items() if o != "absent"}
        seen = tuple(
            Seen(d, p, "dns") for d in domains if outcomes.get(d) == "ok" for p in providers if draw(st.booleans())
        )
        runs.append(Run(f"r{number}", T[number], outcomes, seen))
    return runs


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(histories())
def test_periods_hold_exactly_where_measured_runs_saw_them(runs):
    periods = merge_runs(runs)
    by_run = {run.identifier: run for run in runs}

    def key(period):
        return period.dependent, period.provider, period.service

    for run in runs:
        for seen in run.seen:  # every sighting is in exactly one period
            assert len([p for p in periods if key(p) == seen.key and run.identifier in p.runs]) == 1
    for period in periods:
        inside = [r for r in runs if period.first_seen <= r.instant <= period.last_seen]
        measured = [r.identifier for r in inside if r.measured(period.dependent)]
        assert measured == list(period.runs)  # no measured run inside it missed it
        assert all(any(s.key == key(period) for s in by_run[r].seen) for r in period.runs)
        if period.ended_at is not None:
            ending = next(r for r in runs if r.instant == period.ended_at)
            assert ending.measured(period.dependent)
            assert all(s.key != key(period) for s in ending.seen)
            between = [r for r in runs if period.last_seen < r.instant < period.ended_at]
            assert not any(r.measured(period.dependent) for r in between)  # the first measured run after it
