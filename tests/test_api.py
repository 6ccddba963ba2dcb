"""kg.api: one function per question, one answer type whatever engine it chooses (issue 22).

Each question is asked of the bundled data twice: as small data (the reference engine on the whole graph)
and as big data (arrays, and the reference engine only on the part the question touches), by telling the
open dataset it is big. The answers must be the same objects of the same types.
"""

from __future__ import annotations

import datetime as dt

import pytest

import kg
from kg import api
from kg.store.dataset import Dataset

DAY = "2021-01-07"


@pytest.fixture
def engines(monkeypatch):
    """The bundled dataset opened once as small data and once as big data."""
    small = api.load()
    big = api.load()
    assert small.small
    monkeypatch.setattr(
        Dataset, "small", property(lambda self: self is not big and (self.folder / "facts.json").is_file())
    )
    assert small.small and not big.small
    return small, big


def _statuses(answer):
    """What the scenario changes (the focused engine holds only the actors it can touch)."""
    return {s.identifier: (s.status, s.lost_channels) for s in answer.impact.affected}


@pytest.mark.parametrize(
    "scenario",
    [
        {"cuts": [("parler", "aws", None)]},
        {"cuts": [("Parler", "Google Play", None), ("parler", "apple-app-store", None)]},
        {"remove": ["aws"]},
        {"owners": ["Alphabet"]},
        {"recorded_until": dt.date(2021, 1, 12)},
    ],
    ids=["cut", "two-cuts", "exit", "owner", "recorded"],
)
def test_impact_is_the_same_whichever_engine(engines, scenario):
    answers = [api.impact(data, at=DAY, **scenario) for data in engines]
    assert all(isinstance(a, api.ImpactAnswer) for a in answers)
    assert type(answers[0].impact) is type(answers[1].impact)
    assert answers[0].impact.unavailable_actors is None is not answers[1].impact.unavailable_actors  # two engines
    assert _statuses(answers[0]) == _statuses(answers[1]) != {}
    for node in _statuses(answers[0]):
        assert answers[0].impact.explain(node) == answers[1].impact.explain(node)


@pytest.mark.parametrize(("platform", "day"), [("parler", DAY), ("parler", "2021-03-01"), ("gab", "2018-10-29")])
def test_single_points_and_cut_sets_are_the_same_whichever_engine(engines, platform, day):
    spof = [api.spof(platform, data=data, at=day) for data in engines]
    cuts = [api.cutsets(platform, data=data, at=day, max_order=2) for data in engines]
    assert all(isinstance(a, api.SpofAnswer) for a in spof) and all(isinstance(a, api.CutSetsAnswer) for a in cuts)
    assert spof[0].points == spof[1].points
    assert cuts[0].sets == cuts[1].sets


@pytest.mark.parametrize(
    ("name", "at", "region"), [("parler", "2021-01-10T23:30-08:00", None), ("tiktok", "2025-01-19", "US")]
)
def test_status_is_the_same_whichever_engine(engines, name, at, region):
    answers = [api.status(name, data=data, at=at, region=region).status for data in engines]
    assert answers[0] == answers[1]


def test_the_questions_take_their_data_every_way(tmp_path):
    """Nothing (the bundled dataset), paths, a Data, an open dataset: the same answer."""
    from kg.model.resources import BUNDLED_CSV

    ways = [None, [BUNDLED_CSV], str(BUNDLED_CSV), api.Data(files=(BUNDLED_CSV,)), api.load([BUNDLED_CSV])]
    offline = {tuple(api.spof("parler", data=data, at=DAY).points.offline) for data in ways}
    assert offline == {("aws",)}


def test_a_viewpoint_is_a_date_an_instant_or_text():
    assert api.viewpoint("2021-01-10T23:30-08:00", "us") == api.viewpoint(
        dt.datetime(2021, 1, 10, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-8))), "US"
    )
    assert api.viewpoint(dt.date(2021, 1, 7)).day == api.viewpoint(DAY).day == dt.date(2021, 1, 7)
    assert api.viewpoint().day == dt.datetime.now(dt.UTC).date()
    assert api.viewpoint(api.viewpoint(DAY), " br ").region == "BR"  # a region is one code, however given


def test_the_package_hands_on_the_questions():
    assert kg.spof is api.spof and kg.Data is api.Data
    with pytest.raises(AttributeError):
        kg.no_such_question  # noqa: B018


def test_errors_a_user_can_cause_are_input_errors():
    from kg.errors import InputError

    with pytest.raises(InputError, match="nobody"):
        api.spof("nobody-of-that-name", at=DAY)
    with pytest.raises(InputError, match="not both"):
        api.load(api.Data(files=("data/csv",), endpoint=object()))
