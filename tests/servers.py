"""Real servers on 127.0.0.1 for the tests: Oxigraph, and small stand-ins for faulty or guarded ones.

Nothing here mocks a SPARQL engine: the stand-ins are a server that never answers, one that answers
with a fixed status and body, and a proxy that demands credentials before forwarding to a real server.
"""

from __future__ import annotations

import csv
import http.server
import io
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def select(base: str, text: str) -> list[list[str]]:
    """The rows (without the header) of a SELECT at an Oxigraph server's ``/query``, as CSV cells."""
    request = urllib.request.Request(
        f"{base}/query",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return list(csv.reader(io.StringIO(response.read().decode())))[1:]


class Oxigraph:
    """``oxigraph serve`` (read-write) on a free port over ``location``; stop it with :meth:`stop`."""

    def __init__(self, location: Path) -> None:
        port = free_port()
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                select(self.base, "ASK { }")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the Oxigraph server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Silent:
    """A server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
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


class _Local:
    """A threaded HTTP server on 127.0.0.1 at a free port, answering GET and POST with ``answer``."""

    def _serve(self, answer) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Canned(_Local):
    """A server on 127.0.0.1 that answers every request with one status, media type and body."""

    def __init__(self, status: int, body: bytes, media_type: str = "text/plain") -> None:
        def answer(handler):
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            handler.send_response(status)
            handler.send_header("Content-Type", media_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self._serve(answer)


class Endless(_Local):
    """A server on 127.0.0.1 whose answer never ends: a SPARQL JSON results document opened and then
    filled with rows as fast as the client reads, with no ``Content-Length`` (or one it never reaches)."""

    def __init__(self, declared: int | None = None) -> None:
        self.sent = 0

        def answer(handler):
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            handler.send_response(200)
            handler.send_header("Content-Type", "application/sparql-results+json")
            if declared is not None:
                handler.send_header("Content-Length", str(declared))
            handler.end_headers()
            row = b'{"e": {"type": "uri", "value": "https://example.org/' + b"x" * 200 + b'"}},'
            try:
                handler.wfile.write(b'{"head": {"vars": ["e"]}, "results": {"bindings": [')
                while True:
                    handler.wfile.write(row * 300)
                    self.sent += len(row) * 300
            except OSError:  # the client went away
                return

        self._serve(answer)


class Trickle(_Local):
    """A server on 127.0.0.1 that sends its answer one byte every ``interval`` seconds: its status line and
    headers (``where="headers"``) or, after them at once, its body (``where="body"``)."""

    def __init__(self, where: str = "body", interval: float = 0.5) -> None:
        def answer(handler):
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 100000\r\n\r\n"
            try:
                if where == "body":
                    handler.wfile.write(head)
                    handler.wfile.flush()
                    head = b'{"head": {"vars": ["e"]}, "results": {"bindings": [' + b" " * 100000
                for byte in head:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(interval)
            except OSError:
                return

        self._serve(answer)


class Guarded(_Local):
    """A proxy on 127.0.0.1 in front of a real server: it forwards only requests that carry the
    ``Authorization`` header it expects, and answers 401 to the others."""

    def __init__(self, target: str, authorization: str) -> None:
        self.seen: list[str | None] = []

        def forward(handler):
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length) if length else None
            given = handler.headers.get("Authorization")
            self.seen.append(given)
            if given != authorization:
                handler.send_response(401)
                handler.send_header("WWW-Authenticate", 'Basic realm="sparql"')
                handler.end_headers()
                handler.wfile.write(b"authentication required")
                return
            headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")}
            request = urllib.request.Request(target + handler.path, data=body, headers=headers)
            with urllib.request.urlopen(request, timeout=60) as answer:
                data = answer.read()
                handler.send_response(answer.status)
                handler.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)

        self._serve(forward)


VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
_VIRTUOSO_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
"""


class Virtuoso:
    """Debian's Virtuoso Open Source (``virtuoso-t``) on free ports over a database in ``folder``, its
    SPARQL endpoint at :attr:`url`; load files with :meth:`load`, stop it with :meth:`stop`.

    ``max_rows`` is the server's cap on rows per answer (Virtuoso's ``ResultSetMaxRows``)."""

    def __init__(self, folder: Path, max_rows: int = 10_000) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.sql_port, http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(
            _VIRTUOSO_INI.format(folder=folder, sql_port=self.sql_port, http_port=http_port, max_rows=max_rows)
        )
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{http_port}/sparql"
        deadline = time.monotonic() + 90
        while True:
            try:
                request = urllib.request.Request(
                    self.url,
                    data=b"query=ASK%20%7B%7D",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                with urllib.request.urlopen(request, timeout=5) as answer:
                    answer.read()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"Virtuoso did not start (see {folder}/virtuoso.log)") from None
                time.sleep(0.3)

    def load(self, path: Path, graph: str) -> None:
        """Load a Turtle or N-Triples file into ``graph`` (with Virtuoso's bulk loader, through isql)."""
        import shutil

        inside = self.folder / path.name
        if inside != path:
            shutil.copyfile(path, inside)
        statement = f"ld_dir('{self.folder}', '{path.name}', '{graph}'); rdf_loader_run(); checkpoint;"
        done = subprocess.run(
            [ISQL, str(self.sql_port), "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"Virtuoso did not load {path}: {done.stdout} {done.stderr}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
