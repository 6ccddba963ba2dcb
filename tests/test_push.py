"""``kg push`` into a real Oxigraph server on 127.0.0.1: the whole graph replaced at once, or nothing."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .test_endpoint import free_port

KG = str(Path(sys.executable).with_name("kg"))
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
MINI = Path(__file__).resolve().parent / "data" / "mini"
GRAPH = "https://w3id.org/pdkg/graph"
PD = "https://w3id.org/pdkg/ontology#"


def select(base: str, text: str) -> list[list[str]]:
    request = urllib.request.Request(
        f"{base}/query",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return list(csv.reader(io.StringIO(response.read().decode())))[1:]


def graphs(base: str) -> dict[str, int]:
    rows = select(base, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {g: int(n) for g, n in rows}


@pytest.fixture
def server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            graphs(base)
            break
        except OSError:
            assert time.monotonic() < deadline, "the Oxigraph server did not start"
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)


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


class _Silent:
    """A server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        import socket
        import threading

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.held: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.listener.close()


def test_a_server_that_never_answers_times_out_in_one_line():
    silent = _Silent()
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
