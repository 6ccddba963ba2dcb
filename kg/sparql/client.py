"""A client of a remote SPARQL 1.1 server: the Protocol (queries), the Graph Store Protocol (uploads),
authentication, timeouts, paging, and reading the answers as RDF terms.

Every failure a user can meet (a server that is down, never answers, refuses, or answers something that
is not SPARQL) becomes one :class:`~kg.errors.InputError` naming the endpoint, without its credentials
or query string. Credentials come from headers given by the caller (``KG_ENDPOINT_HEADERS``) or from
``~/.netrc``; they are sent, never shown.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.errors import InputError

__all__ = [
    "HEADERS_ENV",
    "MAX_BYTES",
    "MAX_BYTES_ENV",
    "PAGE_ENV",
    "RemoteEndpoint",
    "basic_auth",
    "headers_from_text",
    "max_bytes_from_text",
    "netrc_credentials",
    "send",
    "shown",
]

#: Environment variable with extra request headers for an endpoint, one ``Name: value`` per line (or
#: separated by ``\\n``), for example ``Authorization: Bearer ...``.
HEADERS_ENV = "KG_ENDPOINT_HEADERS"

#: Environment variable with the rows asked for per request when paging (:attr:`RemoteEndpoint.page`);
#: it must not exceed the server's cap on rows per answer, which servers apply without saying so.
PAGE_ENV = "KG_ENDPOINT_PAGE"

#: Environment variable with the most bytes one answer may have (:data:`MAX_BYTES` by default).
MAX_BYTES_ENV = "KG_ENDPOINT_MAX_BYTES"

#: The most bytes read of one answer unless ``KG_ENDPOINT_MAX_BYTES`` says otherwise: answers are pages of
#: at most :attr:`RemoteEndpoint.page` rows, a few megabytes; a server sending more is refused, not followed
#: until memory runs out.
MAX_BYTES = 256 * 1024 * 1024

_JSON_RESULTS = "application/sparql-results+json"
_BLOCK = 1 << 16


def shown(url: str) -> str:
    """The URL without credentials or query, for messages (never print a password or a token)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def basic_auth(user: str, password: str) -> dict[str, str]:
    """The ``Authorization`` header of HTTP basic authentication."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def netrc_credentials(url: str) -> tuple[str, str] | None:
    """The login and password ``~/.netrc`` (or ``$NETRC``) holds for the URL's host, if any."""
    import netrc

    try:
        entries = netrc.netrc(os.environ.get("NETRC"))
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None
    found = entries.authenticators(urllib.parse.urlsplit(url).hostname or "")
    return (found[0], found[2]) if found and found[2] is not None else None


def _opener(url: str, credentials: tuple[str, str] | None, exchange: _Exchange) -> urllib.request.OpenerDirector:
    """An opener whose connections ``exchange`` bounds, and that answers a server's challenge (HTTP basic or
    digest authentication, as Virtuoso's ``/sparql-auth`` asks) with ``credentials`` (from the URL), else
    with the ``~/.netrc`` credentials of its host."""
    handlers = exchange.handlers()
    credentials = credentials or netrc_credentials(url)
    if credentials is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *credentials)
        handlers += [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def _split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its ``user:password@`` part, and those credentials (``None`` when it has none).

    urllib would take ``user:password@host`` for the host's name and ask DNS for it: the password would
    leave the machine in a name lookup.

    >>> _split_credentials("http://ann:s%40cret@example.org:8890/sparql?x=1")
    ('http://example.org:8890/sparql?x=1', ('ann', 's@cret'))
    """
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    bare = urllib.parse.urlunsplit(parts._replace(netloc=hostport))
    return bare, (urllib.parse.unquote(user), urllib.parse.unquote(password))


class _Exchange:
    """One request and its answer, bounded as a whole: every connection it opens is recorded, and a timer
    shuts their sockets once ``timeout`` seconds have passed since the request began, whatever the server
    is doing (a server that sends a byte a second never trips a per-read timeout)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.sockets: list = []
        self.expired = threading.Event()
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Exchange:
        self._timer.start()
        return self

    def __exit__(self, *_) -> None:
        self._timer.cancel()

    def opened(self, sock) -> None:
        with self._lock:
            self.sockets.append(sock)
            late = self.expired.is_set()
        if late:
            self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            sockets = list(self.sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def handlers(self) -> list:
        """urllib handlers for http and https whose connections report their sockets to this exchange."""
        exchange = self

        class _Watched:
            def connect(self) -> None:
                super().connect()
                exchange.opened(self.sock)

        class _HTTP(_Watched, http.client.HTTPConnection):
            pass

        class _HTTPS(_Watched, http.client.HTTPSConnection):
            pass

        class _HTTPHandler(urllib.request.HTTPHandler):
            def http_open(self, request):
                return self.do_open(_HTTP, request)

        class _HTTPSHandler(urllib.request.HTTPSHandler):
            def https_open(self, request):
                return self.do_open(_HTTPS, request, context=self._context)

        return [_HTTPHandler(), _HTTPSHandler()]


def headers_from_text(text: str | None) -> dict[str, str]:
    """Headers written one ``Name: value`` per line (or per ``\\n``); raises :class:`InputError` naming
    the header (never its value) when a line is not of that form.

    >>> headers_from_text("Authorization: Bearer abc\\\\nX-Team: t1")
    {'Authorization': 'Bearer abc', 'X-Team': 't1'}
    """
    headers: dict[str, str] = {}
    for line in (text or "").replace("\\n", "\n").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name or any(c in name for c in " \t\r\n") or any(c in value for c in "\r\n\0"):
            raise InputError(f"bad endpoint header {name[:40]!r}: expected 'Name: value' ({HEADERS_ENV})")
        headers[name] = value.strip()
    return headers


def max_bytes_from_text(text: str | None) -> int:
    """The answer size limit written in ``KG_ENDPOINT_MAX_BYTES`` (a number of bytes, or with ``K``, ``M`` or
    ``G``); :data:`MAX_BYTES` when it is empty.

    >>> max_bytes_from_text("64M"), max_bytes_from_text(None) == MAX_BYTES
    (67108864, True)
    """
    if not text or not text.strip():
        return MAX_BYTES
    number, unit = text.strip().upper(), 1
    if number[-1:] in ("K", "M", "G"):
        number, unit = number[:-1], 1024 ** (" KMG".index(number[-1]))
    if not number.isdigit() or int(number) < 1:
        raise InputError(f"bad {MAX_BYTES_ENV} {text[:20]!r}: expected a number of bytes, e.g. 256M")
    return int(number) * unit


def send(
    url: str,
    body: bytes | None,
    *,
    content_type: str | None = None,
    accept: str | None = None,
    timeout: float = 60,
    headers: dict[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
) -> tuple[bytes, str]:
    """POST ``body`` (or GET when it is ``None``) to ``url``; return the answer's bytes and media type.

    ``timeout`` bounds the whole exchange, from connecting to the answer's last byte, in seconds; an answer
    longer than ``max_bytes`` is refused as soon as it passes it. Credentials in the URL
    (``http://user:password@host/``) are taken off it and given when the server asks for them (never sent
    to a name lookup). Raises :class:`InputError` naming the endpoint when it is unreachable, refuses the
    request (with the first line of its message), does not answer in time, or answers too much.
    """
    url, credentials = _split_credentials(url)
    sent = {**(headers or {})}
    if content_type:
        sent["Content-Type"] = content_type
    if accept:
        sent["Accept"] = accept
    request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST", headers=sent)
    where = shown(url)
    late = f"{where} did not answer within {timeout:g} s"
    with _Exchange(timeout) as exchange:
        try:
            with _opener(url, credentials, exchange).open(request, timeout=timeout) as response:
                data = _read_bounded(response, max_bytes, where)
                media_type = response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            detail: list[str] = []
            with contextlib.suppress(OSError, http.client.HTTPException):
                detail = error.read(300).decode("utf-8", "replace").strip().splitlines()
            said = f": {detail[0][:200]}" if detail else ""
            raise InputError(f"{where} refused the request: HTTP {error.code}{said}") from None
        except (urllib.error.URLError, ConnectionError) as error:
            if exchange.expired.is_set():
                raise InputError(late) from None
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise InputError(late) from None
            raise InputError(f"{where} is unreachable: {reason}") from None
        except TimeoutError:
            raise InputError(late) from None
        except (OSError, http.client.HTTPException) as error:  # a connection cut mid-answer, a garbled one
            if exchange.expired.is_set():
                raise InputError(late) from None
            raise InputError(f"{where} broke off its answer: {error}") from None
    if exchange.expired.is_set():
        raise InputError(late)
    return data, media_type


def _read_bounded(response, limit: int, where: str) -> bytes:
    """The answer's body, read a block at a time, refused once it passes ``limit`` bytes."""
    too_much = f"{where} answered more than the {limit:,} bytes allowed ({MAX_BYTES_ENV})"
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InputError(too_much)
    blocks, size = [], 0
    while block := response.read1(_BLOCK):
        size += len(block)
        if size > limit:
            raise InputError(too_much)
        blocks.append(block)
    return b"".join(blocks)


@dataclass(frozen=True)
class RemoteEndpoint:
    """A SPARQL 1.1 query endpoint.

    Parameters
    ----------
    url : the query URL (``http://host:7878/query`` for Oxigraph, ``.../sparql`` for Virtuoso).
    graph : a named graph to query as the default graph (``default-graph-uri``), as ``kg push`` writes;
        ``None`` queries the server's default graph.
    timeout : seconds each request may take, from connecting to the answer's last byte.
    headers : extra request headers (authentication); a server that asks for credentials (basic or digest
        authentication) gets those ``~/.netrc`` holds for its host.
    page : rows asked for at a time by :meth:`select_paged` (servers cap answers: Virtuoso at 10,000 by
        default).
    max_bytes : the most bytes read of one answer (:data:`MAX_BYTES`); a longer one is refused.
    """

    url: str
    graph: str | None = None
    timeout: float = 60
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    page: int = 10_000
    max_bytes: int = MAX_BYTES

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"bad endpoint {self.url[:80]!r}: expected an http:// or https:// URL")

    @property
    def name(self) -> str:
        """The endpoint as messages show it (no credentials, no query string)."""
        return shown(self.url)

    def request(self, query: str, accept: str) -> tuple[bytes, str]:
        """Send ``query`` and return the answer's bytes and media type.

        The query goes URL-encoded in a POST body (the SPARQL 1.1 Protocol's "query via URL-encoded POST"),
        the one form every server takes: Virtuoso 7.2 never answers a POST of ``application/sparql-query``.
        """
        fields = [("query", query)]
        if self.graph:
            fields.append(("default-graph-uri", self.graph))
        return send(
            self.url,
            urllib.parse.urlencode(fields).encode("ascii"),
            content_type="application/x-www-form-urlencoded",
            accept=accept,
            timeout=self.timeout,
            headers=self.headers,
            max_bytes=self.max_bytes,
        )

    def select(self, query: str) -> list[dict]:
        """The solutions of a SELECT query, each a dict of variable -> pyoxigraph term (unbound left out)."""
        data, _ = self.request(query, _JSON_RESULTS)
        try:
            document = json.loads(data)
            names = document["head"]["vars"]
            rows = document["results"]["bindings"]
            return [{name: term_of(row[name]) for name in names if name in row} for row in rows]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise InputError(f"{self.name} answered something that is not SPARQL JSON results ({error})") from None

    def construct(self, query: str) -> list:
        """The triples of a CONSTRUCT query (pyoxigraph ``Triple``s), in whichever RDF syntax the server
        chose to answer in."""
        import pyoxigraph

        data, media_type = self.request(query, "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5")
        syntax = pyoxigraph.RdfFormat.from_media_type(media_type)
        if media_type == "text/plain" or syntax is None:
            syntax = pyoxigraph.RdfFormat.N_TRIPLES  # N-Triples' old media type, and what Virtuoso sends
        try:
            return [quad.triple for quad in pyoxigraph.parse(data, format=syntax)]
        except (SyntaxError, ValueError) as error:
            raise InputError(f"{self.name} answered something that is not RDF ({error})") from None

    def select_paged(self, query: str, order: str) -> Iterator[dict]:
        """Every solution of ``query`` (a SELECT without ORDER BY, LIMIT or OFFSET), so that servers that cap
        their answers still give all.

        One request asks for a page without ordering (ordering costs servers several times the query);
        only when the page is full are the solutions fetched again, a page at a time in the order
        ``order`` (for example ``?s``), as stable paging needs.
        """
        first = self.select(f"{query}\nLIMIT {self.page}")
        if len(first) < self.page:
            yield from first
            return
        offset = 0
        while True:
            rows = self.select(f"{query}\nORDER BY {order}\nLIMIT {self.page}\nOFFSET {offset}")
            yield from rows
            if len(rows) < self.page:
                return
            offset += self.page


def term_of(cell: dict):
    """A pyoxigraph term from one SPARQL JSON results binding; raises ``ValueError`` for a bad one."""
    import pyoxigraph

    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return pyoxigraph.NamedNode(value)
    if kind == "bnode":
        return pyoxigraph.BlankNode("".join(c if c.isalnum() else "_" for c in value) or "b")
    if kind in ("literal", "typed-literal"):  # "typed-literal": Virtuoso's older name
        if "xml:lang" in cell:
            return pyoxigraph.Literal(value, language=cell["xml:lang"])
        if "datatype" in cell:
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(cell["datatype"]))
        return pyoxigraph.Literal(value)
    if kind == "triple":  # RDF-star: not part of our data
        raise ValueError("a quoted triple")
    raise ValueError(f"unknown term type {kind!r}")
