"""``kg serve``: real servers on 127.0.0.1 answer the shipped queries as ``kg query`` does and as Oxigraph
itself does, byte for byte; refuse SERVICE and updates before anything runs; and stop a query that
passes its time limit or whose client leaves, by killing the process running it (issue 20, items 2, 3)."""

from __future__ import annotations

import csv
import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.sparql.queries import read_query

from .servers import OXIGRAPH, free_port

pytestmark = [pytest.mark.server]

KG = str(Path(sys.executable).with_name("kg"))
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # minutes of CPU here
TICKS = os.sysconf("SC_CLK_TCK")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def ask(url: str, text: str, accept: str = "text/csv", timeout: float = 30) -> str:
    request = urllib.request.Request(
        url, data=text.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode("utf-8")


def exchange(request: urllib.request.Request, timeout: float = 30) -> tuple[int, str, bytes]:
    """Status, media type and body of an answer, errors included."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _as_in_the_foreground() -> None:
    """Ctrl-C at a terminal reaches a foreground process, whose SIGINT is not ignored; a test run started in
    the background of a script (``nohup pytest &``) would hand its children an ignored SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_kg_serve(*options: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [KG, "serve", "--port", str(port), *options], stderr=subprocess.PIPE, text=True,
        preexec_fn=_as_in_the_foreground,
    )  # fmt: skip
    line = process.stderr.readline()  # printed once the endpoint answers
    if "SPARQL endpoint (read-only): http://127.0.0.1:" not in line:
        process.kill()
        raise AssertionError(line + process.stderr.read())
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(10)


def children(pid: int) -> dict[int, tuple[str, float]]:
    """The processes ``pid`` started: their command line and the CPU seconds they have used."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found[int(entry.name)] = (command, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def cpu_used(pid: int, seconds: float) -> float:
    """CPU seconds all of ``pid``'s children use over the next ``seconds``."""
    before = children(pid)
    time.sleep(seconds)
    after = children(pid)
    return sum(cpu - before.get(child, ("", 0.0))[1] for child, (_, cpu) in after.items())


def busiest_child(pid: int) -> int:
    before = children(pid)
    time.sleep(0.5)
    after = children(pid)
    return max(after, key=lambda child: after[child][1] - before.get(child, ("", 0.0))[1])


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class Target:
    """A listening socket on 127.0.0.1 that counts the connections it gets: where a SERVICE call would go.
    Each connection is answered with an empty SPARQL result, so that an allowed call completes."""

    RESULTS = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
    ANSWER = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n"
        + f"Content-Length: {len(RESULTS)}\r\n\r\n".encode()
        + RESULTS
    )

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            connection.settimeout(2)
            try:
                connection.recv(65536)
                connection.sendall(self.ANSWER)
            except OSError:
                pass
            connection.close()


@pytest.fixture(scope="module")
def server():
    process, port = start_kg_serve()
    yield f"http://127.0.0.1:{port}/query", port, process
    stop(process)


@pytest.fixture(scope="module")
def oxigraph(server):
    """Oxigraph's own server, read-only over the store kg serve serves: the answers to compare with."""
    _, _, kg_serve = server
    command = next(iter(children(kg_serve.pid).values()))[0].split()
    location = command[command.index("--location") + 1]
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", location, "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    assert wait_until(lambda: not port_is_free(port), 30)
    yield base
    process.kill()
    process.wait()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", ["cut-offs", "dependencies-by-service", "unsourced-facts"])
def test_the_endpoint_answers_shipped_queries_as_kg_query(server, name):
    url, _, _ = server
    expected = subprocess.run([KG, "query", name], capture_output=True, text=True, check=True).stdout
    assert rows(ask(url, read_query(name).text)) == rows(expected)
    assert len(rows(expected)) > 1 or name == "unsourced-facts"  # the bundled data cites a source for everything


def test_the_endpoint_takes_the_parameter_line_written_out(server):
    url, _, _ = server
    text = (
        read_query("dependencies-of")
        .text.replace("VALUES ?dependent { UNDEF }", "VALUES ?dependent { <https://w3id.org/pdkg/id/entity/parler> }")
        .replace("VALUES ?asOf { UNDEF }", 'VALUES ?asOf { "2021-01-07"^^<http://www.w3.org/2001/XMLSchema#date> }')
    )
    expected = subprocess.run(
        [KG, "query", "dependencies-of", "-p", "dependent=parler", "-p", "asOf=2021-01-07"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert rows(ask(url, text)) == rows(expected) and len(rows(expected)) == 7


ANSWERS = [
    ("cut-offs", "application/sparql-results+json"),
    ("cut-offs", "text/csv"),
    ("cut-offs", "text/tab-separated-values"),
    ("cut-offs", "application/sparql-results+xml"),
    ("direct-dependencies", "text/turtle"),
    ("direct-dependencies", "application/n-triples"),
    ("ASK { ?s ?p ?o }", "application/sparql-results+json"),
    ("ASK { ?s ?p ?o }", "*/*"),
]


@pytest.mark.parametrize(("query", "accept"), ANSWERS)
@pytest.mark.parametrize("encoding", ["post", "get", "form"])
def test_answers_are_oxigraphs_byte_for_byte(server, oxigraph, query, accept, encoding):
    """Content negotiation is Oxigraph's, and the answer is passed on unchanged, however the query came."""
    url, _, _ = server
    text = query if query.startswith("ASK") else read_query(query).text
    request = urllib.request.Request(
        f"{oxigraph}/query", data=text.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept}
    )
    expected = exchange(request)
    assert expected[0] == 200 and len(expected[2]) > 10
    if encoding == "post":
        ours = urllib.request.Request(url, data=text.encode(), headers={"Content-Type": "application/sparql-query"})
    elif encoding == "get":
        ours = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': text})}")
    else:
        ours = urllib.request.Request(url, data=urllib.parse.urlencode({"query": text}).encode())
    ours.add_header("Accept", accept)
    assert exchange(ours) == expected


def test_a_long_answer_is_passed_on_as_it_comes(server, oxigraph):
    """Past 1 MiB an answer is not held back; it arrives whole, the same bytes as Oxigraph's."""
    url, _, _ = server
    text = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 20000"
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    expected = exchange(urllib.request.Request(f"{oxigraph}/query", data=text.encode(), headers=headers))
    assert len(expected[2]) > 4 << 20
    assert exchange(urllib.request.Request(url, data=text.encode(), headers=headers)) == expected


@pytest.mark.parametrize("path", ["/", "/yasgui.min.js", "/store?default", "/query?query=ASK%7B%7D&format=x"])
def test_pages_and_graph_store_reads_are_oxigraphs(server, oxigraph, path):
    _, port, _ = server
    accept = {"Accept": "application/n-triples"} if path.startswith("/store") else {}
    expected = exchange(urllib.request.Request(f"{oxigraph}{path}", headers=accept))
    assert expected[0] == 200 and len(expected[2]) > 10
    assert exchange(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=accept)) == expected


def test_the_endpoint_is_read_only(server):
    url, _, _ = server
    request = urllib.request.Request(
        url.replace("/query", "/update"),
        data=b"INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
    assert (
        ask(url, "ASK { <http://e/a> <http://e/b> <http://e/c> }", "application/sparql-results+json").find("false") > 0
    )


def test_an_update_sent_as_a_query_or_to_sparql_is_refused(server):
    url, port, _ = server
    update = "PREFIX e: <http://e/> INSERT DATA { e:a e:b e:c }"
    request = urllib.request.Request(url, data=update.encode(), headers={"Content-Type": "application/sparql-query"})
    assert exchange(request) == (
        400,
        "text/plain; charset=utf-8",
        b"A SPARQL update (INSERT) was sent as a query; this endpoint is read-only",
    )
    form = urllib.request.Request(
        f"http://127.0.0.1:{port}/sparql", data=urllib.parse.urlencode({"update": update}).encode()
    )
    assert exchange(form)[:3:2] == (403, b"The server is read-only")


def test_a_port_in_use_is_a_one_line_error(server):
    _, port, _ = server
    result = subprocess.run([KG, "serve", "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"


# -- SERVICE (issue 20, item 2)

SERVICE_CALLS = [
    "SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z . ?x ?y trueSERVICE<{target}>{{ ?s ?p ?o }} }}",  # no space needed
    "SELECT * WHERE {{ ?x ?y ?z FILTER(?x<?y)SERVICE#>\n<{target}> {{ ?s ?p ?o }} }}",  # `<...>` not an IRI
    "SELECT * WHERE {{ ?x ?y ?z FILTER(?z<'x>')SERVICE<{target}>{{ ?s ?p ?o }}#'\n}}",  # nor a string after it
]


@pytest.mark.parametrize("template", SERVICE_CALLS)
@pytest.mark.parametrize("encoding", ["post", "get", "form", "sparql-path"])
def test_service_is_refused_before_anything_runs(server, template, encoding):
    """Issue 20, item 2: a query to kg serve made it call any server (a web page's form POST could);
    it is refused with HTTP 400, and the server it names gets no connection."""
    url, port, _ = server
    target = Target()
    text = template.format(target=target.url)
    data = urllib.parse.urlencode({"query": text})
    request = {
        "post": urllib.request.Request(url, data=text.encode(), headers={"Content-Type": "application/sparql-query"}),
        "get": urllib.request.Request(f"{url}?{data}"),
        "form": urllib.request.Request(url, data=data.encode()),
        "sparql-path": urllib.request.Request(f"http://127.0.0.1:{port}/sparql", data=data.encode()),
    }[encoding]
    status, kind, body = exchange(request)
    assert (status, kind) == (400, "text/plain; charset=utf-8")
    assert (
        body
        == b"The query calls another server (SERVICE), which this endpoint refuses (kg serve --allow-service allows it)"
    )
    time.sleep(0.5)
    assert target.connections == 0


def test_service_is_documented_in_the_help():
    result = subprocess.run([KG, "serve", "--help"], capture_output=True, text=True, check=True)
    assert "--allow-service" in result.stdout and "SERVICE" in result.stdout


@pytest.fixture(scope="module")
def federating():
    process, port = start_kg_serve("--allow-service")
    yield f"http://127.0.0.1:{port}/query"
    stop(process)


def test_allow_service_forwards_the_call(federating):
    target = Target()
    text = f"SELECT * WHERE {{ SERVICE <{target.url}> {{ ?s ?p ?o }} }}"
    status, _, body = exchange(
        urllib.request.Request(federating, data=text.encode(), headers={"Content-Type": "application/sparql-query"})
    )
    assert target.connections == 1
    assert status == 200, body


# -- time limit and departed clients (issue 20, item 3)


@pytest.fixture(scope="module")
def limited():
    process, port = start_kg_serve("--timeout", "3", "--workers", "2")
    yield f"http://127.0.0.1:{port}/query", process
    stop(process)


def test_a_query_past_the_time_limit_is_stopped(limited):
    """Issue 20, item 3: with --timeout 3 this query ran past 60 s; now its process is killed at 3 s, the
    client gets HTTP 503 with the reason, no CPU goes on being spent, and the next query is answered."""
    url, kg_serve = limited
    assert wait_until(lambda: len(children(kg_serve.pid)) == 2, 10)
    before = set(children(kg_serve.pid))
    started = time.monotonic()
    request = urllib.request.Request(
        url, data=CROSS_PRODUCT.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    status, kind, body = exchange(request, timeout=30)
    took = time.monotonic() - started
    assert (status, kind) == (503, "text/plain; charset=utf-8")
    assert (
        body == b"The query ran longer than 3 s, the time limit of this endpoint (kg serve --timeout), and was stopped"
    )
    assert 3 <= took < 5, took
    killed = before - set(children(kg_serve.pid))
    assert len(killed) == 1 and not alive(killed.pop())
    assert wait_until(lambda: len(children(kg_serve.pid)) == 2, 10)  # a new one took its place
    assert cpu_used(kg_serve.pid, 1.0) < 0.3
    assert ask(url, "ASK { ?s ?p ?o }", "application/sparql-results+json").find("true") > 0


def test_a_long_answer_past_the_time_limit_is_cut_off(limited):
    """An answer that was already being passed on when the limit came ends early: the client cannot
    take it for a whole one, and the process making it is killed."""
    url, kg_serve = limited
    text = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f }"  # rows without end, as fast as they go
    request = urllib.request.Request(url, data=text.encode(), headers={"Content-Type": "application/sparql-query"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead):
            while response.read(1 << 20):
                pass
    assert 3 <= time.monotonic() - started < 5
    assert wait_until(lambda: len(children(kg_serve.pid)) == 2, 10)
    assert cpu_used(kg_serve.pid, 1.0) < 0.3


def test_a_client_that_leaves_has_its_query_stopped(server):
    """Issue 20, item 3: a query went on burning CPU after its client had gone. With the default limit
    (60 s), the process running it is killed as soon as the client closes its connection."""
    url, port, kg_serve = server
    client = socket.create_connection(("127.0.0.1", port))
    body = CROSS_PRODUCT.encode()
    client.sendall(
        b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    time.sleep(1.0)
    busy = busiest_child(kg_serve.pid)
    assert children(kg_serve.pid)[busy][1] > 0.2  # it is running the query
    client.close()
    assert wait_until(lambda: not alive(busy), 3)
    assert wait_until(lambda: len(children(kg_serve.pid)) >= 2, 10)
    assert cpu_used(kg_serve.pid, 1.0) < 0.3
    assert ask(url, "ASK { ?s ?p ?o }", "application/sparql-results+json").find("true") > 0


# -- stopping


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["term", "ctrl-c", "kill"])
def test_stopping_kg_serve_stops_every_backend(how):
    """However kg serve ends (SIGKILL included: no handler runs), no Oxigraph process outlives it."""
    process, port = start_kg_serve()
    try:
        backends = set(children(process.pid))
        assert len(backends) >= 2 and not port_is_free(port)
        process.send_signal(how)
        process.wait(10)
        assert wait_until(lambda: port_is_free(port), 10)
        assert wait_until(lambda: not any(alive(pid) for pid in backends), 10)
    finally:
        process.kill()
        process.wait()
