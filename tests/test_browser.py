"""The rendered pages in a real browser: Debian's Chromium, headless, with every network request blocked.

Screenshots are saved in test-artifacts/ (kept by CI as artifacts, ignored by git).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kg.depgraph import build_graph
from kg.facts import read_facts
from kg.impact import assess
from kg.loading import load
from kg.render import graph_view, impact_view, render
from kg.scenario import make_scenario

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

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is not installed")


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

    def __init__(self, browser, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.kgNetwork !== undefined")

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


def test_impact_view_styles_cut_edges_and_offline_nodes(browser, tmp_path, bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    scenario = make_scenario(
        graph, cuts=[("parler", "aws", None), ("parler", "google-play", None), ("parler", "apple-app-store", None)]
    )
    view = impact_view(assess(graph, scenario), focus="parler", depth=2)
    page = open_view(browser, tmp_path, view, "parler-impact")
    assert page.js("[kgNodes.length, kgEdges.length]") == [len(view.nodes), len(view.edges)]
    assert page.js("document.getElementById('state-label').textContent").startswith("after")
    cut = page.js("kgEdges.get('parler-aws-hosting')")
    assert cut["color"] == "#d62728" and cut["dashes"] and cut["width"] == 3
    assert page.js("kgNodes.get('parler').color") == "#d62728"
    tooltip = page.js("kgNodes.get('parler').title.textContent")
    assert "offline since 2021-01-07" in tooltip
    page.page.wait_for_timeout(500)
    page.screenshot("parler-impact-after")
    page.js("kgApplyState(0)")
    assert page.js("kgNodes.get('parler').color") == "#2ca02c"
    assert not page.js("kgEdges.get('parler-aws-hosting').dashes")
    page.screenshot("parler-impact-before")
    page.page.click("#next")
    assert page.js("kgNodes.get('parler').color") == "#d62728"
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


def test_replay_page_steps_through_dates_and_filters_by_service(browser, tmp_path, bundled_facts):
    from kg.render import replay_view
    from kg.replay import replay

    history = replay(bundled_facts, "parler")
    page = open_view(browser, tmp_path, replay_view(history, bundled_facts), "parler-replay")
    assert page.js("document.getElementById('state-label').textContent").startswith("2021-01-08: degraded")
    step = [s.day.isoformat() for s in history.steps].index("2021-01-11")
    page.js(f"kgApplyState({step})")
    assert page.js("kgNodes.get('parler').color") == "#d62728"
    assert page.js("[kgNodes.get('skysilk').hidden, kgNodes.get('aws').hidden]") == [True, False]
    assert "AWS suspended Parler" in page.js("document.getElementById('events').textContent")
    page.page.select_option("#service", "hosting")
    assert page.js("[kgNodes.get('okta').hidden, kgNodes.get('aws').hidden]") == [True, False]
    page.page.click("#next")
    page.screenshot("parler-replay")
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()
