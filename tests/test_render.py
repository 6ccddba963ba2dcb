"""Rendering without a browser: the page is self-contained, deterministic and escapes everything it shows."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from kg.analysis.graph import build_graph
from kg.analysis.impact import assess
from kg.analysis.replay import replay
from kg.analysis.scenario import make_scenario
from kg.io.loading import load
from kg.model.facts import read_facts
from kg.views.html import render
from kg.views.viewmodel import (
    ACTIVE_LINE,
    CUT,
    DOWN,
    LABEL_LENGTH,
    LOST,
    MUTED,
    STATUS_COLOURS,
    graph_view,
    impact_view,
    replay_view,
    service_colours,
)

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile" / "hostile.ttl"
DAY = dt.date(2021, 1, 7)


def page_data(html: str) -> dict:
    raw = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def test_the_page_needs_no_network(bundled_facts):
    html = render(graph_view(build_graph(bundled_facts, DAY))).html
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html and "connect-src 'none'" in html
    assert "vis.Network" in html
    outside_code = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    assert not re.search(r"https?://", outside_code)


def test_output_is_deterministic(bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    assert render(graph_view(graph)).html == render(graph_view(build_graph(bundled_facts, DAY))).html


def test_hostile_text_stays_data():
    graph = build_graph(read_facts(load([HOSTILE])), DAY)
    html = render(graph_view(graph)).html
    data_script = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in data_script and ">" not in data_script  # cannot close the script or open markup
    data = page_data(html)
    assert data["facts"]["nodes"]["evil"]["name"] == "<img src=x onerror=alert(1)>"
    assert data["facts"]["edges"]["evil-host"]["sources"][0]["url"] == "javascript:alert(5)"
    assert "<title>" in html and "alert(1)" not in html.split("<style>")[0]


def test_views_select_what_they_promise(bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    whole = graph_view(graph)
    focused = graph_view(graph, focus="parler", depth=1)
    assert set(focused.nodes) < set(whole.nodes) and "parler" in focused.nodes
    assert {e["from"] for e in focused.edges.values()} | {e["to"] for e in focused.edges.values()} <= set(focused.nodes)
    apps = graph_view(graph, service="app-store-ios")
    assert {e["facts"]["service"] for e in apps.edges.values()} == {"app-store-ios"}
    assert whole.nodes["parler"]["shape"] == "square" and whole.nodes["aws"]["shape"] == "dot"
    assert whole.nodes["google-play"]["color"] == service_colours()["app-store-android"]


def test_impact_view_has_before_and_after(bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    impact = assess(graph, make_scenario(graph, cuts=[("parler", "aws", None), ("parler", "google-play", None)]))
    view = impact_view(impact, focus="parler", depth=1)
    before, after = view.states
    assert [before["phase"], after["phase"]] == ["before", "after"]
    assert before["label"] == "Before the scenario (2021-01-07)"
    assert after["label"].startswith("After it (2021-01-07): cut Parler off from Amazon Web Services")
    offline, online = STATUS_COLOURS["offline"], STATUS_COLOURS["online"]
    assert after["nodes"]["parler"]["color"] == offline and before["nodes"]["parler"]["color"] == online
    assert after["edges"]["parler-aws-hosting"]["dashes"] and after["edges"]["parler-aws-hosting"]["color"] == CUT
    assert after["nodes"]["parler"]["facts"]["explanation"].startswith("Parler: offline since 2021-01-07")
    # Bystanders are muted in both states: only what the scenario changes wears a status colour.
    assert {before["nodes"]["aws"]["color"], after["nodes"]["aws"]["color"]} == {MUTED}
    assert after["nodes"]["aws"]["facts"]["changed"] is False
    assert view.summary[0].startswith("Cut Parler off from Amazon Web Services; cut Parler off from Google Play")
    assert view.summary[1] == (
        "Parler goes offline: it loses hosting (its only hosting provider, Amazon Web Services, is cut off). "
        "It also loses app-store-android."
    )


def test_page_colours_never_mean_two_things():
    """On a status page one colour has one meaning: statuses, muted bystanders and line kinds all differ,
    and none is a service colour (arrows there are grey and name their service)."""
    colours = [*STATUS_COLOURS.values(), MUTED, ACTIVE_LINE, LOST, CUT, DOWN]
    assert len(set(colours)) == len(colours)
    assert not set(colours) & set(service_colours().values())


def test_long_names_are_cut_in_labels_only(bundled_facts):
    long = "A" * 5000
    facts = replace(bundled_facts, entities=dict(bundled_facts.entities))  # the fixture is shared: a copy
    facts.entities["parler"] = replace(facts.entities["parler"], name=long)
    view = graph_view(build_graph(facts, DAY), focus="parler", depth=1)
    assert len(view.nodes["parler"]["label"]) == LABEL_LENGTH and view.nodes["parler"]["label"].endswith("…")
    assert view.nodes["parler"]["facts"]["name"] == long


def test_replay_view_has_one_state_per_step(bundled_facts):
    history = replay(bundled_facts, "parler")
    view = replay_view(history, bundled_facts)
    labels = [s["label"] for s in view.states]
    assert labels[0] == "2021-01-07: before the recorded changes"
    assert [label.split(": ")[0] for label in labels[1:]] == [
        s.moment.strftime("%Y-%m-%d %H:%M UTC") if s.moment else s.day.isoformat() for s in history.steps
    ]
    assert any(label.startswith("2021-01-11 07:59 UTC: offline") for label in labels)  # AWS's cut
    offline = next(s for s in view.states if s["label"].startswith("2021-01-11"))
    assert offline["nodes"]["parler"]["color"] == STATUS_COLOURS["offline"]
    assert offline["edges"]["parler-skysilk-hosting"] == {"hidden": True}
    assert offline["nodes"]["skysilk"]["hidden"] and not offline["nodes"]["aws"]["hidden"]
    # Each date shows only what Parler depends on then: no later provider stands unconnected before it.
    assert view.states[0]["nodes"]["ddos-guard"]["hidden"] and view.states[0]["nodes"]["epik"]["hidden"]


def test_rendered_object_works_in_a_notebook(bundled_facts):
    rendered = render(graph_view(build_graph(bundled_facts, DAY), focus="parler", depth=1))
    assert rendered.network.__class__.__name__ == "Network" and len(rendered.network.nodes) == len(rendered.view.nodes)
    frame = rendered._repr_html_()
    assert frame.startswith('<iframe sandbox="allow-scripts"') and "&lt;script" in frame


def test_kg_render_writes_each_kind_of_page(invoke, tmp_path):
    out = tmp_path / "impact.html"
    result = invoke(
        "render", "--as-of", "2021-01-07", "--cut", "parler:aws", "--service", "hosting", "-q", "--out", out
    )
    assert result.exit_code == 0, result.output
    data = json.loads(
        re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', out.read_text()).group(1)
    )
    assert data["summary"][0].startswith("Cut Parler off from Amazon Web Services, as of 2021-01-07")
    assert data["services"] == ["hosting"]  # --service filters an impact page too
    replayed = invoke("render", "--replay", "parler", "-q", "--out", tmp_path / "replay.html")
    assert replayed.exit_code == 0 and "11 state(s)" in replayed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--replay", "parler", "--cut", "parler:aws"],
            "--replay steps through the recorded history and takes no --cut",
        ),
        (["--replay", "parler", "--as-of", "2021-01-07", "--focus", "gab"], "takes no --as-of, --focus"),
        (["--depth", "3"], "--depth needs --focus"),
    ],
)
def test_kg_render_refuses_what_it_would_ignore(invoke, tmp_path, args, message):
    out = tmp_path / "page.html"
    result = invoke("render", *args, "-q", "--out", out)
    assert result.exit_code == 2 and message in result.output and not out.exists()


def test_an_svg_snapshot_is_the_page_opening_state_as_escaped_xml(bundled_facts):
    import xml.etree.ElementTree as ElementTree

    from kg.views.snapshot import svg_snapshot

    graph = build_graph(bundled_facts, DAY)
    view = impact_view(assess(graph, make_scenario(graph, cuts=[("parler", "aws", None)])), focus="parler", depth=1)
    picture = svg_snapshot(view)
    assert picture == svg_snapshot(view)  # the same bytes every time
    root = ElementTree.fromstring(picture)
    svg = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{svg}text")]
    assert "Parler" in texts and view.title in texts and "Legend" in texts
    assert any(text.startswith("Parler goes offline") for text in texts)  # the story, as on the page
    fills = {shape.get("fill") for shape in root.iter(f"{svg}rect")}
    assert STATUS_COLOURS["offline"] in fills  # Parler, after the cut: the state the page opens on
    assert any(line.get("stroke") == CUT and line.get("stroke-dasharray") for line in root.iter(f"{svg}line"))


def test_hostile_names_are_text_in_an_svg_snapshot():
    import xml.etree.ElementTree as ElementTree

    from kg.views.snapshot import svg_snapshot

    picture = svg_snapshot(graph_view(build_graph(read_facts(load([HOSTILE])), DAY)))
    root = ElementTree.fromstring(picture)
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert tags <= {"svg", "defs", "marker", "path", "rect", "text", "line", "circle", "polygon"}
    assert "<img src=x onerror=alert(1)>" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<img" not in picture and "<script" not in picture


def test_kg_render_writes_pictures(invoke, tmp_path):
    svg = tmp_path / "parler.svg"
    assert invoke("render", "--replay", "parler", "-q", "--out", svg).exit_code == 0
    assert svg.read_text().startswith("<svg")
    named = tmp_path / "picture"
    assert (
        invoke(
            "render", "--as-of", "2021-01-07", "--focus", "parler", "--format", "svg", "-q", "--out", named
        ).exit_code
        == 0
    )
    assert named.read_text().startswith("<svg")


@pytest.mark.parametrize(
    ("example", "message"),
    [
        ("missing-provider.ttl", "dependency <https://w3id.org/pdkg/id/dependency/no-provider> has no provider"),
        ("unknown-service.ttl", "dependency <https://w3id.org/pdkg/id/dependency/bad-service> has no service"),
    ],
)
@pytest.mark.parametrize("command", [["render"], ["spof", "acme"], ["impact", "--remove", "hostco"], ["rank"]])
def test_a_dependency_no_analysis_can_use_is_one_line_not_a_silent_drop(invoke, tmp_path, command, example, message):
    data = Path(__file__).resolve().parent.parent / "ontology" / "examples" / "invalid" / example
    out = ["--out", tmp_path / "page.html"] if command == ["render"] else []
    result = invoke(*command, "--as-of", "2021-01-10", "-d", data, "-q", *out)
    assert result.exit_code == 2 and message in result.output and "kg validate says what" in result.output
    assert not (tmp_path / "page.html").exists()


def test_the_column_tables_find_the_same_unusable_dependencies():
    from kg.model.facts import unanalysable
    from kg.store.dataset import open_dataset

    for example in ("missing-provider.ttl", "unknown-service.ttl", "missing-dependent.ttl"):
        dataset = open_dataset([Path(__file__).resolve().parent.parent / "ontology" / "examples" / "invalid" / example])
        assert dataset.tables.unanalysable() == unanalysable(dataset.facts.dependencies.values()) != ("", 0)
