"""Progress reports: long steps report as they advance; bars go to terminals only, after a delay."""

from __future__ import annotations

import datetime as dt
import io

import kg.analysis.impact
import kg.model.progress
from kg.analysis.graph import build_graph
from kg.analysis.scenario import make_scenario
from kg.io.loading import load
from kg.model.facts import read_facts
from kg.model.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_the_stream_is_not_a_terminal_or_when_quiet(monkeypatch):
    monkeypatch.setattr(kg.model.progress, "DELAY", 0.0)
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        with progress_bar(stream=stream, quiet=quiet) as report:
            report("loading triples", 5, 10)
        assert stream.getvalue() == ""


def test_a_terminal_gets_a_bar_with_the_step_and_counts(monkeypatch):
    monkeypatch.setattr(kg.model.progress, "DELAY", 0.0)
    stream = Terminal()
    with progress_bar(stream=stream) as report:
        report("checking shapes", 3, 79)
    assert "checking shapes" in stream.getvalue()
    assert "3/79" in stream.getvalue()


def test_a_quick_step_draws_nothing_even_on_a_terminal():
    stream = Terminal()
    with progress_bar(stream=stream) as report:
        report("checking shapes", 3, 79)
    assert stream.getvalue() == ""


def test_the_propagation_reports_its_work_list_and_final_pass(monkeypatch):
    monkeypatch.setattr(kg.analysis.impact, "EVERY", 1)
    graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    seen: list[tuple[str, int, int | None]] = []
    kg.analysis.impact.assess(graph, make_scenario(graph, remove=["aws"]), progress=lambda *args: seen.append(args))
    steps = {step for step, _, _ in seen}
    assert {"statuses before the scenario", "statuses after it", "statuses after it: final losses"} <= steps
    visits = [done for step, done, _ in seen if step == "statuses after it"]
    assert visits == sorted(visits) and visits[-1] >= len(graph.needs)


def test_validation_reports_each_check():
    from kg.model.resources import SHAPES
    from kg.store.dataset import open_dataset
    from kg.validation import validate_dataset
    from kg.validation.sparql import _compiled

    seen = []
    validate_dataset(open_dataset(), engine="sparql", progress=lambda *args: seen.append(args))
    total = len(_compiled(str(SHAPES)))
    assert [done for _, done, _ in seen] == list(range(total))
    assert {step for step, _, _ in seen} == {"checking shapes"} and {t for _, _, t in seen} == {total}


def test_output_printed_under_a_bar_stays_on_standard_output(monkeypatch, capsys):
    monkeypatch.setattr(kg.model.progress, "DELAY", 0.0)
    stream = Terminal()
    with progress_bar(stream=stream) as report:
        report("explaining", 1, 2)
        print("a line of the answer")
    assert "a line of the answer" in capsys.readouterr().out
    assert "a line of the answer" not in stream.getvalue()
