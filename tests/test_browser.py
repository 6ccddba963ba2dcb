"""The rendered pages in a real browser: Debian's Chromium, headless, with every network request blocked.

Screenshots are saved in test-artifacts/ (kept by CI as artifacts, ignored by git).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kg.analysis.graph import build_graph
from kg.analysis.impact import assess
from kg.analysis.scenario import make_scenario
from kg.io.loading import load
from kg.model.facts import read_facts
from kg.views.html import render
from kg.views.viewmodel import CUT, MUTED, STATUS_COLOURS, graph_view, impact_view

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
HOSTILE = Path(__file__).resolve().parent / "data" / "hostile" / "hostile.ttl"
DAY = dt.date(2021, 1, 7)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


class Page:
    """A page opened from a file, recording console errors, dialogs and any request leaving the file."""

    def __init__(self, browser, path: Path, ready: str = "() => window.kgNetwork !== undefined") -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_function(ready)

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

    def close(self) -> None:
        self.page.close()


def open_view(browser, tmp_path, view, name):
    path = tmp_path / f"{name}.html"
    render(view).write(path)
    return Page(browser, path)


def test_parler_graph_loads_offline_with_everything(browser, tmp_path, bundled_facts):
    view = graph_view(build_graph(bundled_facts, DAY))
    page = open_view(browser, tmp_path, view, "parler-graph")
    page.page.wait_for_timeout(1500)
    assert page.js("[kgNodes.length, kgEdges.length]") == [len(view.nodes), len(view.edges)]
    assert page.js("kgNodes.get('parler').shape") == "square"
    assert page.js("kgEdges.get('parler-aws-hosting').from") == "parler"
    legend = page.js("document.getElementById('legend').textContent")
    assert "hosting" in legend and "platform" in legend
    page.screenshot("parler-graph")
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_impact_page_tells_the_story_and_mutes_bystanders(browser, tmp_path, bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    scenario = make_scenario(
        graph, cuts=[("parler", "aws", None), ("parler", "google-play", None), ("parler", "apple-app-store", None)]
    )
    view = impact_view(assess(graph, scenario), focus="parler", depth=2)
    page = open_view(browser, tmp_path, view, "parler-impact")
    assert page.js("[kgNodes.length, kgEdges.length]") == [len(view.nodes), len(view.edges)]
    summary = page.js("[...document.querySelectorAll('#summary p')].map(p => p.textContent)")
    assert summary[0].endswith("as of 2021-01-07: 1 actor changes.")
    assert summary[1].startswith("Parler goes offline: it loses hosting (its only hosting provider, Amazon Web")
    # Opens on "after", with labelled Before and After buttons naming their dates.
    buttons = page.js(
        "[...document.querySelectorAll('#phases button')].map(b => [b.textContent, b.title, b.ariaPressed])"
    )
    assert [b[0] for b in buttons] == ["Before", "After"] and buttons[1][2] == "true"
    assert buttons[0][1] == "Before the scenario (2021-01-07)" and buttons[1][1].startswith(
        "After it (2021-01-07): cut"
    )
    assert page.js("document.getElementById('stepper').hidden") is True
    cut = page.js("kgEdges.get('parler-aws-hosting')")
    assert cut["color"] == CUT and cut["dashes"] and cut["width"] == 3
    assert page.js("kgNodes.get('parler').color") == STATUS_COLOURS["offline"]
    # Bystanders (Gab, Infowars, the WikiLeaks app... once cut off by others) are muted, not red or orange.
    bystanders = [n for n in view.nodes if n != "parler"]
    colours = page.js(f"{bystanders}.map(id => kgNodes.get(id).color)")
    assert set(colours) == {MUTED}
    assert "offline since 2021-01-07" in page.js("kgNodes.get('parler').title.textContent")
    page.page.wait_for_timeout(500)
    page.screenshot("parler-impact-after")
    page.page.click("#phases button:first-child")
    assert page.js("kgNodes.get('parler').color") == STATUS_COLOURS["online"]
    assert not page.js("kgEdges.get('parler-aws-hosting').dashes")
    assert page.js("document.querySelector('#phases button:first-child').ariaPressed") == "true"
    page.screenshot("parler-impact-before")
    legend = page.js("document.getElementById('legend').textContent")
    assert "not changed by this scenario" in legend and "coloured by its status" in legend
    assert "coloured by its main service" not in legend
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_search_finds_any_part_of_any_name_or_id(browser, tmp_path, bundled_facts):
    view = graph_view(build_graph(bundled_facts, DAY))
    page = open_view(browser, tmp_path, view, "search")
    assert page.js("kgSearch('parl')") == ["parler"]
    assert set(page.js("kgSearch('AMAZON')")[:2]) == {"amazon", "aws"}  # names starting with it first
    assert "aws" in page.js("kgSearch('aws')")  # by identifier
    page.page.fill("#search", "amaz")
    matches = page.js("[...document.querySelectorAll('#matches button')].map(b => b.textContent)")
    assert "Amazon Web Services (aws)" in matches
    assert page.js("document.getElementById('match-note').textContent").startswith(f"{len(matches)} matches")
    page.page.click("#matches button >> text=Amazon Web Services (aws)")
    assert page.js("kgNetwork.getSelectedNodes()") == ["aws"]
    assert "Amazon Web Services" in page.js("document.getElementById('details').textContent")
    page.page.fill("#search", "no such thing")
    assert page.js("document.getElementById('match-note').textContent") == "No actor matches \u201cno such thing\u201d."
    assert page.js("document.querySelectorAll('#matches li').length") == 0
    page.page.fill("#search", "parler")
    page.page.press("#search", "Enter")
    assert page.js("kgNetwork.getSelectedNodes()") == ["parler"]
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_node_details_cite_sources_as_links(browser, tmp_path, bundled_facts):
    graph = build_graph(bundled_facts, dt.date(2021, 1, 12))
    page = open_view(browser, tmp_path, graph_view(graph, focus="parler", depth=1), "sources")
    page.js("kgNetwork.emit('click', {nodes: ['parler'], edges: []})")
    links = page.js("[...document.querySelectorAll('#details a')].map(a => a.getAttribute('href'))")
    # The explanation's source (AWS's cut) is a link, as are the sources the entity rests on.
    assert any("buzzfeednews.com" in link or "http" in link for link in links) and all(
        link.startswith(("http://", "https://")) for link in links
    )
    why = page.js("[...document.querySelectorAll('#details dt')].map(d => d.textContent)")
    assert "why" in why
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_hostile_names_and_sources_never_execute(browser, tmp_path):
    view = graph_view(build_graph(read_facts(load([HOSTILE])), DAY))
    page = open_view(browser, tmp_path, view, "hostile")
    page.js("kgNetwork.emit('click', {nodes: ['evil'], edges: []})")
    details = page.page.locator("#details")
    assert "<img src=x onerror=alert(1)>" in details.inner_text()
    assert (
        page.js("document.querySelectorAll('#details img, #details script, #details svg, #details iframe').length") == 0
    )
    page.js("kgNetwork.emit('click', {nodes: [], edges: ['evil-host']})")
    links = page.js("[...document.querySelectorAll('#details a')].map(a => a.getAttribute('href'))")
    assert links == ["https://news.example/a?x=1&y=<2>"]
    assert "javascript:alert(5)" in details.inner_text()  # shown as text, not a link
    assert "<iframe src=javascript:alert(6)>" in details.inner_text()
    page.page.fill("#search", "</script><script>alert(2)</script>")
    page.page.dispatch_event("#search", "change")
    page.page.mouse.move(700, 450)
    page.page.wait_for_timeout(800)
    title = page.js("kgNodes.get('evil').title.innerHTML")
    assert "<img" not in title and "&lt;img" in title
    page.screenshot("hostile")
    assert page.dialogs == [] and page.errors == [] and page.requests == []
    page.close()


def test_hostile_names_never_execute_in_the_story_search_and_explanations(browser, tmp_path):
    graph = build_graph(read_facts(load([HOSTILE])), DAY)
    view = impact_view(assess(graph, make_scenario(graph, remove=["host"])))
    page = open_view(browser, tmp_path, view, "hostile-impact")
    summary = page.js("document.getElementById('summary').textContent")
    assert "<img src=x onerror=alert(1)> goes offline" in summary and "</script><script>alert(2)</script>" in summary
    page.page.fill("#search", "<IMG")
    assert page.js("[...document.querySelectorAll('#matches button')].map(b => b.textContent)") == [
        "<img src=x onerror=alert(1)> (evil)"
    ]
    page.page.click("#phases button:first-child")  # before: the host's partial outage explains itself
    page.js("kgNetwork.emit('click', {nodes: ['host'], edges: []})")
    details = page.js("document.getElementById('details').textContent")
    assert "<script>alert(7)</script>" in details and "javascript:alert(9)" in details
    links = page.js("[...document.querySelectorAll('#details a')].map(a => a.getAttribute('href'))")
    assert "https://x.example/a" in links and all(link.startswith("https://") for link in links)
    page.js("kgNetwork.emit('click', {nodes: ['evil'], edges: []})")
    node_links = page.js("[...document.querySelectorAll('#details a')].map(a => a.getAttribute('href'))")
    assert "https://news.example/a?x=1&y=<2>" in node_links and "javascript:alert(5)" not in node_links
    markup = "#summary img, #summary script, #matches img, #details img, #details script, #details svg, #details iframe"
    assert page.js(f"document.querySelectorAll('{markup}').length") == 0
    page.screenshot("hostile-impact")
    assert page.dialogs == [] and page.errors == [] and page.requests == []
    page.close()


def test_replay_page_steps_through_dates_and_filters_by_service(browser, tmp_path, bundled_facts):
    from kg.analysis.replay import replay
    from kg.views.viewmodel import replay_view

    history = replay(bundled_facts, "parler")
    page = open_view(browser, tmp_path, replay_view(history, bundled_facts), "parler-replay")
    assert page.js("document.getElementById('state-label').textContent") == "2021-01-07: before the recorded changes"
    assert page.js("kgNodes.get('ddos-guard').hidden") is True  # not used yet: not shown, not unconnected
    step = 1 + [s.day.isoformat() for s in history.steps].index("2021-01-11")
    page.js(f"kgApplyState({step})")
    assert page.js("kgNodes.get('parler').color") == STATUS_COLOURS["offline"]
    assert page.js("[kgNodes.get('skysilk').hidden, kgNodes.get('aws').hidden]") == [True, False]
    assert "AWS suspended Parler" in page.js("document.getElementById('events').textContent")
    page.page.select_option("#service", "hosting")
    assert page.js("[kgNodes.get('okta').hidden, kgNodes.get('aws').hidden]") == [True, False]
    page.page.click("#next")
    page.screenshot("parler-replay")
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_a_png_snapshot_is_taken_by_chromium_with_nothing_leaving(bundled_facts, tmp_path, monkeypatch):
    from kg.views.snapshot import png_snapshot

    monkeypatch.setenv("KG_CHROMIUM", str(CHROMIUM))
    graph = build_graph(bundled_facts, DAY)
    view = impact_view(assess(graph, make_scenario(graph, cuts=[("parler", "aws", None)])), focus="parler", depth=1)
    picture = png_snapshot(render(view).html, width=1200, height=800)
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")
    assert (width, height) == (1200, 800)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "parler-impact-snapshot.png").write_bytes(picture)


def test_a_png_snapshot_without_chromium_is_one_clear_line(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "page.png"
    result = invoke("render", "--as-of", "2021-01-07", "--focus", "parler", "-q", "--out", out)
    assert result.exit_code == 2 and "a PNG snapshot needs Chromium" in result.output and not out.exists()


def test_an_overview_opens_groups_and_search_finds_their_members(browser, tmp_path, bundled_facts):
    from kg.views.overview import overview_view

    view = overview_view(build_graph(bundled_facts, DAY), top=5)
    page = open_view(browser, tmp_path, view, "overview")
    drawn = page.js("kgNodes.length")
    assert drawn == len(view.nodes) and not page.js("kgNodes.get('parler')")
    group = next(g for g, content in view.groups.items() if "parler" in content["members"])
    members = len(view.groups[group]["members"])
    page.js(f"kgExpand({group!r})")
    assert page.js("kgNodes.length") == drawn + members
    assert page.js(f"kgNodes.get({group!r}).hidden") is True
    assert page.js("kgEdges.get('parler-aws-hosting') !== null")  # members' own arrows appear with them
    page.screenshot("overview-open")
    page.js(f"kgCollapse({group!r})")
    assert page.js("kgNodes.length") == drawn and page.js("kgEdges.get('parler-aws-hosting')") is None
    # Search finds a member of a closed group, opens the group and selects it.
    page.page.fill("#search", "parl")
    page.page.press("#search", "Enter")
    assert page.js("kgNetwork.getSelectedNodes()") == ["parler"] and page.js("kgNodes.get('parler') !== null")
    assert "Close the group" in page.js("document.getElementById('group-toggle').textContent")
    page.page.click("#group-toggle")
    assert page.js("kgNodes.get('parler')") is None
    # A provider opens into its dependents from every group, and closes again.
    page.js("kgNetwork.emit('click', {nodes: ['aws'], edges: []})")
    assert page.js("document.getElementById('dependents-toggle').textContent").startswith("Show its ")
    page.page.click("#dependents-toggle")
    grouped = [m for content in view.groups.values() for m in content["members"]]
    expected = sorted({d for d, p in build_graph(bundled_facts, DAY).graph.edges() if p == "aws" and d in grouped})
    assert expected and page.js(f"{expected}.every(id => kgNodes.get(id) !== null)")
    assert page.js("document.getElementById('dependents-toggle').textContent") == "Hide its dependents"
    page.page.click("#dependents-toggle")
    assert page.js(f"{expected}.every(id => kgNodes.get(id) === null)") and page.js("kgNodes.length") == drawn
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_hostile_names_stay_text_in_an_overview(browser, tmp_path):
    from kg.views.overview import overview_view

    view = overview_view(build_graph(read_facts(load([HOSTILE])), DAY), top=1)
    page = open_view(browser, tmp_path, view, "hostile-overview")
    for group in view.groups:
        page.js(f"kgExpand({group!r})")
        page.js(f"kgNetwork.emit('click', {{nodes: [{group!r}], edges: []}})")
    page.page.fill("#search", "img")
    page.page.press("#search", "Enter")
    text = page.js("document.getElementById('details').textContent")
    assert "<img src=x onerror=alert(1)>" in text
    markup = "#details img, #details script, #details svg, #matches img"
    assert page.js(f"document.querySelectorAll('{markup}').length") == 0
    assert page.dialogs == [] and page.errors == [] and page.requests == []
    page.close()


def open_webgl(browser, tmp_path, view, name, monkeypatch):
    import kg.views.html

    monkeypatch.setattr(kg.views.html, "WEBGL_LIMIT", 1)  # small data, drawn as a large map is
    path = tmp_path / f"{name}.html"
    rendered = render(view)
    assert rendered.network is None and "graphology" in rendered.html
    rendered.write(path)
    return Page(browser, path, ready="() => window.kgReady === true")


def test_a_large_map_is_drawn_with_webgl_and_keeps_search_and_details(browser, tmp_path, bundled_facts, monkeypatch):
    view = graph_view(build_graph(bundled_facts, DAY))
    page = open_webgl(browser, tmp_path, view, "webgl", monkeypatch)
    assert page.js("[kgGraph.order, kgGraph.size]") == [len(view.nodes), len(view.edges)]
    page.page.fill("#search", "parl")
    page.page.press("#search", "Enter")
    assert page.js("kgSelected()") == "parler"
    assert "Parler" in page.js("document.getElementById('details').textContent")
    page.page.click("#arrows button[data-edge='parler-aws-hosting']")
    details = page.js("document.getElementById('details').textContent")
    assert "hosting" in details and "Amazon Web Services" in details
    assert all(a.startswith("http") for a in page.js("[...document.querySelectorAll('#details a')].map(a => a.href)"))
    page.page.select_option("#service", "hosting")
    page.page.click("#fit")
    page.screenshot("webgl-map")
    errors = [e for e in page.errors if "GL Driver Message" not in e]  # SwiftShader's performance notes
    assert errors == [] and page.requests == [] and page.dialogs == []
    page.page.close()


def test_hostile_names_stay_text_on_a_webgl_map(browser, tmp_path, monkeypatch):
    view = graph_view(build_graph(read_facts(load([HOSTILE])), DAY))
    page = open_webgl(browser, tmp_path, view, "webgl-hostile", monkeypatch)
    page.page.fill("#search", "img")
    page.page.press("#search", "Enter")
    assert "<img src=x onerror=alert(1)>" in page.js("document.getElementById('details').textContent")
    page.page.click("#arrows button")
    links = page.js("[...document.querySelectorAll('#details a')].map(a => a.getAttribute('href'))")
    assert links == ["https://news.example/a?x=1&y=<2>"]
    markup = "#details img, #details script, #details svg, #details iframe, #matches img"
    assert page.js(f"document.querySelectorAll('{markup}').length") == 0
    assert page.dialogs == [] and page.requests == []
    page.page.close()


def test_a_png_of_a_webgl_map_shows_the_drawing(bundled_facts, monkeypatch):
    import kg.views.html
    from kg.views.snapshot import png_snapshot

    monkeypatch.setenv("KG_CHROMIUM", str(CHROMIUM))
    monkeypatch.setattr(kg.views.html, "WEBGL_LIMIT", 10)
    page_html = render(graph_view(build_graph(bundled_facts, DAY))).html
    assert "graphology" in page_html
    picture = png_snapshot(page_html, width=900, height=600)
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) > 20_000  # more than a blank page
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "webgl-snapshot.png").write_bytes(picture)


def test_a_big_page_makes_each_tooltip_on_hover(browser, tmp_path):
    from tests.builders import facts_of

    rows = [(f"site{i:03d}", "host", "hosting") for i in range(400)]
    view = graph_view(build_graph(facts_of(*rows), DAY))
    page = open_view(browser, tmp_path, view, "lazy-tooltips")
    assert page.js("kgNodes.get('site007').title") is None  # none made at load
    page.js("kgNetwork.emit('hoverNode', {node: 'site007'})")
    assert "Site007" in page.js("kgNodes.get('site007').title.textContent")
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def test_a_name_of_5000_characters_keeps_the_page_usable(browser, tmp_path, bundled_facts):
    from dataclasses import replace

    facts = replace(bundled_facts, entities=dict(bundled_facts.entities))
    facts.entities["parler"] = replace(facts.entities["parler"], name="P" * 5000)
    view = graph_view(build_graph(facts, DAY), focus="parler", depth=1)
    view.title = "Dependencies around " + "P" * 5000
    page = open_view(browser, tmp_path, view, "long-name")
    page.page.wait_for_timeout(800)
    header, graph = page.js(
        "[document.querySelector('header').getBoundingClientRect().height,"
        " document.getElementById('graph').getBoundingClientRect().height]"
    )
    assert header < 120 and graph > 600  # the title is clamped; the drawing keeps the window
    assert len(page.js("kgNodes.get('parler').label")) <= 40
    page.js("kgNetwork.emit('click', {nodes: ['parler'], edges: []})")
    assert "P" * 5000 in page.js("document.getElementById('details').textContent")  # in full in the details
    page.screenshot("long-name")
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()
