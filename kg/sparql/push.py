"""``kg push``: upload the ontology and the data into a named graph of a SPARQL server, all or nothing.

The triples go, in chunks, into a fresh temporary graph with the SPARQL 1.1 Graph Store Protocol
(``POST ?graph=...``, N-Triples); only when every chunk is in does one SPARQL Update (``MOVE``) put the
temporary graph in place of the target, so readers see the old graph or the new one, never a part. A
failure removes the temporary graph (best effort) and leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import InputError
from kg.sparql.client import send

__all__ = ["DEFAULT_GRAPH", "PushReport", "push"]

#: The named graph ``kg push`` writes to unless told otherwise.
DEFAULT_GRAPH = "https://w3id.org/pdkg/graph"
#: Bytes of N-Triples per Graph Store Protocol request (about 200,000 triples).
CHUNK_BYTES = 32 * 1024 * 1024
#: Seconds to wait for the swap (one transaction as big as the graph: measured on an Oxigraph server,
#: 20 s for 150,000 triples).
SWAP_TIMEOUT = 3600


@dataclass
class PushReport:
    """What a push did."""

    graph: str
    triples: int
    requests: int


def push(
    dataset,
    *,
    store_url: str,
    update_url: str,
    graph: str = DEFAULT_GRAPH,
    timeout: float = 60,
    headers: dict[str, str] | None = None,
    bulk: bool = False,
    swap_timeout: float = SWAP_TIMEOUT,
    progress=None,
    stopped=None,
    query_url: str | None = None,
) -> PushReport:
    """Upload ``dataset`` (its data and the ontology) into ``graph`` at a SPARQL server: the Graph Store
    Protocol endpoint ``store_url`` and the SPARQL Update endpoint ``update_url``.

    ``headers`` are added to every request (for example ``Authorization``); a server that asks for
    credentials gets those of ``~/.netrc`` (HTTP basic or digest authentication). ``bulk`` asks an Oxigraph
    server to load each chunk without a transaction and without validating it again (its
    ``no_transaction`` and ``lenient`` parameters: 2.3 times faster, measured; safe here, since the
    chunks go into a temporary graph no reader uses, written by our own store). Raises
    :class:`~kg.errors.InputError` naming the endpoint when the server is unreachable, does not answer
    within ``timeout`` seconds (``swap_timeout`` for the final ``MOVE``), or refuses a request; the
    target graph is then unchanged (unless the server goes on to finish a swap it did not answer in time).
    ``stopped()``, asked before each request, ends the upload with :class:`KeyboardInterrupt` between
    requests, once the server has answered the last one (a request cut off midway may still be loading
    on the server, and would refill the temporary graph after its removal).

    The temporary graph is named ``GRAPH-upload-HOST-PID-RANDOM``. With ``query_url`` (the server's
    SPARQL query endpoint), the target graph is counted after the swap: a server that answered every
    request with success but stored nothing (a web page at those addresses) is an
    :class:`~kg.errors.InputError`, not a push reported done; and the temporary graphs an earlier push from
    this host left when it was killed (its process is gone) are dropped, before the upload and after the
    swap; no other graph is touched.
    """
    headers = headers or {}
    if not _IRI.fullmatch(graph):
        raise InputError(f"bad graph {graph[:80]!r}: expected an absolute IRI without spaces, quotes or <>")
    if query_url is not None:
        remove_stale_uploads(query_url, update_url, graph, timeout, headers)
    temporary = f"{_upload_prefix(graph)}{os.getpid()}-{uuid.uuid4().hex}"
    sent = requests = 0
    try:
        for chunk, count in _chunks(dataset):
            if stopped is not None and stopped():
                raise KeyboardInterrupt
            target = f"{store_url}?{urllib.parse.urlencode({'graph': temporary})}" + (
                "&no_transaction&lenient" if bulk else ""
            )
            _send(target, chunk, "application/n-triples", timeout, headers)
            sent += count
            requests += 1
            if progress is not None:
                progress("pushing triples", sent, None)
        if stopped is not None and stopped():
            raise KeyboardInterrupt
        _send(update_url, f"MOVE SILENT <{temporary}> TO <{graph}>".encode(), _UPDATE, swap_timeout, headers)
        if query_url is not None:
            _check_stored(dataset, query_url, graph, sent, timeout, headers)
            # again: a killed push's last request may have gone on loading meanwhile
            remove_stale_uploads(query_url, update_url, graph, timeout, headers)
    except BaseException:
        with contextlib.suppress(InputError):  # the first error is the one to report
            _send(update_url, f"DROP SILENT GRAPH <{temporary}>".encode(), _UPDATE, timeout, headers)
        raise
    return PushReport(graph, sent, requests + 1)


_UPDATE = "application/sparql-update"
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+")


def _upload_prefix(graph: str) -> str:
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"
    return f"{graph}-upload-{host}-"


def remove_stale_uploads(query_url: str, update_url: str, graph: str, timeout: float, headers: dict) -> list[str]:
    """Drop the temporary graphs of pushes to ``graph`` from this host whose process is gone; return them.

    Best effort: a server that cannot list its graphs is left as it is."""
    from kg.io.outputs import process_alive
    from kg.sparql.client import RemoteEndpoint

    prefix = _upload_prefix(graph)
    try:
        rows = RemoteEndpoint(query_url, timeout=timeout, headers=headers).select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
        )
    except InputError:
        return []
    removed = []
    for row in rows:
        name = row["g"].value if "g" in row else ""
        rest = name[len(prefix) :] if name.startswith(prefix) else ""
        pid = rest.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)) and _IRI.fullmatch(name):
            with contextlib.suppress(InputError):
                _send(update_url, f"DROP SILENT GRAPH <{name}>".encode(), _UPDATE, timeout, headers)
                removed.append(name)
    return removed


def _check_stored(dataset, query_url: str, graph: str, sent: int, timeout: float, headers: dict) -> None:
    """Count the triples of ``graph`` at the server: at least the distinct triples of the data and the
    ontology (triples in both are one), at most the ``sent`` lines (blank nodes of separate chunks may
    become separate nodes)."""
    from kg.model.namespace import ONTOLOGY_IRI
    from kg.sparql.client import RemoteEndpoint, shown

    distinct = next(
        iter(
            dataset.store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
                f"{{ {{ ?s ?p ?o }} UNION {{ GRAPH <{ONTOLOGY_IRI}> {{ ?s ?p ?o }} }} }} }}"
            )
        )
    )["n"]
    rows = RemoteEndpoint(query_url, timeout=timeout, headers=headers).select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    try:
        stored = int(rows[0]["n"].value)
    except (IndexError, KeyError, ValueError):
        raise InputError(f"{shown(query_url)} did not say how many triples <{graph}> holds") from None
    if not int(distinct.value) <= stored <= sent:
        raise InputError(
            f"{shown(query_url)}: <{graph}> holds {stored:,} triples after the upload of {sent:,}: the server "
            "answered every request as done but did not store them (are --store-url and --update-url its "
            "Graph Store and Update endpoints?)"
        )


def _chunks(dataset) -> Iterator[tuple[bytes, int]]:
    """The N-Triples of the data and the ontology, in chunks of whole lines of about :data:`CHUNK_BYTES`,
    with their triple counts, read in blocks from a temporary file the store dumps into (never the whole
    graph in memory, and no work per line)."""
    import pyoxigraph

    from kg.model.namespace import ONTOLOGY_IRI

    for name in (pyoxigraph.DefaultGraph(), pyoxigraph.NamedNode(str(ONTOLOGY_IRI))):
        with tempfile.TemporaryFile() as dumped:
            dataset.store.dump(dumped, format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=name)
            dumped.seek(0)
            rest = b""
            while block := dumped.read(CHUNK_BYTES):
                block = rest + block
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                if cut:
                    yield block[:cut], block.count(b"\n", 0, cut)
            if rest.strip():
                yield rest + b"\n", 1


def _send(url: str, body: bytes, content_type: str, timeout: float, headers: dict[str, str]) -> None:
    send(url, body, content_type=content_type, timeout=timeout, headers=headers)
