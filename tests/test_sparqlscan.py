"""kg.sparql.scan: no text that makes Oxigraph call another server passes as one that does not (issue 20,
item 2), and the queries people write are not refused for naming a service."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.sparql.scan import calls_another_server, update_keyword

QUERIES = Path(__file__).resolve().parent.parent / "queries"
T = "http://127.0.0.1:9/sparql"

CALLS = [
    f"SELECT * WHERE {{ SERVICE <{T}> {{ ?s ?p ?o }} }}",
    "select * where { service silent ?x { ?s ?p ?o } }",
    f"SELECT * WHERE {{ SERVICE<{T}>{{?s ?p ?o}} }}",
    f"SELECT * WHERE {{ ?x ?y 1SERVICE<{T}>{{ ?s ?p ?o }} }}",  # Oxigraph needs no space after a token
    f"SELECT * WHERE {{ ?x ?y trueSERVICE<{T}>{{ ?s ?p ?o }} }}",
    "SELECT * WHERE { FILTER(true)SERVICE ?x { } }",
    f"PREFIX : <{T}> SELECT * WHERE {{ FILTER(true) service:x {{ ?s ?p ?o }} }}",  # keyword, then :x
    # a prefixed name whose IRI fails is read again as shorter tokens: ex: 1 SERVICE
    f"PREFIX ex: <http://h:> SELECT * WHERE {{ ?x ex:1SERVICE<{T}>{{ ?s ?p ?o }} }}",
    f"PREFIX s: <http://h:> PREFIX as: <http://x/> SELECT * {{ ?x as:1SERVICE<{T}>{{ ?s ?p ?o }} }}",
    # `<` compares here: what looks like an IRI, a comment or a string after it is code
    f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE#>\n<{T}>{{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ FILTER(?a<'x>')SERVICE<{T}>{{ ?s ?p ?o }}#'\n}}",
    f"SELECT * WHERE {{ FILTER(?a < ?b && EXISTS {{ SERVICE <{T}> {{ }} }}) }}",
    f"SELECT * WHERE {{ SERVI\\u0043E <{T}> {{ ?s ?p ?o }} }}",  # for a parser that unescapes first
]

QUIET = [
    'SELECT ?service WHERE { ?d ?p ?service FILTER(?service != "SERVICE <http://x/> {}") } # a SERVICE call',
    "PREFIX pd: <https://w3id.org/pdkg/ontology#> SELECT * WHERE { ?d pd:service ?s ; a pd:Service. }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * WHERE { ?x a sd:Service }",
    "SELECT * WHERE { ?d <https://w3id.org/pdkg/ontology#service> <https://w3id.org/pdkg/id/service/dns> }",
    "SELECT * WHERE { VALUES ?s { <http://e/service#a> <http://e/service/b> } ?s ?p ?o FILTER(?o < 3) }",
    "SELECT * WHERE { ?s ?p '''it's a service''' . _:service ?p $service }",
]


@pytest.mark.parametrize("text", CALLS)
def test_every_reading_oxigraph_may_make_is_followed(text):
    assert calls_another_server(text)


@pytest.mark.parametrize("text", QUIET)
def test_a_service_named_in_data_is_not_a_call(text):
    assert not calls_another_server(text)


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_no_shipped_query_is_refused(path):
    text = path.read_text(encoding="utf-8")
    assert not calls_another_server(text) and update_keyword(text) is None


def test_updates_are_recognised_past_the_prologue():
    assert update_keyword("BASE <http://e/> PREFIX e: <x#> # note\nDELETE WHERE { ?s ?p ?o }") == "DELETE"
    assert update_keyword("CLEAR ALL") == "CLEAR"
    assert update_keyword("PREFIX insert: <http://e/> SELECT * { ?s insert:x ?o }") is None


class Listener:
    """A socket on 127.0.0.1 counting the connections Oxigraph's parser and evaluator make to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        self.count = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            connection, _ = self.socket.accept()
            self.count += 1
            connection.close()


LISTENER = Listener()
SEEDS = [
    "SELECT * WHERE { ?s ?p ?o SERVICE <T> {?a ?b ?c} }",
    "SELECT * WHERE { ?s ?p ?o . FILTER(?s<?p) SERVICE <T> {?a ?b ?c} }",
    "PREFIX ex: <http://h:> SELECT * WHERE { ?s ex: 1 SERVICE <T> {?a ?b ?c} }",
    "PREFIX : <T> SELECT * WHERE { ?s ?p ?o FILTER(true) SERVICE :x {?a ?b ?c} }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?s < 'x>') SERVICE <T> {?a ?b ?c} }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <T> {?a ?b ?c} } }",
    "SELECT * WHERE { ?s ?p true SERVICE <T> {?a ?b ?c} }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <T> {?a ?b ?c} } }",
]
PIECES = [" ", "\n", "#>\n", "#c\n", "'", '"', "<", ">", "(", ")", "{", "}", "true", "1", ".", "a", "ex:", ":", "?"]
EDIT = st.tuples(st.integers(0, 2), st.floats(0, 1), st.sampled_from(PIECES))


def edited(seed: str, edits) -> str:
    text = seed.replace("<T>", f"<{LISTENER.url}>")
    for kind, where, piece in edits:
        at = int(where * len(text))
        if kind == 0 and " " in text[at:]:  # drop a space
            at = text.index(" ", at)
            text = text[:at] + text[at + 1 :]
        elif kind == 1:
            text = text[:at] + piece + text[at:]
        elif at < len(text):
            text = text[:at] + text[at].swapcase() + text[at + 1 :]
    return text


@pytest.mark.fuzz
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(EDIT, min_size=1, max_size=4))
def test_whenever_oxigraph_calls_a_server_the_scan_says_so(seed, edits):
    """Oxigraph itself (pyoxigraph, the same parser as the server) is the judge: texts close to a call,
    with spaces dropped, characters added and case changed; any that makes it connect is found."""
    text = edited(seed, edits)
    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(*(pyoxigraph.NamedNode(f"http://e/{n}") for n in "spo")))
    before = LISTENER.count
    try:
        for _ in store.query(text):
            pass
        if "silent" not in text.lower():
            return  # a call would have failed the query: the listener hangs up
    except SyntaxError:
        return
    except Exception:  # a failed call, or some other error
        pass
    deadline = time.monotonic() + 0.1
    while LISTENER.count == before and time.monotonic() < deadline:
        time.sleep(0.002)
    if LISTENER.count > before:
        assert calls_another_server(text), text
