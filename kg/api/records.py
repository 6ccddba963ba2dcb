"""Questions about the data itself: does it conform, what does it count, what is recorded of one entity,
its RDF, its description, a SPARQL query's answer, the service vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.model.progress import Progress

if TYPE_CHECKING:
    pass


from kg.api.sources import data_of, load, scope_for

__all__ = [
    "cases",
    "describe",
    "export",
    "profile",
    "query",
    "services",
    "shipped_queries",
    "stats",
    "validate",
]


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

    dataset = load(data, scope=scope_for(data, around=[name], depth=1), progress=progress)
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
    endpoint = None if isinstance(data, Dataset) else data_of(data).endpoint
    if endpoint is None:
        dataset = load(data)
        result = run_query_on_store(dataset, chosen, **parameter_terms(chosen, values, dataset.entities))
    else:  # the names are looked up at the endpoint; the query runs there
        named = [v for k, v in values.items() if k != "asOf" and k in chosen.variables]
        entities = load(data, scope=scope_for(data, records=named)).entities if named else {}
        result = run_query_on_endpoint(endpoint, chosen, **parameter_terms(chosen, values, entities))
    return serialize_result(result, result_format)


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
