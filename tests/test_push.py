"""``kg push`` into a real Oxigraph server on 127.0.0.1: the whole graph replaced at once, or nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from .servers import Oxigraph, Silent, free_port, select

pytestmark = [pytest.mark.server]

KG = str(Path(sys.executable).with_name("kg"))
MINI = Path(__file__).resolve().parent / "data" / "mini"
GRAPH = "https://w3id.org/pdkg/graph"
PD = "https://w3id.org/pdkg/ontology#"


def graphs(base: str) -> dict[str, int]:
    """The server's named graphs and their sizes, read from a JSON answer (bindings by name: a CSV row that
    did not split into two cells was once seen while a killed push's upload was still being loaded)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{base}/query",
        data=b"SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
    try:
        rows = json.loads(body)["results"]["bindings"]
        return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    except (ValueError, KeyError) as error:
        raise AssertionError(f"unreadable answer from {base}: {error}: {body[:2000]!r}") from error


@pytest.fixture
def server(tmp_path):
    oxigraph = Oxigraph(tmp_path / "db")
    yield oxigraph.base
    oxigraph.stop()


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120)


def triples(*data: str) -> int:
    """Data plus ontology triples of a dataset, as the store holds them."""
    from kg.store.dataset import open_dataset

    dataset = open_dataset(list(data) or None)
    return len(dataset.store)


def test_push_then_replace_the_graph(server):
    first = kg("push", "--endpoint", server)
    assert first.returncode == 0, first.stderr
    assert graphs(server) == {GRAPH: triples()}
    second = kg("push", "--data", str(MINI), "--endpoint", server)
    assert second.returncode == 0, second.stderr
    assert graphs(server) == {GRAPH: triples(str(MINI))}  # replaced, and no upload graph left behind
    providers = select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?d <{PD}provider> ?p }} }}")
    assert int(providers[0][0]) == len((MINI / "dependencies.csv").read_text().strip().splitlines()) - 1


def test_a_graph_that_would_change_the_update_is_refused(server):
    assert kg("push", "--endpoint", server).returncode == 0
    before = graphs(server)
    result = kg("push", "--endpoint", server, "--graph", "https://x.example/g> ; DROP ALL ; #")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: bad graph 'https://x.example/g> ; DROP ALL ; #'")
    assert graphs(server) == before


def test_a_refused_update_leaves_the_graph_as_it_was(server):
    assert kg("push", "--endpoint", server).returncode == 0
    before = graphs(server)
    result = kg("push", "--data", str(MINI), "--endpoint", server, "--update-url", f"{server}/nowhere")
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"Error: {server}/nowhere refused")
    assert graphs(server)[GRAPH] == before[GRAPH]


def test_an_unreachable_endpoint_is_one_line():
    port = free_port()
    result = kg("push", "--endpoint", f"http://127.0.0.1:{port}", "--timeout", "5")
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"Error: http://127.0.0.1:{port}/store is unreachable")
    assert result.stderr.count("\n") == 1


def test_a_server_that_never_answers_times_out_in_one_line():
    silent = Silent()
    try:
        started = time.monotonic()
        result = kg("push", "--endpoint", f"http://127.0.0.1:{silent.port}", "--timeout", "2")
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: http://127.0.0.1:{silent.port}/store did not answer within 2 s"
    assert elapsed < 30  # the upload's request and the clean-up's, two seconds each, plus start-up


def test_a_server_error_is_one_line_and_names_the_endpoint():
    import http.server
    import threading

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))  # as a server does before it answers
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"internal error\nsecond line")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = kg("push", "--endpoint", f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
    assert result.returncode == 2
    message = result.stderr.strip()
    assert (
        message == f"Error: http://127.0.0.1:{server.server_port}/store refused the request: HTTP 500: internal error"
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A generated dataset of 60,000 dependencies (several chunks of upload), loaded into the store cache."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate

    folder = tmp_path_factory.mktemp("big")
    generate(60_000, folder)
    assert kg("load", "-q", str(folder)).returncode == 0
    return folder


def _upload_graphs(base: str) -> set[str]:
    return {g for g in graphs(base) if "-upload-" in g}


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_push_killed_midway_leaves_the_graph_as_it_was(server, big, signal_name):
    """Stopped while its chunks go up, kg push leaves readers the previous graph: stopped by SIGTERM or
    Ctrl-C it also removes its temporary graph; killed outright, that graph is all it leaves."""
    import signal

    assert kg("push", "--endpoint", server).returncode == 0
    before = graphs(server)[GRAPH]
    process = subprocess.Popen(
        [KG, "push", "-q", "--data", str(big), "--endpoint", server], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not _upload_graphs(server):  # the upload has begun
        assert process.poll() is None and time.monotonic() < deadline, "the push ended before it could be stopped"
        time.sleep(0.05)
    process.send_signal(getattr(signal, signal_name))
    code = process.wait(60)
    assert graphs(server)[GRAPH] == before
    if signal_name == "SIGKILL":
        assert code == -signal.SIGKILL
        assert len(_upload_graphs(server)) == 1
        # The next push removes what the killed one left (its process is gone), and nothing else, once the
        # server has finished loading the request the killed push had under way.
        counts = [graphs(server)]
        while len(counts) < 3 or counts[-1] != counts[-3]:
            time.sleep(0.5)
            counts.append(graphs(server))
        assert kg("push", "--endpoint", server).returncode == 0
        assert _upload_graphs(server) == set()
    else:
        assert code == 130
        assert _upload_graphs(server) == set()
        assert process.stderr.read() == f"Error: stopped; <{GRAPH}> at {server}/update is as it was\n"


@pytest.mark.parametrize(
    ("body", "media_type", "said"),
    [
        (b"<html><body>Welcome</body></html>", "text/html", "answered something that is not SPARQL JSON results"),
        (
            b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "0", '
            b'"datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}',
            "application/sparql-results+json",
            "holds 0 triples after the upload of",
        ),
    ],
    ids=["html-everywhere", "stored-nothing"],
)
def test_a_server_that_stores_nothing_is_not_a_push_done(body, media_type, said):
    """Issue 20.10: kg push reported success to a server that answers every request with an HTML page."""
    from .servers import Canned

    canned = Canned(200, body, media_type)
    try:
        result = kg("push", "--data", str(MINI), "--endpoint", f"http://127.0.0.1:{canned.port}", "-q")
    finally:
        canned.close()
    assert result.returncode == 2, result.stderr
    assert said in result.stderr
    assert result.stderr.startswith(f"Error: http://127.0.0.1:{canned.port}/query")
    assert result.stderr.count("\n") == 1
    assert "pushed" not in result.stderr
