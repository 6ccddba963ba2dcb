"""A dataset read from a remote SPARQL 1.1 endpoint: only the part of the graph a question needs.

A :class:`Scope` says what a command needs: everything (a ranking, statistics), the dependency closure
of a platform (its single points of failure and cut sets), everything a scenario can change (the
actors downstream of what it cuts, with the closures their statuses rest on), or the neighbourhood of
an actor. :func:`open_remote_dataset` walks the remote graph with small SELECT queries (the walk follows
dependencies active on the question's date; every dependency of each actor reached is fetched,
whatever its dates, since ended ones decide whether a lost service is still needed), fetches the
triples of the dependencies, actors, owners, events, observations, outages and sources found, and builds a
local store from them with the same code as files (:mod:`kg.store.build`). Every command then runs
on it unchanged, so a remote answer is the local answer on the same data.

Values only ever reach a query as RDF terms written by pyoxigraph (IRIs checked, literals escaped).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kg.errors import InputError, UnknownNameError
from kg.io.queryrows import Term
from kg.model.namespace import DCTERMS, PD, PROV, RDFS
from kg.model.vocabulary import vocabulary
from kg.store.extract import iso_day

__all__ = ["Market", "Scope", "fetch_market", "fetch_ntriples", "open_remote_dataset", "resolve_names"]

#: IRIs per ``VALUES`` block (well under what servers accept in one request).
BATCH = 500


@dataclass(frozen=True)
class Scope:
    """What part of a remote graph a question needs (names are identifiers, names or labels).

    Attributes
    ----------
    everything : the whole graph (rankings, statistics, whole-graph pictures).
    day : the date walks follow dependencies on (``None``: dependencies of any date).
    upstream : actors whose dependency closure is needed (what they rely on, transitively).
    downstream : actors whose dependents are needed, transitively, each with its own closure (what a
        scenario that cuts or removes them can change).
    around : actors whose neighbourhood of ``depth`` steps, either way, is needed.
    records : actors needed only as records (named in a report filter).
    owners : owners whose whole group is in ``downstream`` (the owner and all it controls).
    countries : ISO codes whose providers are in ``downstream``.
    cut_offs_until : the dependents of every dependency a recorded cut-off acted on up to this date are
        in ``downstream``.
    criticality : also everything downstream of every provider reached, with the closures it rests on
        (what a picture needs to size and colour each provider by its dependents and criticality).
    market : also who supplies each service the walk meets, across the whole graph on ``day`` (the
        :class:`Market` alternatives are ranked by), with the closure of every such provider (whether it is
        available).
    region : the country the market is counted in (``None``: worldwide, leaving out dependencies that
        apply in some countries only, as the analyses do).
    """

    everything: bool = False
    day: dt.date | None = None
    upstream: frozenset[str] = frozenset()
    downstream: frozenset[str] = frozenset()
    around: frozenset[str] = frozenset()
    depth: int = 0
    records: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    cut_offs_until: dt.date | None = None
    criticality: bool = False
    market: bool = False
    region: str | None = None


@dataclass
class Market:
    """Who supplies each service across a whole remote graph on one date (identifiers throughout).

    ``counts[service][provider]`` is how many others the provider supplies with the service;
    ``cut[service][provider]`` the dependents (sorted) it cut off from the service by the date.
    """

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    cut: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _iri(value: str):
    import pyoxigraph

    return pyoxigraph.NamedNode(value)


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(str(_iri(i)) for i in iris)} }}"


def _batches(items: Iterable[str], size: int = BATCH) -> Iterable[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _term(node) -> Term | None:
    if node is None:
        return None
    datatype = getattr(node, "datatype", None)
    return Term(node.value, datatype.value if datatype is not None else None)


def _active(start, end, day: dt.date | None) -> bool:
    if day is None:
        return True
    first, last = iso_day(_term(start)), iso_day(_term(end))
    # A dependency ending on the day itself is walked too: at a time of day before its end it still holds.
    return (not first or dt.date.fromisoformat(first) <= day) and (not last or day <= dt.date.fromisoformat(last))


@dataclass
class _Walk:
    """The walk over a remote graph: dependencies found (IRI -> dependent, provider, start, end)."""

    endpoint: object
    day: dt.date | None
    dependencies: dict[str, tuple] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)  # actors whose own dependencies are all fetched

    def edges(self, actors: Iterable[str], role: str) -> list[tuple]:
        """The dependencies whose ``role`` (dependent or provider) is one of ``actors``."""
        other = "provider" if role == "dependent" else "dependent"
        found = []
        for batch in _batches(actors):
            query = (
                f"SELECT ?d ?x ?y ?service ?start ?end WHERE {{ {_values('x', batch)} ?d <{PD[role]}> ?x ; "
                f"<{PD[other]}> ?y . OPTIONAL {{ ?d <{PD.service}> ?service }} "
                f"OPTIONAL {{ ?d <{PD.startDate}> ?start }} OPTIONAL {{ ?d <{PD.endDate}> ?end }} }}"
            )
            for row in self.endpoint.select_paged(query, "?d ?service ?start ?end"):
                dependent, provider = (row["x"], row["y"]) if role == "dependent" else (row["y"], row["x"])
                service = row.get("service")
                record = (dependent.value, provider.value, row.get("start"), row.get("end"), service)
                self.dependencies.setdefault(row["d"].value, record)
                found.append(record)
        return found

    def expand(self, actors: Iterable[str]) -> list[tuple]:
        """Fetch every dependency of ``actors`` not yet expanded; return them."""
        new = set(actors) - self.expanded
        self.expanded |= new
        return self.edges(new, "dependent") if new else []

    def upstream(self, seeds: Iterable[str]) -> set[str]:
        """The seeds and every actor they rely on (on the day), transitively, all expanded."""
        reached, frontier = set(seeds), set(seeds)
        while frontier:
            providers = {p for _, p, start, end, _ in self.expand(frontier) if _active(start, end, self.day)}
            frontier = providers - reached
            reached |= frontier
        return reached

    def downstream(self, seeds: Iterable[str]) -> set[str]:
        """The seeds and every actor that relies on them (on the day), transitively."""
        reached, frontier = set(seeds), set(seeds)
        while frontier:
            found = self.edges(frontier, "provider")
            dependents = {d for d, _, start, end, _ in found if _active(start, end, self.day)}
            frontier = dependents - reached
            reached |= frontier
        return reached

    def around(self, seeds: Iterable[str], depth: int) -> set[str]:
        """The actors within ``depth`` steps of the seeds, either way and over dependencies of any date,
        all expanded."""
        reached, frontier = set(seeds), set(seeds)
        for _ in range(depth):
            if not frontier:
                break
            self.expand(frontier)
            found = [r for r in self.dependencies.values() if r[0] in frontier] + self.edges(frontier, "provider")
            near = {a for d, p, *_ in found for a in (d, p)}  # any date: a picture shows lost ones too
            frontier = near - reached
            reached |= frontier
        self.expand(reached)
        return reached


def _actor_kinds() -> list[str]:
    return [str(iri) for iri in vocabulary().actor_kinds.values()]


def resolve_names(endpoint, names: Iterable[str]) -> dict[str, list[str]]:
    """The IRIs of the actors each name may mean (identifier, name or label, any case), by name: the actor
    with that identifier when there is one (it wins locally too), else every actor it names.

    Raises :class:`~kg.errors.UnknownNameError` (with close names the endpoint has) for a name that
    matches nothing.
    """
    import pyoxigraph

    kinds = " ".join(f"<{k}>" for k in _actor_kinds())
    found: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        key = pyoxigraph.Literal(" ".join(name.lower().split()))
        # An identifier first, as kg.model.names does: one lookup by value, which every store indexes; only a
        # name that is no identifier costs a scan of every actor's identifier and label.
        exact = f"SELECT DISTINCT ?e WHERE {{ ?e <{DCTERMS.identifier}> {key} ; a ?kind . VALUES ?kind {{ {kinds} }} }}"
        matches = sorted({row["e"].value for row in endpoint.select(exact)})
        if matches:
            found[name] = matches
            continue
        tail = pyoxigraph.Literal("/" + key.value)
        query = (
            f"SELECT DISTINCT ?e WHERE {{ ?e a ?kind . VALUES ?kind {{ {kinds} }} "
            f"OPTIONAL {{ ?e <{DCTERMS.identifier}> ?id }} OPTIONAL {{ ?e <{RDFS.label}> ?label }} "
            f"FILTER(LCASE(STR(?id)) = {key} || LCASE(STR(?label)) = {key} || STRENDS(LCASE(STR(?e)), {tail})) }}"
        )
        matches = sorted({row["e"].value for row in endpoint.select(query)})
        if not matches:
            raise UnknownNameError("entity", name, _close_names(endpoint, name))
        found[name] = matches
    return found


def _close_names(endpoint, name: str) -> list[str]:
    """Names and identifiers at the endpoint close to ``name`` (as :class:`~kg.model.names.NameIndex` suggests):
    the candidates share its first or last three letters."""
    import difflib

    import pyoxigraph

    key = " ".join(name.casefold().split())
    parts = {key[:3], key[-3:]} - {""}
    if not parts:
        return []
    filters = " || ".join(f"CONTAINS(LCASE(STR(?n)), {pyoxigraph.Literal(p)})" for p in sorted(parts))
    kinds = " ".join(f"<{k}>" for k in _actor_kinds())
    query = (
        f"SELECT DISTINCT ?n ?rank WHERE {{ ?e a ?kind . VALUES ?kind {{ {kinds} }} "
        f"{{ ?e <{DCTERMS.identifier}> ?n BIND(0 AS ?rank) }} UNION {{ ?e <{RDFS.label}> ?n BIND(1 AS ?rank) }} "
        f"FILTER({filters}) }}"
    )
    display: dict[str, str] = {}  # identifiers first, as NameIndex shows them
    for row in endpoint.select(f"{query} ORDER BY ?rank ?n LIMIT 500"):
        display.setdefault(" ".join(row["n"].value.casefold().split()), row["n"].value)
    return [display[c] for c in difflib.get_close_matches(key, list(display), n=3, cutoff=0.6)]


def _construct_paged(endpoint, where: str, order: str) -> Iterable[list]:
    """The triples ``?s ?p ?o`` matching ``where``, in chunks: one request, or pages when a server's cap
    may have cut the answer (as :meth:`~kg.sparql.client.RemoteEndpoint.select_paged` does for SELECT).
    Solutions are made distinct first, so a full page of solutions is a full page of triples."""
    page = endpoint.page

    def ask(tail: str) -> list:
        inner = f"SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} {tail}"
        return endpoint.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {inner} }}")

    first = ask(f"LIMIT {page}")
    if len(first) < page:
        yield first
        return
    offset = 0
    while True:
        chunk = ask(f"ORDER BY {order} LIMIT {page} OFFSET {offset}")
        yield chunk
        if len(chunk) < page:
            return
        offset += page


def _subjects(endpoint, clause: str) -> set[str]:
    return {row["s"].value for row in endpoint.select_paged(f"SELECT DISTINCT ?s WHERE {{ {clause} }}", "?s")}


def _region_filter(region: str | None) -> str:
    """SPARQL keeping a dependency ``?d`` that counts in ``region``: worldwide ones, and there, its own."""
    worldwide = f"NOT EXISTS {{ ?d <{PD.appliesIn}> ?somewhere }}"
    if region is None:
        return f"FILTER({worldwide})"
    return f"FILTER({worldwide} || EXISTS {{ ?d <{PD.appliesIn}> {_literal(region)} }})"


def _active_filter(day: dt.date | None, region: str | None = None) -> str:
    """SPARQL keeping a dependency ``?d`` active on ``day`` (start <= day < end; open ends hold) that counts
    in ``region`` (worldwide for ``None``)."""
    if day is None:
        return ""
    import pyoxigraph

    text = pyoxigraph.Literal(day.isoformat())
    return (
        _region_filter(region)
        + " "
        + (
            f"OPTIONAL {{ ?d <{PD.startDate}> ?start }} OPTIONAL {{ ?d <{PD.endDate}> ?end }} "
            f"FILTER((!BOUND(?start) || SUBSTR(STR(?start), 1, 10) <= {text}) && "
            f"(!BOUND(?end) || SUBSTR(STR(?end), 1, 10) > {text}))"
        )
    )


def _market_providers(endpoint, services: Iterable[str], day: dt.date | None, region: str | None = None) -> set[str]:
    found: set[str] = set()
    for batch in _batches(services):
        query = (
            f"SELECT DISTINCT ?s WHERE {{ {_values('service', batch)} ?d <{PD.service}> ?service ; "
            f"<{PD.provider}> ?s ; <{PD.dependent}> ?x . FILTER(?x != ?s) {_active_filter(day, region)} }}"
        )
        found |= {row["s"].value for row in endpoint.select_paged(query, "?s")}
    return found


def fetch_market(endpoint, services: Iterable[str], day: dt.date, region: str | None = None) -> Market:
    """The :class:`Market` of ``services`` (IRIs) on ``day`` in ``region`` (``None``: worldwide), across the
    endpoint's whole graph."""
    from kg.model.namespace import identifier_of

    vocab = vocabulary()
    keys = {str(service.iri): key for key, service in vocab.services.items()}
    market = Market()

    def name(row, variable: str) -> str:
        given = row.get(f"{variable}id")
        iri = row[variable].value
        return given.value if given is not None else identifier_of(iri)

    ended = str(vocab.endings["provider"])
    text = _literal(day.isoformat())
    for service in sorted(services):
        key = keys.get(service)
        if key is None:
            continue
        query = (
            f"SELECT ?p ?pid (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?d <{PD.service}> <{service}> ; "
            f"<{PD.provider}> ?p ; <{PD.dependent}> ?x . FILTER(?x != ?p) {_active_filter(day, region)} "
            f"OPTIONAL {{ ?p <{DCTERMS.identifier}> ?pid }} }} GROUP BY ?p ?pid"
        )
        counts = market.counts.setdefault(key, {})
        for row in endpoint.select_paged(query, "?p ?pid"):
            counts[name(row, "p")] = int(row["n"].value)
        query = (
            f"SELECT DISTINCT ?p ?pid ?x ?xid WHERE {{ ?d <{PD.service}> <{service}> ; <{PD.provider}> ?p ; "
            f"<{PD.dependent}> ?x ; <{PD.endedBy}> <{ended}> ; <{PD.endDate}> ?end "
            f"FILTER(SUBSTR(STR(?end), 1, 10) <= {text}) {_region_filter(region)} "
            f"OPTIONAL {{ ?p <{DCTERMS.identifier}> ?pid }} OPTIONAL {{ ?x <{DCTERMS.identifier}> ?xid }} }}"
        )
        cut: dict[str, set[str]] = {}
        for row in endpoint.select_paged(query, "?p ?x ?pid ?xid"):
            cut.setdefault(name(row, "p"), set()).add(name(row, "x"))
        market.cut[key] = {provider: sorted(dependents) for provider, dependents in cut.items()}
    return market


def _literal(text: str) -> str:
    import pyoxigraph

    return str(pyoxigraph.Literal(text))


def _walk(endpoint, scope: Scope, names: dict[str, list[str]]) -> tuple[set[str], set[str], set[str]]:
    """The dependencies, actors and (with ``scope.market``) services (IRIs) the scope needs."""
    import pyoxigraph

    walk = _Walk(endpoint, scope.day)

    def named(group: Iterable[str]) -> set[str]:
        return {iri for name in group for iri in names[name]}

    if scope.everything:
        dependencies = _subjects(endpoint, f"?s a <{PD.Dependency}>")
        kinds = " ".join(f"<{k}>" for k in _actor_kinds())
        services = {str(s.iri) for s in vocabulary().services.values()} if scope.market else set()
        return dependencies, _subjects(endpoint, f"?s a ?kind . VALUES ?kind {{ {kinds} }}"), services
    actors = named(scope.records)
    downstream = named(scope.downstream)
    for owner in named(scope.owners):
        path = f"?s <{PD.ownedBy}>* {pyoxigraph.NamedNode(owner)}"
        downstream |= _subjects(endpoint, path)
    for code in scope.countries:
        country = pyoxigraph.Literal(code.strip().upper())
        downstream |= _subjects(endpoint, f"?s <{PD.countryCode}> ?c FILTER(UCASE(STR(?c)) = {country})")
    if scope.cut_offs_until is not None:
        until = pyoxigraph.Literal(scope.cut_offs_until.isoformat())
        query = (
            f"?e a <{PD.CutOff}> ; <{PD.date}> ?when ; <{PD.actsOn}> ?d . ?d <{PD.dependent}> ?s "
            f"FILTER(SUBSTR(STR(?when), 1, 10) <= {until})"
        )
        downstream |= _subjects(endpoint, query)
    upstream = named(scope.upstream)
    if downstream:
        upstream |= walk.downstream(downstream)
    actors |= walk.upstream(upstream) if upstream else set()
    if scope.around:  # the neighbourhood, with the closure its statuses rest on
        actors |= walk.upstream(walk.around(named(scope.around), scope.depth))
    walk.expand(named(scope.records))
    if scope.criticality:
        met = list(walk.dependencies.values())
        providers = {provider for dependent, provider, *_ in met if provider in actors and dependent != provider}
        actors |= walk.upstream(walk.downstream(providers))
    services: set[str] = set()
    if scope.market:  # the providers of every service met, with the closures their availability rests on
        met = walk.dependencies.values()
        services = {r[4].value for r in met if r[4] is not None}  # ended ones too: their loss is listed
        actors |= walk.upstream(_market_providers(endpoint, services, scope.day, scope.region))
    actors |= {a for dependent, provider, *_ in walk.dependencies.values() for a in (dependent, provider)}
    return set(walk.dependencies), actors, services


def fetch_ntriples(endpoint, scope: Scope, write: Callable[[str], object]) -> tuple[int, Market | None]:
    """Write, as N-Triples lines, the triples of everything ``scope`` needs from ``endpoint``; return
    how many, and the :class:`Market` when the scope asks for it. Raises :class:`~kg.errors.InputError`
    for an unknown name or an endpoint that fails."""
    import pyoxigraph

    names = [*scope.upstream, *scope.downstream, *scope.around, *scope.records, *scope.owners]
    resolved = resolve_names(endpoint, names) if names else {}
    dependencies, actors, services = _walk(endpoint, scope, resolved)
    market = fetch_market(endpoint, services, scope.day, scope.region) if scope.market and scope.day else None
    done: set[str] = set()
    count = 0

    def triples(subjects: set[str]) -> set[str]:
        """Write the triples of ``subjects`` not yet written; return the IRIs they cite, are owned or ordered by."""
        nonlocal count
        cited: set[str] = set()
        follow = {str(PROV.wasDerivedFrom), str(PD.ownedBy), str(PD.orderedBy)}
        for batch in _batches(subjects - done):
            done.update(batch)
            for chunk in _construct_paged(endpoint, f"{_values('s', batch)} ?s ?p ?o", "?s ?p ?o"):
                write(pyoxigraph.serialize(chunk, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8"))
                count += len(chunk)
                for triple in chunk:
                    if triple.predicate.value in follow and isinstance(triple.object, pyoxigraph.NamedNode):
                        cited.add(triple.object.value)
        return cited

    if scope.everything:
        event_kinds = " ".join(f"<{k}>" for k in vocabulary().event_kinds.values())
        events = _subjects(endpoint, f"?s a ?kind . VALUES ?kind {{ {event_kinds} }}")
        observations = _subjects(endpoint, f"?s a <{PD.AvailabilityObservation}>")
        observations |= _subjects(endpoint, f"?s a <{PD.Outage}>")
    else:
        events = {
            row["e"].value
            for batch in _batches(dependencies)
            for row in endpoint.select(f"SELECT DISTINCT ?e WHERE {{ {_values('d', batch)} ?e <{PD.actsOn}> ?d }}")
        }
        observations = {
            row["o"].value
            for batch in _batches(actors)
            for row in endpoint.select(
                f"SELECT DISTINCT ?o WHERE {{ {_values('a', batch)} ?o <{PD.observedActor}>|<{PD.outageOf}> ?a }}"
            )
        }
    pending = triples(dependencies | actors | events | observations)
    while pending - done:  # sources, and owners up their chains
        pending = triples(pending)
    return count, market


def open_remote_dataset(endpoint, scope: Scope, *, progress=None):
    """A :class:`~kg.store.dataset.Dataset` of what ``scope`` needs from ``endpoint``
    (a :class:`~kg.sparql.client.RemoteEndpoint`), in a temporary store removed at exit."""
    from kg.model.resources import ONTOLOGY
    from kg.store.build import publish
    from kg.store.dataset import Dataset, temporary_root
    from kg.store.keys import content_key

    root = temporary_root()
    digest = hashlib.sha256(repr((endpoint.url, endpoint.graph, scope)).encode()).hexdigest()[:16]
    path = root / f"remote-{digest}.nt"
    if progress is not None:
        progress(f"reading {endpoint.name}", 0, None)
    with path.open("w", encoding="utf-8") as handle:
        count, market = fetch_ntriples(endpoint, scope, handle.write)
    if not count:  # a wrong graph name, or a server the data has not been pushed to
        where = f"its graph <{endpoint.graph}>" if endpoint.graph else "its default graph"
        raise InputError(f"{endpoint.name}: {where} holds no pdkg data (no actors or dependencies)")
    inputs: Sequence[tuple[str, object]] = [("rdf:nt", path)]
    target, report = publish(inputs, root, content_key(inputs, ONTOLOGY), progress)
    dataset = Dataset(target, inputs, report)
    dataset.market = market
    return dataset
