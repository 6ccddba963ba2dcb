"""``kg serve``: a real Oxigraph server on 127.0.0.1 answers the shipped queries as ``kg query`` does."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.queries import read_query

from .servers import free_port

KG = str(Path(sys.executable).with_name("kg"))


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def ask(url: str, text: str, accept: str = "text/csv") -> str:
    request = urllib.request.Request(
        url, data=text.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = subprocess.Popen(
        [KG, "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True, env={**os.environ}
    )
    line = process.stderr.readline()  # printed once the server answers
    assert "SPARQL endpoint (read-only): http://127.0.0.1:" in line, line
    yield f"http://127.0.0.1:{port}/query", port, process
    process.terminate()
    process.wait(10)


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


def test_a_port_in_use_is_a_one_line_error(server):
    _, port, _ = server
    result = subprocess.run([KG, "serve", "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_stopping_kg_serve_stops_the_server():
    port = free_port()
    process = subprocess.Popen([KG, "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True)
    assert "SPARQL endpoint" in process.stderr.readline()
    assert not port_is_free(port)
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    deadline = time.monotonic() + 10
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert port_is_free(port)  # the Oxigraph server went with it


def test_a_killed_kg_serve_takes_the_server_with_it():
    port = free_port()
    process = subprocess.Popen([KG, "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True)
    assert "SPARQL endpoint" in process.stderr.readline()
    process.kill()  # SIGKILL: no handler runs in kg serve
    process.wait(10)
    deadline = time.monotonic() + 10
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert port_is_free(port)
