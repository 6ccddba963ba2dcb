"""The library's front door: one function per question asked of the knowledge graph.

Every question takes its data the same way, as ``data``:

* nothing: the bundled dataset;
* paths (a list of RDF and CSV files or folders), or a :class:`Data` naming files, a store folder or a
  SPARQL endpoint (:class:`~kg.sparql.client.RemoteEndpoint`);
* a :class:`~kg.store.dataset.Dataset` already open (:func:`load`), to ask it several questions.

Each function chooses the engine inside: on small data the reference engine (a networkx graph of every
actor), on big data the arrays and a graph of only the actors the question can touch, and with an endpoint
only what the question needs of the remote graph. The answer has one type whatever the engine; the tests
hold the engines to the same answers. A question's moment is ``at``: a date, an ISO date or instant
(``"2021-01-10T23:30-08:00"``), or a :class:`Viewpoint`; nothing means today (UTC). ``region`` asks for
users in one country.

>>> from kg import api
>>> answer = api.spof("parler", at="2021-01-07")
>>> answer.points.offline
['aws']
>>> api.impact(at="2021-01-07", cuts=[("parler", "aws", None)]).impact.explain("parler")[:34]
'Parler: offline since 2021-01-07: '
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.model.progress import Progress

if TYPE_CHECKING:  # handed on by __getattr__ below, and the answers' types
    from kg.analysis.arrays.graph import ArrayGraph
    from kg.analysis.criticality import ProviderCriticality, ServiceConcentration
    from kg.analysis.faulttree import CutSets, SinglePoints
    from kg.analysis.graph import AnalysisGraph
    from kg.analysis.impact import Impact
    from kg.analysis.status import ActorStatus
    from kg.analysis.viewpoint import Viewpoint, parse_as_of, parse_region
    from kg.measure.run import RunSummary
    from kg.sparql.client import RemoteEndpoint
    from kg.views.viewmodel import View

__all__ = [
    "ENDPOINT_HEADERS_ENV",
    "ENDPOINT_MAX_BYTES_ENV",
    "ENDPOINT_PAGE_ENV",
    "ChangesAnswer",
    "CutSetsAnswer",
    "Data",
    "ImpactAnswer",
    "MeasureAnswer",
    "RankAnswer",
    "RenderAnswer",
    "SpofAnswer",
    "StatusAnswer",
    "Viewpoint",
    "cases",
    "changes",
    "cutsets",
    "describe",
    "endpoint_at",
    "export",
    "impact",
    "import_data",
    "load",
    "measure",
    "parse_as_of",
    "parse_region",
    "profile",
    "push",
    "query",
    "rank",
    "render",
    "replay",
    "serve",
    "services",
    "shipped_queries",
    "spof",
    "stats",
    "status",
    "validate",
    "viewpoint",
    "write_template",
]

log = logging.getLogger("kg")
#: Names handed on from the modules that own them, imported on first use (they cost start-up time).
_HANDED_ON = {
    "Viewpoint": "kg.analysis.viewpoint",
    "parse_as_of": "kg.analysis.viewpoint",
    "parse_region": "kg.analysis.viewpoint",
}


def __getattr__(name: str):
    if name in _HANDED_ON:
        import importlib

        return getattr(importlib.import_module(_HANDED_ON[name]), name)
    raise AttributeError(f"module 'kg.api' has no attribute {name!r}")


#: The environment variables the ``kg`` command reads an endpoint's settings from (see :func:`endpoint_at`).
ENDPOINT_HEADERS_ENV, ENDPOINT_PAGE_ENV, ENDPOINT_MAX_BYTES_ENV = (  # as kg.sparql.client names them
    "KG_ENDPOINT_HEADERS",
    "KG_ENDPOINT_PAGE",
    "KG_ENDPOINT_MAX_BYTES",
)


@dataclass(frozen=True)
class Data:
    """Where a question's data is: files (none: the bundled dataset), a store folder, or an endpoint."""

    files: tuple[Path, ...] = ()
    store: Path | None = None  # a folder given with --store/KG_STORE; None: the cache keyed by content
    endpoint: RemoteEndpoint | None = None

    def label(self, dataset) -> str:
        """What was read, in words: the files, the endpoint, the store (with what it was loaded from), or
        the bundled dataset."""
        if self.files:
            return ", ".join(map(str, self.files))
        if self.endpoint is not None:
            return f"the graph at {self.endpoint.name}"
        if self.store is not None:
            loaded = [Path(path) for _, path in dataset.meta.get("inputs", [])]
            folders = sorted({str(path.parent) for path in loaded})
            if len(loaded) > 1:
                more = f" and {len(folders) - 3} more folders" if len(folders) > 3 else ""
                loaded = [f"{len(loaded)} files in {', '.join(folders[:3])}{more}"]
            return f"store {self.store}" + (f" (loaded from {loaded[0]})" if loaded else "")
        return "bundled dataset"


def _data(data) -> Data:
    if data is None:
        return Data()
    if isinstance(data, Data):
        return data
    if isinstance(data, (str, Path)):
        return Data(files=(Path(data),))
    return Data(files=tuple(Path(p) for p in data))


def load(data=None, *, scope=None, progress: Progress | None = None):
    """Open ``data`` as a :class:`~kg.store.dataset.Dataset`: its store is built on first use and reused
    while the files are unchanged (``kg load``); from an endpoint, only what ``scope`` (a
    :class:`kg.store.remote.Scope`; default: everything) needs is read. A dataset given is returned as it is.

    Raises :class:`~kg.errors.InputError` for unreadable input, a store holding no dataset, an unreachable
    endpoint, or both files and an endpoint.
    """
    from kg.store.dataset import Dataset, open_dataset

    if isinstance(data, Dataset):
        return data
    where = _data(data)
    if where.endpoint is None:
        return open_dataset(list(where.files), store=where.store, progress=progress)
    from kg.store.remote import Scope, open_remote_dataset

    if where.files:
        raise InputError("give data files or --endpoint, not both")
    dataset = open_remote_dataset(where.endpoint, scope or Scope(everything=True), progress=progress)
    log.info("read %s triples from %s", f"{dataset.meta['triples']:,}", where.endpoint.name)
    return dataset


def viewpoint(at=None, region: str | None = None):
    """The moment and place of a question: ``at`` (a :class:`Viewpoint`, a date, a date-time with its
    offset, or either as ISO text; default today, UTC) for users in ``region`` (ISO 3166-1 alpha-2).

    >>> viewpoint("2021-01-10T23:30-08:00", "us").describe()
    '2021-01-11 07:30 UTC in US'
    """
    from kg.analysis.viewpoint import Viewpoint, parse_as_of

    if isinstance(at, Viewpoint):
        return at if region is None else Viewpoint(at.day, at.moment, region)
    if isinstance(at, str):
        day, moment = parse_as_of(at)
    elif isinstance(at, dt.datetime):
        day, moment = parse_as_of(at.isoformat())
    else:
        day, moment = at or dt.datetime.now(dt.UTC).date(), None
    return Viewpoint(day, moment, region.strip().upper() if region else None)


def _scope(data, **needs):
    """What a question needs of a remote graph (a :class:`kg.store.remote.Scope`); ``None`` unless the
    data is an endpoint. Name sets may be any iterable."""
    from kg.store.dataset import Dataset

    if isinstance(data, Dataset) or _data(data).endpoint is None:
        return None
    from kg.store.remote import Scope

    return Scope(**{k: frozenset(v) if isinstance(v, (list, tuple, set)) else v for k, v in needs.items()})


def _facts(dataset):
    """The facts of ``dataset`` once everything in it can be analysed (else an :class:`InputError`)."""
    dataset.check_analysable()
    return dataset.facts


def _graph(dataset, view):
    from kg.analysis.graph import build_graph

    return build_graph(_facts(dataset), view=view)


def _arrays(dataset, view):
    from kg.analysis.arrays.graph import build_array_graph

    dataset.check_analysable()
    return build_array_graph(dataset.tables, view=view)


def _resolve(entities, name: str) -> str:
    from kg.model.names import NameIndex

    return NameIndex(entities).resolve(name).identifier


def _target_graph(dataset, view, name: str):
    """The analysis graph of one actor's dependency closure (the whole graph on small data), and the
    actor's identifier."""
    if dataset.small:  # the whole graph, no arrays (and no numpy import)
        graph = _graph(dataset, view)
        return graph, _resolve(graph.entities, name)
    from kg.analysis.arrays.focus import graph_for_target

    arrays = _arrays(dataset, view)
    target = _resolve(dataset.entities, name)
    return graph_for_target(arrays, target, dataset.entities), target


def _deadline(seconds: float | None) -> float | None:
    return time.monotonic() + seconds if seconds else None


# ---------------------------------------------------------------------------------------------------------
# Questions about the data


def validate(data=None, *, engine: str = "auto", progress: Progress | None = None):
    """The data checked against the SHACL shapes and the look-alike-name rule: a
    :class:`~kg.validation.ValidationReport` (``engine``: ``sparql`` on the store, ``pyshacl``, or
    ``auto``, which is SPARQL; the same verdicts)."""
    from kg.validation import validate_dataset

    return validate_dataset(load(data, progress=progress), engine=engine, progress=progress)


def stats(data=None, *, progress: Progress | None = None):
    """Counts of entities by kind, dependencies by service, events, sources, dates: a
    :class:`~kg.model.stats.Stats`, counted from the store's records."""
    from kg.model.stats import compute_stats

    dataset = load(data, progress=progress)
    return compute_stats(facts=dataset.facts, triples=dataset.meta["triples"])


def profile(name: str, *, data=None, progress: Progress | None = None):
    """Everything recorded about one entity (by name or identifier, in any case): a
    :class:`~kg.model.profile.Profile` of its dependencies, what it provides, events and availability."""
    from kg.model.profile import entity_profile

    dataset = load(data, scope=_scope(data, around=[name], depth=1), progress=progress)
    dataset.check_analysable()
    return entity_profile(dataset.facts_about(name), name)


def export(
    data=None, *, rdf_format: str = "turtle", with_ontology: bool = False, direct: bool = False, as_of=None
) -> tuple[bytes, int]:
    """The data serialised deterministically (``turtle``, ``nt``, ``jsonld`` or ``xml``), and its number of
    triples; with the ontology, and with ``direct`` the shortcut triples of
    ``queries/direct-dependencies.rq`` (only for dependencies active on ``as_of``, a date, if given)."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    from kg.io.export import serialize
    from kg.io.loading import load_ontology
    from kg.sparql.queries import derive_direct

    if as_of is not None and not direct:
        raise InputError("--as-of needs --direct (it picks the dependencies whose shortcut triples are added)")
    graph = load(data).graph(ontology=False)
    if direct or with_ontology:
        ontology = load_ontology()
        if direct:
            when = Literal(as_of.isoformat(), datatype=XSD.date) if as_of else None
            graph += derive_direct(graph + ontology, when)
        if with_ontology:
            graph += ontology
    return serialize(graph, rdf_format), len(graph)


def describe(data=None, *, version: str | None = None) -> bytes:
    """The dataset's VoID and DCAT description, as Turtle (``version``: default, this package's)."""
    from kg.io.description import describe as description
    from kg.io.export import serialize
    from kg.model.resources import package_version

    return serialize(description(load(data).graph(ontology=False), version=version or package_version()), "turtle")


def shipped_queries() -> list[tuple[str, str]]:
    """The shipped queries (``queries/*.rq``): each one's name and what it is for."""
    from kg.sparql.queries import available_queries, read_query

    return [(name, read_query(name).purpose) for name in available_queries()]


def query(
    name: str | Path,
    params: dict[str, str] | None = None,
    *,
    data=None,
    allow_service: bool = False,
    result_format: str | None = None,
):
    """Run a shipped query (by name, ``queries/*.rq``) or a query file on the data, with ``params``
    (parameter name -> text as typed) bound as RDF terms, never pasted into the query; on an endpoint the
    query runs there. Updates are refused, and ``SERVICE`` unless ``allow_service``.

    Returns the answer as bytes in ``result_format``: solutions as ``csv`` (the default), ``tsv``,
    ``json``, ``xml`` or a ``table``; triples as ``turtle`` (the default) or ``nt`` (see
    :func:`kg.sparql.queries.serialize_result`; for solutions as Python values,
    :func:`kg.sparql.queries.run_query`).
    """
    from kg.sparql.queries import (
        check_read_only,
        find_query,
        parameter_terms,
        run_query_on_endpoint,
        run_query_on_store,
        serialize_result,
    )
    from kg.store.dataset import Dataset

    chosen = find_query(name)
    check_read_only(chosen, allow_service=allow_service)
    values = dict(params or {})
    endpoint = None if isinstance(data, Dataset) else _data(data).endpoint
    if endpoint is None:
        dataset = load(data)
        result = run_query_on_store(dataset, chosen, **parameter_terms(chosen, values, dataset.entities))
    else:  # the names are looked up at the endpoint; the query runs there
        named = [v for k, v in values.items() if k != "asOf" and k in chosen.variables]
        entities = load(data, scope=_scope(data, records=named)).entities if named else {}
        result = run_query_on_endpoint(endpoint, chosen, **parameter_terms(chosen, values, entities))
    return serialize_result(result, result_format)


def endpoint_at(
    url: str,
    *,
    graph: str | None = None,
    timeout: float = 60,
    headers: str | None = None,
    page: str | None = None,
    max_bytes: str | None = None,
):
    """A remote SPARQL 1.1 endpoint to read data from (:class:`~kg.sparql.client.RemoteEndpoint`): ``url``
    (a bare ``http://HOST:PORT`` means Oxigraph's ``/query``), the named ``graph`` holding the data
    (default: the default graph), seconds per request, and as text (what :data:`ENDPOINT_HEADERS_ENV`,
    :data:`ENDPOINT_PAGE_ENV` and :data:`ENDPOINT_MAX_BYTES_ENV` hold): extra request headers, rows per
    page (default 10000) and the longest answer accepted (default 256M)."""
    import urllib.parse

    from kg.sparql.client import RemoteEndpoint, headers_from_text, max_bytes_from_text

    parts = urllib.parse.urlsplit(url)
    if parts.path in ("", "/") and not parts.query:
        url = url.rstrip("/") + "/query"
    rows = page or "10000"
    if not rows.isdigit() or int(rows) < 1:
        raise InputError(f"bad {ENDPOINT_PAGE_ENV} {rows[:20]!r}: expected a number of rows, e.g. 10000")
    limit = max_bytes_from_text(max_bytes)
    return RemoteEndpoint(url, graph, float(timeout), headers_from_text(headers), int(rows), limit)


# ---------------------------------------------------------------------------------------------------------
# What-if questions


@dataclass(frozen=True)
class ImpactAnswer:
    """What a scenario does (:class:`~kg.analysis.impact.Impact`), and the actors the report is limited
    to (identifiers; empty: everyone the scenario changes)."""

    impact: Impact
    platforms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StatusAnswer:
    """One actor's :class:`~kg.analysis.status.ActorStatus`, and the graph its names come from."""

    status: ActorStatus
    graph: AnalysisGraph


@dataclass(frozen=True)
class SpofAnswer:
    """A platform's :class:`~kg.analysis.faulttree.SinglePoints`, and the graph its names come from."""

    points: SinglePoints
    graph: AnalysisGraph


@dataclass(frozen=True)
class CutSetsAnswer:
    """A platform's minimal :class:`~kg.analysis.faulttree.CutSets`, and the graph its names come from."""

    sets: CutSets
    graph: AnalysisGraph


@dataclass(frozen=True)
class RankAnswer:
    """Provider criticality rows (most critical first), the concentration of the service asked about (if
    any), and the array graph their names come from."""

    rows: list[ProviderCriticality]
    concentrations: list[ServiceConcentration]
    graph: ArrayGraph


def _cut_targets(cuts, remove, platforms=()) -> tuple[list[str], list[str]]:
    """Who is downstream of a scenario's cuts, and whose records it names."""
    downstream = [dependent for dependent, _, _ in cuts] + list(remove)
    return downstream, [provider for _, provider, _ in cuts] + list(platforms)


def impact(
    data=None,
    *,
    at=None,
    region: str | None = None,
    cuts: Iterable[tuple[str, str, str | None]] = (),
    remove: Iterable[str] = (),
    owners: Iterable[str] = (),
    countries: Iterable[str] = (),
    recorded_until: dt.date | None = None,
    platforms: Iterable[str] = (),
    progress: Progress | None = None,
) -> ImpactAnswer:
    """What a scenario of cuts does: who goes offline or loses channels, and why.

    ``cuts`` are (dependent, provider, service or None); ``remove`` providers exit; every provider of an
    ``owners`` group or in a ``countries`` list exits; ``recorded_until`` also applies the recorded cut-offs
    up to that date. ``platforms`` limits the report to those actors (names or identifiers).
    """
    view = viewpoint(at, region)
    cuts, remove, platforms = list(cuts), list(remove), list(platforms)
    downstream, records = _cut_targets(cuts, remove, platforms)
    scope = _scope(
        data,
        day=view.day,
        region=view.region,
        downstream=downstream,
        records=records,
        owners=list(owners),
        countries=list(countries),
        cut_offs_until=recorded_until,
        market=True,
    )
    dataset = load(data, scope=scope, progress=progress)
    scenario_flags = dict(cuts=cuts, remove=remove, owners=owners, countries=countries, recorded_until=recorded_until)
    if dataset.small:  # the whole graph, no arrays (and no numpy import)
        from kg.analysis.impact import assess
        from kg.analysis.scenario import make_scenario

        graph = _graph(dataset, view)
        scenario = make_scenario(graph, **scenario_flags)
        only = frozenset(_resolve(graph.entities, name) for name in platforms)
        graph.market = dataset.market
        return ImpactAnswer(assess(graph, scenario, progress=progress), only)
    from kg.analysis.arrays.focus import assess_focused, graph_for_scenario

    arrays = _arrays(dataset, view)
    graph, scenario = graph_for_scenario(arrays, entities=dataset.entities, **scenario_flags)
    only = frozenset(_resolve(graph.entities, name) for name in platforms)
    graph.market = dataset.market
    return ImpactAnswer(assess_focused(arrays, graph, scenario, progress=progress), only)


def status(name: str, *, data=None, at=None, region: str | None = None, progress: Progress | None = None):
    """The status of one actor at a moment, for users in a region, with why: what it stands on, what it
    lost, and what sources observed then (a :class:`StatusAnswer`)."""
    from kg.analysis.status import actor_status

    view = viewpoint(at, region)
    dataset = load(data, scope=_scope(data, upstream=[name], day=view.day, region=view.region), progress=progress)
    graph, target = _target_graph(dataset, view, name)
    observations = dataset.facts.observations.values() if dataset.small else dataset.tables.observations_of(target)
    return StatusAnswer(actor_status(graph, target, view, observations), graph)


def spof(
    platform: str, *, data=None, at=None, region: str | None = None, time_limit: float | None = None, progress=None
) -> SpofAnswer:
    """Single points of failure: the providers whose exit alone takes ``platform`` offline, and the
    channels one exit cuts. Raises :class:`~kg.analysis.faulttree.TimeLimitExceeded` past ``time_limit``
    seconds."""
    from kg.analysis.faulttree import single_points_of_failure

    view = viewpoint(at, region)
    scope = _scope(data, upstream=[platform], day=view.day, region=view.region)
    graph, target = _target_graph(load(data, scope=scope, progress=progress), view, platform)
    return SpofAnswer(single_points_of_failure(graph, target, deadline=_deadline(time_limit)), graph)


def cutsets(
    platform: str,
    *,
    data=None,
    at=None,
    region: str | None = None,
    max_order: int = 3,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> CutSetsAnswer:
    """Minimal cut sets: the smallest sets of provider exits (up to ``max_order`` providers) that together
    take ``platform`` offline."""
    from kg.analysis.faulttree import cut_sets

    view = viewpoint(at, region)
    scope = _scope(data, upstream=[platform], day=view.day, region=view.region)
    graph, target = _target_graph(load(data, scope=scope, progress=progress), view, platform)
    return CutSetsAnswer(cut_sets(graph, target, max_order, deadline=_deadline(time_limit)), graph)


def rank(
    data=None, *, at=None, region: str | None = None, service: str | None = None, progress: Progress | None = None
) -> RankAnswer:
    """Provider criticality: how many dependents each provider's exit alone would take offline or degrade
    (directly, and with cascades); with ``service``, only its providers, with that market's concentration."""
    from kg.analysis.arrays.cascade import concentration_table, criticality_table
    from kg.model.vocabulary import vocabulary

    view = viewpoint(at, region)
    services = [vocabulary().service(service).identifier] if service else []
    graph = _arrays(load(data, progress=progress), view)  # every provider's exit: the whole graph
    rows = criticality_table(graph, services[0] if services else None)
    return RankAnswer(rows, [concentration_table(graph, s) for s in services], graph)


def replay(platform: str | None = None, *, data=None, region: str | None = None, progress=None) -> list:
    """A platform's recorded history replayed: the predicted status at each date (and instant), checked
    against what was observed, for users in ``region``. Without ``platform``, every platform with recorded
    observations, worldwide and in each country observed on its own (filtered to ``region`` if given).
    Returns a list of :class:`~kg.analysis.replay.Replay`."""
    from kg.analysis.replay import replay as replay_one
    from kg.analysis.replay import replay_all

    scope = None if platform is None else _scope(data, upstream=[platform], region=region)
    facts = _facts(load(data, scope=scope, progress=progress))
    if platform is None:
        return [history for history in replay_all(facts) if region in (None, history.region)]
    return [replay_one(facts, platform, region)]


# ---------------------------------------------------------------------------------------------------------
# Pictures


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

        facts = _facts(
            load(data, scope=_scope(data, upstream=[replay_of], criticality=True, region=region), progress=progress)
        )
        limit = deadline_progress(_deadline(time_limit), "rendering")
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
                downstream, records = _cut_targets(cuts, remove)
                around.update(downstream=downstream, records=records, owners=list(owners), countries=list(countries))
                around.update(cut_offs_until=recorded_until)
            scope = _scope(data, **around)
        graph = _graph(load(data, scope=scope, progress=progress), view)
        limit = deadline_progress(_deadline(time_limit), "rendering")
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

    focus_id = _resolve(graph.entities, focus) if focus else None
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


# ---------------------------------------------------------------------------------------------------------
# Files in and out, servers, measurement


def import_data(
    csv_files: Iterable[str | Path] = (),
    *,
    out: str | Path,
    webdep: str | Path | None = None,
    rdf_format: str = "turtle",
    validate: bool = True,
    progress: Progress | None = None,
):
    """CSV interchange files and/or a web-measurement folder converted to one RDF file, validated before it
    is written (nothing is written when the data violates a shape): an
    :class:`~kg.store.importing.ImportResult`."""
    from kg.store.importing import import_data as convert

    return convert(list(csv_files), out=out, webdep=webdep, rdf_format=rdf_format, validate=validate, progress=progress)


def write_template(folder: str | Path) -> list[Path]:
    """A starter CSV folder: every interchange file with one sourced row from the bundled data."""
    from kg.io.template import write_template as write

    return write(folder)


def services() -> list:
    """The service vocabulary (:class:`~kg.model.vocabulary.Service`): identifiers, what losing one does,
    and what a provider of it relies on upstream by default."""
    from kg.model.vocabulary import vocabulary

    return list(vocabulary().services.values())


def cases(data=None) -> list[str]:
    """The names of the platforms whose dependencies the data records, sorted."""
    facts = load(data).facts
    entities = facts.entities
    return sorted(
        {
            entities[d.dependent].name
            for d in facts.dependencies.values()
            if d.dependent in entities and entities[d.dependent].is_platform
        }
    )


def serve(data=None, *, host: str = "127.0.0.1", port: int = 7878, timeout: float = 60, workers=None, **options):
    """Start a read-only SPARQL 1.1 endpoint over the data (ontology included) and return it once it
    answers (:class:`~kg.sparql.server.Endpoint`: ``wait()``, ``stop()``); see
    :func:`kg.sparql.server.serve` for the options."""
    from kg.sparql.server import serve as start

    return start(load(data), host=host, port=port, timeout=timeout, workers=workers, **options)


def push(data=None, *, endpoint: str, store_url: str | None = None, update_url: str | None = None, **options):
    """Upload the ontology and the data into a named graph of the SPARQL server at ``endpoint`` (its base
    or query URL), replacing it at once: a :class:`~kg.sparql.push.PushReport`. Without ``store_url`` and
    ``update_url`` the server is laid out as Oxigraph's (``/store``, ``/update``, bulk loading); see
    :func:`kg.sparql.push.push` for the options."""
    from kg.sparql.push import push as upload

    base = endpoint.rstrip("/").removesuffix("/query")
    return upload(
        load(data, progress=options.get("progress")),
        store_url=store_url or f"{base}/store",
        update_url=update_url or f"{base}/update",
        bulk=store_url is None,
        query_url=f"{base}/query" if store_url is None and update_url is None else endpoint,
        **options,
    )


@dataclass(frozen=True)
class MeasureAnswer:
    """A measurement run: its :class:`~kg.measure.run.RunSummary`, the folder its tables went to, and,
    with ``into``, the counts of the merge into periods (else ``None``)."""

    summary: RunSummary
    folder: Path
    merged: dict | None = None


def measure(
    domains: Sequence[str],
    *,
    out: str | Path | None = None,
    into: str | Path | None = None,
    shard: str = "1/1",
    progress: Progress | None = None,
    **options,
) -> MeasureAnswer:
    """Measure ``domains``' providers live into ``out`` (one run), or into ``into`` (successive runs, each
    in a folder of its own, merged into dated periods; an interrupted run there carries on). ``options``
    are those of :func:`kg.measure.run.measure` (``resolver`` and ``country`` are required)."""
    from kg.measure.run import measure as run
    from kg.measure.run import new_run_identifier, parse_shard
    from kg.measure.runfiles import RUNS_FOLDER, interrupted_run, merge_into

    if (out is None) == (into is None):
        raise InputError("give --out DIR (this run) or --into DIR (successive runs merged), one of them")
    parts = parse_shard(shard)
    identifier = None
    if into is not None:
        folder = interrupted_run(into)
        if folder is None:
            identifier = new_run_identifier(parts)
            folder = Path(into) / RUNS_FOLDER / identifier
    else:
        folder = Path(out)
    summary = run(list(domains), folder, identifier=identifier, shard=parts, progress=progress, **options)
    return MeasureAnswer(summary, folder, merge_into(into) if into is not None else None)


@dataclass(frozen=True)
class ChangesAnswer:
    """What changed between successive runs (:class:`~kg.measure.runfiles.Step` each), and the names of the
    providers and domains they mention (identifier -> name)."""

    steps: list
    names: dict

    def name(self, identifier: str) -> str:
        """The name of ``identifier``, or the identifier when no run names it."""
        return self.names.get(identifier, identifier)


def changes(folders: Iterable[str | Path]) -> ChangesAnswer:
    """What changed between successive measurement runs in ``folders``: per domain and service, the
    providers it stopped and started using, and the domains that stopped answering or answer again."""
    from kg.measure.runfiles import read_names, steps

    folders = list(folders)
    return ChangesAnswer(steps(folders), read_names(folders))
