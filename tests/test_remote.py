"""Every read command against a real Oxigraph server on 127.0.0.1 (``--endpoint``): the same answers as
on files, only what the question needs fetched, credentials sent and never shown, faults in one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .servers import Canned, Endless, Guarded, Oxigraph, Silent, Trickle, free_port
from .test_webdep import WEBDEP

pytestmark = [pytest.mark.server]

KG = str(Path(sys.executable).with_name("kg"))
ROOT = Path(__file__).resolve().parent.parent
GRAPH = "https://w3id.org/pdkg/graph"
WEB_GRAPH = "https://example.org/webdep"


#: Runs a command and writes its peak memory (kB) to $KG_PEAK_FILE: ``python -c PEAK_WRAPPER command...``.
PEAK_WRAPPER = (
    "import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:]); _, s, u = os.wait4(p.pid, 0); "
    "open(os.environ['KG_PEAK_FILE'], 'w').write(str(u.ru_maxrss)); sys.exit(os.waitstatus_to_exitcode(s))"
)


def kg(*args: str, env: dict | None = None, timeout: float = 300, wrapper: str | None = None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KG_ENDPOINT") and k != "KG_GRAPH"}
    command = [sys.executable, "-c", wrapper, KG, *args] if wrapper else [KG, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env={**clean, **(env or {})})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An Oxigraph server holding the bundled data (in the graph kg push writes by default) and the web
    measurements (in another graph)."""
    folder = tmp_path_factory.mktemp("remote")
    oxigraph = Oxigraph(folder / "db")
    try:
        assert kg("push", "-q", "--endpoint", oxigraph.base).returncode == 0
        web = folder / "webdep.nt"
        imported = kg("import", "--webdep", str(WEBDEP), "--out", str(web), "--format", "nt", "--no-validate")
        assert imported.returncode == 0, imported.stderr
        pushed = kg("push", "-q", "--data", str(web), "--endpoint", oxigraph.base, "--graph", WEB_GRAPH)
        assert pushed.returncode == 0, pushed.stderr
        yield oxigraph.base, web
    finally:
        oxigraph.stop()


def remote(base: str, graph: str = GRAPH) -> dict:
    return {"KG_ENDPOINT": base, "KG_GRAPH": graph}


def read_count(stderr: str) -> int:
    found = re.search(r"read ([\d,]+) triples from", stderr)
    assert found, stderr
    return int(found.group(1).replace(",", ""))


BUNDLED_COMMANDS = [
    ["stats", "--json"],
    ["rank", "--as-of", "2021-01-07", "--json"],
    ["rank", "--as-of", "2021-01-07", "--service", "hosting"],
    ["spof", "parler", "--as-of", "2021-01-07", "--json"],
    ["cutsets", "Parler", "--as-of", "2021-03-01", "--max-order", "2", "--json"],
    ["impact", "--as-of", "2021-01-07", "--cut", "parler:google-play", "--cut", "parler:apple-app-store", "--json"],
    ["impact", "--as-of", "2021-01-07", "--recorded-until", "2021-01-12", "--platform", "parler"],
    ["impact", "--as-of", "2019-08-04", "--remove", "voxility"],
    ["impact", "--as-of", "2021-01-07", "--owner", "Alphabet", "--json"],
    ["impact", "--as-of", "2021-01-07", "--country", "US", "--json"],
    ["replay", "parler", "--json"],
    ["replay", "--all"],
    ["replay", "tiktok", "--region", "US", "--json"],
    ["impact", "--as-of", "2024-08-29", "--recorded-until", "2024-09-02", "--region", "BR", "--json"],
    ["status", "twitter", "--as-of", "2024-09-01", "--region", "BR", "--json"],
    ["status", "telegram", "--as-of", "2018-05-01", "--region", "RU", "--json"],  # partial supplies
    ["status", "tiktok", "--as-of", "2026-01-27", "--region", "US", "--json"],  # a provider's partial outage
    ["status", "tiktok", "--as-of", "2025-01-19", "--region", "US"],  # its own outage
    ["replay", "sci-hub"],  # additive endpoints
    ["status", "parler", "--as-of", "2021-01-10T23:30-08:00"],
    ["spof", "wikileaks", "--as-of", "2010-12-08"],
    ["show", "Amazon Web Services", "--json"],
    ["show", "parler"],
    ["query", "dependencies-of", "-p", "dependent=Parler", "-p", "asOf=2021-01-07", "--format", "json"],
    ["query", "cut-offs", "--format", "table"],
    ["query", "direct-dependencies", "-p", "asOf=2021-01-07", "--format", "nt"],
    ["validate", "--json"],
    ["export", "--format", "nt"],
    ["spof", "Parlr"],
    ["impact", "--as-of", "2021-01-07", "--cut", "parler:okta:hosting"],
    ["query", "dependents-of", "-p", "provider=nowhere"],
]


@pytest.mark.parametrize("command", BUNDLED_COMMANDS, ids=" ".join)
def test_a_command_answers_from_the_endpoint_as_from_files(server, command):
    base, _ = server
    local = kg(*command, "-q")
    answered = kg(*command, "-q", env=remote(base))
    assert (answered.returncode, answered.stdout, answered.stderr) == (local.returncode, local.stdout, local.stderr)
    assert local.returncode in (0, 2)


@pytest.mark.parametrize(
    "view",
    [
        ["--as-of", "2021-01-07", "--focus", "parler", "--cut", "parler:aws"],
        ["--as-of", "2021-01-07", "--focus", "aws", "--depth", "3"],
        ["--replay", "parler"],  # a replay has no date of its own
        ["--as-of", "2021-01-07"],
        ["--as-of", "2021-01-07", "--format", "svg"],
    ],
    ids=" ".join,
)
def test_a_rendered_page_from_the_endpoint_is_the_same_file(server, tmp_path, view):
    base, _ = server
    local = kg("render", *view, "-q", "--out", str(tmp_path / "local.html"))
    answered = kg("render", *view, "-q", "--out", str(tmp_path / "remote.html"), env=remote(base))
    assert local.returncode == answered.returncode == 0, answered.stderr
    assert (tmp_path / "local.html").read_bytes() == (tmp_path / "remote.html").read_bytes()


def test_the_endpoint_option_and_the_variable_are_the_same(server):
    base, _ = server
    by_option = kg("spof", "parler", "--as-of", "2021-01-07", "-q", "--endpoint", f"{base}/query", "--graph", GRAPH)
    by_variable = kg("spof", "parler", "--as-of", "2021-01-07", "-q", env=remote(base))
    assert by_option.returncode == 0, by_option.stderr
    assert by_option.stdout == by_variable.stdout


WEB_COMMANDS = [
    ["spof", "nytimes.com", "--as-of", "2023-04-30", "--json"],
    ["cutsets", "nytimes.com", "--as-of", "2023-04-30", "--json"],
    ["impact", "--as-of", "2023-04-30", "--cut", "nytimes.com:aws", "--json"],
    ["show", "nytimes.com", "--json"],
]


@pytest.mark.parametrize("command", WEB_COMMANDS, ids=" ".join)
def test_a_question_about_one_site_fetches_a_small_part(server, command):
    """On the real web measurements (152 k triples), a question about one site answers as on the file and
    reads a few percent of the graph (impact also reads every provider of the services it meets)."""
    base, web = server
    local = kg(*command, "--data", str(web), "-q")
    answered = kg(*command, env=remote(base, WEB_GRAPH))
    assert answered.returncode == local.returncode == 0, answered.stderr
    assert answered.stdout == local.stdout
    total = sum(1 for line in web.open(encoding="utf-8") if line.strip())
    assert read_count(answered.stderr) < total * 0.05


def test_a_ranking_of_the_web_measurements_from_the_endpoint(server):
    base, web = server
    command = ["rank", "--as-of", "2023-04-30", "--service", "dns", "--json"]
    local = kg(*command, "--data", str(web), "-q")
    answered = kg(*command, env=remote(base, WEB_GRAPH))
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout) == json.loads(local.stdout)
    assert read_count(answered.stderr) == sum(1 for line in web.open(encoding="utf-8") if line.strip())


def test_small_pages_still_fetch_everything(server):
    """A server that caps its answers is read a page at a time: with pages of 7 rows the records are the
    same as with the default."""
    from kg.sparql.client import RemoteEndpoint
    from kg.store.remote import Scope, open_remote_dataset

    base, _ = server
    scope = Scope(upstream=frozenset({"parler"}))
    paged = open_remote_dataset(RemoteEndpoint(f"{base}/query", GRAPH, page=7), scope).facts
    whole = open_remote_dataset(RemoteEndpoint(f"{base}/query", GRAPH), scope).facts
    assert paged.dependencies == whole.dependencies
    assert paged.entities == whole.entities
    assert "parler-aws-hosting" in paged.dependencies


def test_credentials_are_sent_and_never_shown(server):
    base, _ = server
    secret = "Bearer s3cret-t0ken"
    guarded = Guarded(base, secret)
    try:
        url = f"http://127.0.0.1:{guarded.port}/query"
        refused = kg("spof", "parler", "--as-of", "2021-01-07", "-q", env={"KG_ENDPOINT": url, "KG_GRAPH": GRAPH})
        allowed = kg(
            "spof",
            "parler",
            "--as-of",
            "2021-01-07",
            env={"KG_ENDPOINT": url, "KG_GRAPH": GRAPH, "KG_ENDPOINT_HEADERS": f"Authorization: {secret}"},
        )
    finally:
        guarded.close()
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"Error: {url} refused the request: HTTP 401: authentication required"
    assert allowed.returncode == 0, allowed.stderr
    assert "Parler" in allowed.stdout
    assert "s3cret" not in allowed.stdout + allowed.stderr + refused.stdout + refused.stderr
    assert secret in guarded.seen


def test_netrc_credentials_are_used(server, tmp_path):
    from kg.sparql.client import basic_auth

    base, _ = server
    guarded = Guarded(base, basic_auth("reader", "pa55word")["Authorization"])
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password pa55word\n")
    netrc.chmod(0o600)
    try:
        url = f"http://127.0.0.1:{guarded.port}"
        result = kg("stats", "--json", "-q", env={"KG_ENDPOINT": url, "KG_GRAPH": GRAPH, "NETRC": str(netrc)})
    finally:
        guarded.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entities"] > 0
    assert "pa55word" not in result.stdout + result.stderr


def test_an_unreachable_endpoint_is_one_line():
    url = f"http://127.0.0.1:{free_port()}/query"
    result = kg("stats", env={"KG_ENDPOINT": url})
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {url} is unreachable")
    assert result.stderr.count("\n") == 1


def test_an_endpoint_that_never_answers_times_out_in_one_line():
    import time

    silent = Silent()
    try:
        started = time.monotonic()
        result = kg("spof", "parler", "--endpoint", f"http://127.0.0.1:{silent.port}/query", "--timeout", "2")
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert result.returncode == 2
    assert result.stderr == f"Error: http://127.0.0.1:{silent.port}/query did not answer within 2 s\n"
    assert elapsed < 20


@pytest.mark.parametrize("declared", [None, 10**12], ids=["streamed", "declared-huge"])
def test_an_endless_answer_is_refused_at_the_size_limit(declared, tmp_path):
    """Issue 20.1: a server streaming an endless answer drove kg to 18.6 GB; the answer is read up to
    KG_ENDPOINT_MAX_BYTES and then refused in one line, the memory bounded by it."""
    endless = Endless(declared)
    try:
        url = f"http://127.0.0.1:{endless.port}/huge"
        # The peak of kg alone: started from a small interpreter (a child forked from this big test process
        # would count this process's memory in its own peak, which Linux keeps across exec).
        peak_file = tmp_path / "peak"
        result = kg(
            "stats",
            "--endpoint",
            url,
            "--timeout",
            "60",
            env={"KG_ENDPOINT_MAX_BYTES": "20M", "KG_PEAK_FILE": str(peak_file)},
            timeout=120,
            wrapper=PEAK_WRAPPER,
        )
        peak_kb = int(peak_file.read_text())
    finally:
        endless.close()
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"Error: {url} answered "), result.stderr
    assert result.stderr.rstrip().endswith("bytes allowed (KG_ENDPOINT_MAX_BYTES)"), result.stderr
    assert "20,971,520" in result.stderr
    assert result.stderr.count("\n") == 1
    assert peak_kb < 400 * 1024, f"peak {peak_kb} kB"
    if declared is None:
        assert endless.sent >= 20 * 1024 * 1024


def test_a_bad_size_limit_is_one_line():
    result = kg("stats", "--endpoint", "http://127.0.0.1:9/query", env={"KG_ENDPOINT_MAX_BYTES": "lots"})
    assert result.returncode == 2
    assert result.stderr == "Error: bad KG_ENDPOINT_MAX_BYTES 'lots': expected a number of bytes, e.g. 256M\n"


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_is_stopped_by_the_timeout(where):
    """Issue 20.4: a server sending a byte a second never trips a per-read timeout; --timeout bounds the
    whole exchange."""
    import time

    trickle = Trickle(where, interval=0.5)
    try:
        url = f"http://127.0.0.1:{trickle.port}/query"
        started = time.monotonic()
        result = kg("show", "parler", "--endpoint", url, "--timeout", "3", timeout=120)
        elapsed = time.monotonic() - started
    finally:
        trickle.close()
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"Error: {url} did not answer within 3 s\n"
    assert elapsed < 15


def test_credentials_in_the_endpoint_url_are_used_and_never_looked_up(server):
    """Issue 20.10: http://user:password@host/ was taken whole for the host's name and sent to DNS; the
    credentials are taken off the URL and given when the server asks (basic authentication)."""
    from kg.sparql.client import basic_auth

    base, _ = server
    guarded = Guarded(base, basic_auth("reader", "pa55 word")["Authorization"])
    try:
        url = f"http://reader:pa55%20word@127.0.0.1:{guarded.port}/query"
        result = kg("stats", "--json", "-q", env={"KG_ENDPOINT": url, "KG_GRAPH": GRAPH, "NETRC": "/nonexistent"})
        wrong = kg("stats", "-q", env={"KG_ENDPOINT": url.replace("pa55", "nope"), "KG_GRAPH": GRAPH})
    finally:
        guarded.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entities"] > 0
    assert wrong.returncode == 2
    refused = "refused the request: HTTP 401: authentication required"
    assert wrong.stderr.strip() == f"Error: http://127.0.0.1:{guarded.port}/query {refused}"
    assert "pa55" not in result.stdout + result.stderr + wrong.stderr


@pytest.mark.parametrize(
    ("status", "body", "media_type", "message"),
    [
        (500, b"internal error\nmore", "text/plain", "refused the request: HTTP 500: internal error"),
        (200, b"<html>not sparql</html>", "text/html", "answered something that is not SPARQL JSON results"),
        (
            200,
            b'{"head": {"vars": ["e"]}, "results": {"bindings": [{"e": {"type": "uri"}}]}}',
            "application/json",
            "answered something that is not SPARQL JSON results",
        ),
        (
            200,
            b'{"head": {"vars": ["e"]}, "results": {"bindings": [{"e": {"type": "uri", "value": "not an iri"}}]}}',
            "application/json",
            "answered something that is not SPARQL JSON results",
        ),
    ],
    ids=["server-error", "html", "missing-value", "bad-iri"],
)
def test_a_failing_or_garbled_endpoint_is_one_line(status, body, media_type, message):
    canned = Canned(status, body, media_type)
    try:
        url = f"http://127.0.0.1:{canned.port}/sparql"
        result = kg("cutsets", "parler", env={"KG_ENDPOINT": url})
    finally:
        canned.close()
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"Error: {url} {message}"), result.stderr
    assert result.stderr.count("\n") == 1


def test_files_and_an_endpoint_together_are_refused(server):
    base, _ = server
    result = kg("stats", str(ROOT / "data" / "pdkg-data.ttl"), env=remote(base))
    assert result.returncode == 2
    assert result.stderr == "Error: give data files or --endpoint, not both\n"


def test_a_bad_endpoint_url_is_one_line():
    result = kg("stats", "--endpoint", "ftp://example.org/sparql")
    assert result.returncode == 2
    assert result.stderr == "Error: bad endpoint 'ftp://example.org/sparql': expected an http:// or https:// URL\n"


def test_a_picture_around_one_site_is_the_same_file(server, tmp_path):
    """A picture sizes and colours each provider by all its dependents: those are fetched too."""
    base, web = server
    view = ["render", "--focus", "nytimes.com", "--depth", "1", "--as-of", "2023-04-30", "-q", "--out"]
    local = kg(*view, str(tmp_path / "local.html"), "--data", str(web))
    answered = kg(*view, str(tmp_path / "remote.html"), env=remote(base, WEB_GRAPH))
    assert local.returncode == answered.returncode == 0, answered.stderr
    assert (tmp_path / "local.html").read_bytes() == (tmp_path / "remote.html").read_bytes()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso server (a second implementation) into which kg push has put the bundled data and the
    ontology, through Virtuoso's authenticated Graph Store and Update endpoints (HTTP digest
    authentication, with the credentials of a netrc file)."""
    from .servers import Virtuoso

    folder = tmp_path_factory.mktemp("virtuoso")
    server = Virtuoso(folder / "db")
    netrc = folder / "netrc"
    netrc.write_text("machine 127.0.0.1 login dba password dba\n")
    netrc.chmod(0o600)
    base = server.url.removesuffix("/sparql")
    push = ["push", "--endpoint", server.url, "--store-url", f"{base}/sparql-graph-crud-auth"]
    push += ["--update-url", f"{base}/sparql-auth"]
    try:
        refused = kg(*push, "-q")
        pushed = kg(*push, "-q", env={"NETRC": str(netrc)})
        assert pushed.returncode == 0, pushed.stderr
        yield server.url, refused
    finally:
        server.stop()


def test_kg_push_into_virtuoso_needs_its_credentials(virtuoso):
    _, refused = virtuoso
    assert refused.returncode == 2
    assert refused.stderr.startswith("Error: http://127.0.0.1:") and "refused the request: HTTP 401" in refused.stderr
    assert refused.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "command",
    [
        ["stats", "--json"],
        ["rank", "--as-of", "2021-01-07", "--json"],
        ["spof", "parler", "--as-of", "2021-01-07", "--json"],
        ["cutsets", "Parler", "--as-of", "2021-03-01", "--json"],
        ["impact", "--as-of", "2021-01-07", "--recorded-until", "2021-01-12", "--json"],
        ["impact", "--as-of", "2021-01-07", "--owner", "Alphabet"],
        ["replay", "--all"],
        ["show", "aws"],
        ["query", "timeline", "-p", "platform=parler", "--format", "json"],
        ["spof", "Parlr"],
    ],
    ids=" ".join,
)
def test_a_command_answers_from_virtuoso_as_from_files(virtuoso, command):
    local = kg(*command, "-q")
    answered = kg(*command, "-q", env={"KG_ENDPOINT": virtuoso[0], "KG_GRAPH": GRAPH})
    assert (answered.returncode, answered.stdout, answered.stderr) == (local.returncode, local.stdout, local.stderr)


def test_a_capped_virtuoso_is_read_a_page_at_a_time(tmp_path):
    """Virtuoso cuts every answer at ResultSetMaxRows (here 50) without saying so; with KG_ENDPOINT_PAGE
    at the cap, the whole graph still comes out as from files."""
    from kg.sparql.client import RemoteEndpoint

    from .servers import Virtuoso

    everything = tmp_path / "pdkg.nt"
    assert kg("export", "--with-ontology", "--format", "nt", "--out", str(everything)).returncode == 0
    server = Virtuoso(tmp_path / "db", max_rows=50)
    try:
        server.load(everything, GRAPH)
        assert len(RemoteEndpoint(server.url, GRAPH).select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")) == 50
        env = {"KG_ENDPOINT": server.url, "KG_GRAPH": GRAPH, "KG_ENDPOINT_PAGE": "50"}
        answers = [kg(*command, "-q", env=env) for command in (["stats", "--json"], ["rank", "--json"])]
        bad_page = kg("stats", env={**env, "KG_ENDPOINT_PAGE": "many"})
    finally:
        server.stop()
    assert [a.stdout for a in answers] == [kg("stats", "--json", "-q").stdout, kg("rank", "--json", "-q").stdout]
    assert bad_page.returncode == 2
    assert bad_page.stderr == "Error: bad KG_ENDPOINT_PAGE 'many': expected a number of rows, e.g. 10000\n"


def test_a_graph_without_data_is_one_line_not_an_empty_answer(server):
    base, _ = server
    result = kg("rank", "--json", env=remote(base, "https://example.org/no-such-graph"))
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: {base}/query: its graph <https://example.org/no-such-graph> holds no pdkg data "
        "(no actors or dependencies)\n"
    )
