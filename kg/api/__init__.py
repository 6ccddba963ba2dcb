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

The questions live by kind: :mod:`kg.api.records` (about the data: validate, stats, profile, export,
describe, query, services), :mod:`kg.api.whatif` (impact, status, spof, cutsets, rank, replay),
:mod:`kg.api.pictures` (render), :mod:`kg.api.operations` (import, template, serve, push, measure,
changes), all on :mod:`kg.api.sources` (where the data is, a viewpoint, the engine each question gets).

What it may import: every layer below it; only the command line and the package's face (:mod:`kg`) import it.

>>> from kg import api
>>> answer = api.spof("parler", at="2021-01-07")
>>> answer.points.offline
['aws']
>>> api.impact(at="2021-01-07", cuts=[("parler", "aws", None)]).impact.explain("parler")[:34]
'Parler: offline since 2021-01-07: '
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.api.operations import (
    ChangesAnswer,
    MeasureAnswer,
    changes,
    import_data,
    measure,
    push,
    serve,
    write_template,
)
from kg.api.pictures import (
    RenderAnswer,
    render,
)
from kg.api.records import (
    cases,
    describe,
    export,
    profile,
    query,
    services,
    shipped_queries,
    stats,
    validate,
)
from kg.api.sources import (
    Data,
    endpoint_at,
    load,
    viewpoint,
)
from kg.api.whatif import (
    CutSetsAnswer,
    ImpactAnswer,
    RankAnswer,
    SpofAnswer,
    StatusAnswer,
    cutsets,
    impact,
    rank,
    replay,
    spof,
    status,
)

if TYPE_CHECKING:  # handed on by __getattr__ below
    from kg.analysis.viewpoint import Viewpoint, parse_as_of, parse_region

__all__ = [
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
