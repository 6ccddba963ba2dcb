"""The HTTP front of ``kg serve``: it checks each SPARQL request before an Oxigraph backend runs it, and
stops the backend when the request passes its time limit or its client goes.

Queries (``/query`` and ``/sparql``, SPARQL 1.1 Protocol: GET with ``query=``, POST of a form or of
``application/sparql-query``, and the ``QUERY`` method) are read here, refused when they call another
server (``SERVICE``) or are updates, and sent on to a backend as one ``application/sparql-query`` POST of
exactly the text that was checked, with the client's other parameters and headers (content negotiation
included) unchanged; the backend's answer comes back as it was sent. Everything else (the YASGUI page at
``/``, Graph Store reads at ``/store``) goes to a backend as it came, except updates, which are refused.

A backend answers one request at a time, over a connection it closes when done. Answers up to
:data:`HOLD` bytes are held until complete, so a request that passes its time limit always gets a clean
error (HTTP 503); a longer answer is passed on as it comes, and one that passes the limit is cut off (the
client sees it end early). Errors are one line of plain text, as Oxigraph writes its own.
"""

from __future__ import annotations

import select
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from kg.sparql.scan import TooIntricate, calls_another_server, update_keyword

__all__ = ["HOLD", "MAX_BODY", "Front"]

#: Bytes of an answer held back until it is complete (beyond, it is passed on as it comes).
HOLD = 1 << 20
#: Largest request body taken (a query text is scanned for SERVICE calls before it runs).
MAX_BODY = 16 << 20
_QUERY_PATHS = ("/query", "/sparql")
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
    "content-length",
}
_READ_ONLY = "The server is read-only"  # Oxigraph's words, as a read-only Oxigraph said them before


class Front(ThreadingHTTPServer):
    """The front server on ``address`` (of socket ``family``), in front of ``backends`` (a
    :class:`kg.sparql.server.Backends`). Listening starts at construction: a taken port raises ``OSError``."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address, family, backends, *, timeout: float, allow_service: bool) -> None:
        self.address_family = family
        self.backends, self.timeout_s, self.allow_service = backends, timeout, allow_service
        super().__init__(address, _Exchange)

    def server_bind(self) -> None:
        TCPServer.server_bind(self)  # not HTTPServer's: it looks the host's name up, which can hang
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        """A failed exchange closes its connection; the library prints nothing."""


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _Exchange(BaseHTTPRequestHandler):
    """One client connection: requests one after another, each checked, then run by a backend."""

    server: Front
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send a request (or stay idle between two)

    def version_string(self) -> str:
        return "kg-serve"

    def log_message(self, format, *args) -> None:
        """Nothing is logged: the library prints nothing."""

    def do_GET(self) -> None:
        try:
            self._exchange()
        except _Refused as refusal:
            self._answer(refusal.status, refusal.message)

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_QUERY = do_GET

    def _exchange(self) -> None:
        body = self._body()  # first: whatever the answer, the next request starts after it
        path, query = _target(self.path)
        deadline = time.monotonic() + self.server.timeout_s
        if path == "/update":
            raise _Refused(403, _READ_ONLY)
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        if path in _QUERY_PATHS and (self.command in ("POST", "QUERY") or (self.command == "GET" and query)):
            text, parameters = self._operation(path, query, body)
            self._check(text)
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            headers.append(("Content-Type", "application/sparql-query"))
            rest = urlencode(parameters)
            request = _request("POST", path + (f"?{rest}" if rest else ""), headers, text.encode("utf-8"))
        else:  # no query runs here: the page, its scripts, the store's graphs, the service description
            request = _request(self.command, path + (f"?{query}" if query else ""), headers, body)
        self._run(request, deadline)

    def _body(self) -> bytes:
        """The request's body (``Content-Length`` or chunked), at most :data:`MAX_BODY` bytes."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, size = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    length = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    raise _Refused(400, "Bad chunked request body") from None
                if length == 0:
                    while self.rfile.readline(1024).strip():  # trailers
                        pass
                    return b"".join(parts)
                size += length
                if size > MAX_BODY:
                    self.close_connection = True
                    raise _Refused(413, f"Request bodies are limited to {MAX_BODY} bytes")
                parts.append(self.rfile.read(length))
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise _Refused(400, "Bad Content-Length")
        if length > MAX_BODY:
            self.close_connection = True
            raise _Refused(413, f"Request bodies are limited to {MAX_BODY} bytes")
        return self.rfile.read(length) if length else b""

    def _operation(self, path: str, query: str, body: bytes) -> tuple[str, list[tuple[str, str]]]:
        """The query text of a SPARQL Protocol request, and its other parameters (graph IRIs...)."""
        parameters = parse_qsl(query.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True)
        texts = []
        if self.command != "GET":
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if not kind:
                raise _Refused(400, "No Content-Type given")
            if kind == "application/sparql-query":
                try:
                    texts.append(body.decode("utf-8"))
                except UnicodeDecodeError as error:
                    raise _Refused(400, f"Invalid UTF-8 body: {error}") from None
            elif kind == "application/x-www-form-urlencoded":
                form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                both = {k for k, _ in form} & {k for k, _ in parameters}
                if both:
                    raise _Refused(400, f"'{min(both)}' cannot be set both in the body and the URL query")
                parameters += form
            elif kind == "application/sparql-update" and path == "/sparql":
                raise _Refused(403, _READ_ONLY)
            else:
                raise _Refused(415, f"No supported content Content-Type given: {kind}")
        if path == "/sparql" and any(k == "update" for k, _ in parameters):
            raise _Refused(403, _READ_ONLY)
        texts += [v for k, v in parameters if k == "query"]
        if len(texts) > 1:
            raise _Refused(400, "Multiple query parameters provided")
        if not texts:
            raise _Refused(400, "You should set the 'query' parameter")
        return texts[0], [(k, v) for k, v in parameters if k != "query"]

    def _check(self, text: str) -> None:
        """Refuse an update, and a call to another server unless the endpoint allows them."""
        keyword = update_keyword(text)
        if keyword is not None:
            raise _Refused(400, f"A SPARQL update ({keyword}) was sent as a query; this endpoint is read-only")
        if self.server.allow_service:
            return
        try:
            calls = calls_another_server(text)
        except TooIntricate:
            raise _Refused(400, "The query is too intricate to check for SERVICE calls") from None
        if calls:
            raise _Refused(
                400,
                "The query calls another server (SERVICE), which this endpoint refuses "
                "(kg serve --allow-service allows it)",
            )

    def _run(self, request: bytes, deadline: float) -> None:
        """Have a backend answer ``request``, and pass its answer on; stop the backend if the deadline
        passes or the client goes first."""
        backends = self.server.backends
        backend = backends.take(deadline, self._gone)
        if backend is None:
            if backends.failure is not None:
                raise _Refused(503, f"The query workers of this endpoint cannot be started: {backends.failure}")
            if self._gone():
                self.close_connection = True
                return
            raise _Refused(
                503,
                f"Every query worker stayed busy for {self.server.timeout_s:g} s, the time limit of this endpoint "
                "(kg serve --timeout); try again later",
            )
        relay, finished = _Relay(self, backend, deadline), False
        try:
            finished = relay.run(request)
        except OSError:
            pass
        finally:  # a backend that has not finished is killed (whatever went wrong), so no query runs on
            if finished:
                backends.give_back(backend)
            else:
                backends.discard(backend)
        if finished:
            return
        if relay.timed_out and not relay.passed_on:
            raise _Refused(
                503,
                f"The query ran longer than {self.server.timeout_s:g} s, the time limit of this endpoint "
                "(kg serve --timeout), and was stopped",
            )
        self.close_connection = True  # the client has gone, or has part of an answer: end it there
        if not relay.timed_out and not relay.passed_on and not relay.client_gone:
            raise _Refused(500, "The query's process ended unexpectedly")

    def _gone(self) -> bool:
        """Whether the client has closed its connection (a pipelined next request does not count)."""
        try:
            return bool(_readable([self.connection], 0)) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _answer(self, status: int, message: str) -> None:
        body = message.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            self.close_connection = True


class _Relay:
    """One request to a backend and its answer back to the client, within a deadline."""

    def __init__(self, exchange: _Exchange, backend, deadline: float) -> None:
        self.exchange, self.backend, self.deadline = exchange, backend, deadline
        self.timed_out = self.passed_on = self.client_gone = False

    def run(self, request: bytes) -> bool:
        """Whether the backend answered completely (and so is free for another request)."""
        client = self.exchange.connection
        watched = [client]
        try:
            if self._remaining() <= 0:
                raise TimeoutError
            upstream = socket.create_connection(("127.0.0.1", self.backend.port), timeout=self._remaining())
            upstream.sendall(request)
        except TimeoutError:
            self.timed_out = True
            return False
        with upstream:
            held = bytearray()
            while True:
                remaining = self._remaining()
                if remaining <= 0:
                    self.timed_out = True
                    return False
                readable = _readable([upstream, *watched], remaining)
                if client in readable:
                    if self.exchange._gone():
                        self.client_gone = True
                        return False
                    watched = []  # a next request, already sent: not a departure
                if upstream not in readable:
                    continue
                data = upstream.recv(1 << 16)
                if not data:
                    break
                if self.passed_on:
                    self._send(data)
                    continue
                held += data
                if len(held) > HOLD:
                    self._send(bytes(held))
                    self.passed_on = True
        if self.backend.process.poll() is not None:  # it ended (crashed) rather than finished
            return False
        if not self.passed_on:
            try:
                self.exchange.connection.sendall(held)
            except OSError:
                self.exchange.close_connection = True
        if not _self_delimited(bytes(held[:8192])):
            self.exchange.close_connection = True
        return True

    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _send(self, data: bytes) -> None:
        """Pass part of a long answer on, within the deadline."""
        client = self.exchange.connection
        remaining = self._remaining()
        if remaining <= 0:
            self.timed_out = True
            raise TimeoutError
        client.settimeout(remaining)
        try:
            client.sendall(data)
        except TimeoutError:
            self.timed_out = True
            raise
        except OSError:
            self.client_gone = True
            raise
        finally:
            client.settimeout(self.exchange.timeout)


def _request(method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """An HTTP/1.1 request to a backend, which closes the connection once it has answered."""
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"{k}: {' '.join(v.split())}" for k, v in headers]
    if body or method in ("POST", "PUT", "QUERY"):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def _self_delimited(head: bytes) -> bool:
    """Whether an answer says where it ends (a length, chunks), so its connection can take another request."""
    header = head.split(b"\r\n\r\n", 1)[0].lower()
    return b"\r\ncontent-length:" in header or b"\r\ntransfer-encoding: chunked" in header


def _target(target: str) -> tuple[str, str]:
    """The path and the query string of a request target (``/path?query`` or ``http://host/path?query``)."""
    if not target.startswith("/"):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _Refused(400, f"Unsupported request target: {target[:100]}")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    path, _, query = target.partition("#")[0].partition("?")
    return path, query


def _readable(sockets: list, timeout: float) -> list:
    """Which of ``sockets`` can be read (data, or the other side's close) within ``timeout`` seconds."""
    poller = select.poll()  # not select.select: no limit on descriptor numbers
    for sock in sockets:
        poller.register(sock, select.POLLIN)
    ready = {fd for fd, _ in poller.poll(max(0.0, timeout) * 1000)}
    return [sock for sock in sockets if sock.fileno() in ready]
