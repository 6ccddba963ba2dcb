"""Where a question's data is and when it stands: files, a store or an endpoint, opened as a dataset; a
viewpoint; and the helpers every question shares to reach the right engine."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.model.progress import Progress

if TYPE_CHECKING:
    from kg.sparql.client import RemoteEndpoint


__all__ = [
    "Data",
    "arrays_at",
    "data_of",
    "deadline",
    "endpoint_at",
    "facts_of",
    "graph_at",
    "identifier_of",
    "load",
    "scope_for",
    "target_graph",
    "viewpoint",
]

log = logging.getLogger("kg")


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


def data_of(data) -> Data:
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
    where = data_of(data)
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
    from kg.analysis.viewpoint import Viewpoint, parse_as_of, parse_region

    region = parse_region(region) if region else None
    if isinstance(at, Viewpoint):
        return at if region is None else Viewpoint(at.day, at.moment, region)
    if isinstance(at, str):
        day, moment = parse_as_of(at)
    elif isinstance(at, dt.datetime):
        day, moment = parse_as_of(at.isoformat())
    else:
        day, moment = at or dt.datetime.now(dt.UTC).date(), None
    return Viewpoint(day, moment, region)


def scope_for(data, **needs):
    """What a question needs of a remote graph (a :class:`kg.store.remote.Scope`); ``None`` unless the
    data is an endpoint. Name sets may be any iterable."""
    from kg.store.dataset import Dataset

    if isinstance(data, Dataset) or data_of(data).endpoint is None:
        return None
    from kg.store.remote import Scope

    return Scope(**{k: frozenset(v) if isinstance(v, (list, tuple, set)) else v for k, v in needs.items()})


def facts_of(dataset):
    """The facts of ``dataset`` once everything in it can be analysed (else an :class:`InputError`)."""
    dataset.check_analysable()
    return dataset.facts


def graph_at(dataset, view):
    from kg.analysis.graph import build_graph

    return build_graph(facts_of(dataset), view=view)


def arrays_at(dataset, view):
    from kg.analysis.arrays.graph import build_array_graph

    dataset.check_analysable()
    return build_array_graph(dataset.tables, view=view)


def identifier_of(entities, name: str) -> str:
    from kg.model.names import NameIndex

    return NameIndex(entities).resolve(name).identifier


def target_graph(dataset, view, name: str):
    """The analysis graph of one actor's dependency closure (the whole graph on small data), and the
    actor's identifier."""
    if dataset.small:  # the whole graph, no arrays (and no numpy import)
        graph = graph_at(dataset, view)
        return graph, identifier_of(graph.entities, name)
    from kg.analysis.arrays.focus import graph_for_target

    arrays = arrays_at(dataset, view)
    target = identifier_of(dataset.entities, name)
    return graph_for_target(arrays, target, dataset.entities), target


def deadline(seconds: float | None) -> float | None:
    return time.monotonic() + seconds if seconds else None


def endpoint_at(url: str, *, graph: str | None = None, timeout: float = 60, settings: Mapping[str, str] | None = None):
    """A remote SPARQL 1.1 endpoint to read data from (:class:`~kg.sparql.client.RemoteEndpoint`): ``url``
    (a bare ``http://HOST:PORT`` means Oxigraph's ``/query``), the named ``graph`` holding the data
    (default: the default graph) and seconds per request. ``settings`` (the command passes its
    environment) may hold the extra request headers (``KG_ENDPOINT_HEADERS``), the rows per page
    (``KG_ENDPOINT_PAGE``, default 10000) and the longest answer accepted (``KG_ENDPOINT_MAX_BYTES``,
    default 256M): see :mod:`kg.sparql.client`."""
    import urllib.parse

    from kg.sparql.client import (
        HEADERS_ENV,
        MAX_BYTES_ENV,
        PAGE_ENV,
        RemoteEndpoint,
        headers_from_text,
        max_bytes_from_text,
    )

    settings = settings or {}
    parts = urllib.parse.urlsplit(url)
    if parts.path in ("", "/") and not parts.query:
        url = url.rstrip("/") + "/query"
    rows = settings.get(PAGE_ENV) or "10000"
    if not rows.isdigit() or int(rows) < 1:
        raise InputError(f"bad {PAGE_ENV} {rows[:20]!r}: expected a number of rows, e.g. 10000")
    headers, limit = headers_from_text(settings.get(HEADERS_ENV)), max_bytes_from_text(settings.get(MAX_BYTES_ENV))
    return RemoteEndpoint(url, graph, float(timeout), headers, int(rows), limit)
