"""Pictures: a map, a scenario's impact or a history drawn as an interactive page or a still picture."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.model.progress import Progress

if TYPE_CHECKING:
    from kg.views.viewmodel import View


from kg.api.sources import deadline, facts_of, graph_at, identifier_of, load, scope_for, viewpoint
from kg.api.whatif import scenario_needs

__all__ = [
    "RenderAnswer",
    "render",
]


@dataclass(frozen=True)
class RenderAnswer:
    """The :class:`~kg.views.viewmodel.View` drawn, where it was written (``-``: standard output), and
    whether it is an overview (actors folded into groups)."""

    view: View
    out: Path
    overview: bool = False


def render(
    data=None,
    *,
    at=None,
    region: str | None = None,
    focus: str | None = None,
    depth: int = 2,
    service: str | None = None,
    cuts: Iterable[tuple[str, str, str | None]] = (),
    remove: Iterable[str] = (),
    owners: Iterable[str] = (),
    countries: Iterable[str] = (),
    recorded_until: dt.date | None = None,
    replay_of: str | None = None,
    seed: int = 7,
    shape: str = "auto",
    top: int = 60,
    min_criticality: int | None = None,
    out: str | Path | None = None,
    picture: str | None = None,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> RenderAnswer:
    """Draw a map (whole, around ``focus`` up to ``depth`` steps, or of one ``service``), a scenario's
    impact (the flags of :func:`impact`), or ``replay_of``'s history, into ``out``, whole or not at all.

    ``shape`` ``auto`` draws a whole map of more than :data:`~kg.views.viewmodel.OVERVIEW_LIMIT` actors as an
    overview (the ``top`` providers, or those with ``min_criticality``; everyone else in groups);
    ``overview`` always, ``full`` never. ``picture`` is ``html`` (the interactive page), ``svg`` (drawn in
    Python) or ``png`` (the page in headless Chromium); by default ``out``'s suffix, else ``html``. Without
    ``out``, the file is ``output/<what it shows>.<picture>``. Past ``time_limit`` seconds (counted once the
    data is read), :class:`~kg.analysis.faulttree.TimeLimitExceeded`.
    """
    from kg.analysis.faulttree import deadline_progress

    if replay_of:
        from kg.analysis.replay import replay as replay_one
        from kg.views.viewmodel import replay_view

        facts = facts_of(
            load(data, scope=scope_for(data, upstream=[replay_of], criticality=True, region=region), progress=progress)
        )
        limit = deadline_progress(deadline(time_limit), "rendering")
        history = replay_one(facts, replay_of, region)
        drawn, name, overview = (
            replay_view(history, facts, seed=seed, progress=limit),
            f"replay-{history.platform}",
            False,
        )
    else:
        view = viewpoint(at, region)
        cuts, remove = list(cuts), list(remove)
        scope = None
        if focus:
            around = dict(day=view.day, region=view.region, around=[focus], depth=depth, criticality=True)
            if cuts or remove or owners or countries or recorded_until:
                around.update(scenario_needs(cuts, remove, owners, countries, recorded_until))
            scope = scope_for(data, **around)
        graph = graph_at(load(data, scope=scope, progress=progress), view)
        limit = deadline_progress(deadline(time_limit), "rendering")
        scenario = dict(cuts=cuts, remove=remove, owners=owners, countries=countries, recorded_until=recorded_until)
        drawn, name, overview = _map_view(
            graph, focus, depth, service, scenario, seed, shape, top, min_criticality, limit
        )
    suffix = Path(out).suffix.lower().lstrip(".") if out is not None else ""
    picture = picture or (suffix if suffix in ("png", "svg") else "html")
    if out is None:
        Path("output").mkdir(exist_ok=True)
        out = Path("output") / f"{name}.{picture}"
    return RenderAnswer(drawn, _draw(drawn, out, picture, limit), overview)


def _map_view(graph, focus, depth, service, scenario_flags, seed, shape, top, min_criticality, limit):
    """The view of a map or of a scenario's impact on it, the name of what it shows, and whether it is an
    overview."""
    from kg.analysis.impact import assess
    from kg.analysis.scenario import make_scenario
    from kg.model.vocabulary import vocabulary
    from kg.views.overview import overview_view
    from kg.views.viewmodel import OVERVIEW_LIMIT, graph_view, impact_view

    focus_id = identifier_of(graph.entities, focus) if focus else None
    service_id = vocabulary().service(service).identifier if service else None
    scenario = make_scenario(graph, **scenario_flags)
    whole_map = scenario.empty and not focus_id and not service_id
    if shape == "overview" and not whole_map:
        raise InputError("--view overview draws a whole map: not with --focus, --service or a scenario")
    overview = whole_map and (shape == "overview" or (shape == "auto" and len(graph.graph) > OVERVIEW_LIMIT))
    shown = dict(focus=focus_id, depth=depth, service=service_id, seed=seed, progress=limit)
    if overview:
        drawn = overview_view(graph, top=top, min_criticality=min_criticality, seed=seed, progress=limit)
    elif scenario.empty:
        drawn = graph_view(graph, **shown)
    else:
        drawn = impact_view(assess(graph, scenario, progress=limit), **shown)
    kind = ("overview" if overview else "graph") if scenario.empty else "impact"
    return drawn, "-".join(filter(None, [kind, focus_id, service_id, graph.day.isoformat()])), overview


def _draw(view, out: str | Path, picture: str, limit: Progress) -> Path:
    from kg.io.outputs import write_output
    from kg.views.html import render as render_page
    from kg.views.snapshot import png_snapshot, svg_snapshot

    if picture == "svg":
        limit("the picture", 0, None)
        return write_output(out, svg_snapshot(view).encode("utf-8"))
    if picture == "png":
        return write_output(out, png_snapshot(render_page(view, progress=limit).html))
    return render_page(view, progress=limit).write(out)
