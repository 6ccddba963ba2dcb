"""A client of a remote SPARQL 1.1 server: the Protocol (queries), the Graph Store Protocol (uploads),
authentication, timeouts, paging, and reading the answers as RDF terms.

Every failure a user can meet (a server that is down, never answers, refuses, or answers something that
is not SPARQL) becomes one :class:`~kg.errors.InputError` naming the endpoint, without its credentials
or query string. Credentials come from headers given by the caller (``KG_ENDPOINT_HEADERS``) or from
``~/.netrc``; they are sent, never shown.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.errors import InputError

__all__ = [
    "HEADERS_ENV",
    "PAGE_ENV",
    "RemoteEndpoint",
    "basic_auth",
    "headers_from_text",
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

_JSON_RESULTS = "application/sparql-results+json"


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


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener that answers a server's challenge (HTTP basic or digest authentication, as Virtuoso's
    ``/sparql-auth`` asks) with the ``~/.netrc`` credentials of its host."""
    credentials = netrc_credentials(url)
    if credentials is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, *credentials)
    return urllib.request.build_opener(
        urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)
    )


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


def send(
    url: str,
    body: bytes | None,
    *,
    content_type: str | None = None,
    accept: str | None = None,
    timeout: float = 60,
    headers: dict[str, str] | None = None,
) -> tuple[bytes, str]:
    """POST ``body`` (or GET when it is ``None``) to ``url``; return the answer's bytes and media type.

    Raises :class:`InputError` naming the endpoint when it is unreachable, refuses the request (with the
    first line of its message), or does not answer within ``timeout`` seconds (for each read).
    """
    sent = {**(headers or {})}
    if content_type:
        sent["Content-Type"] = content_type
    if accept:
        sent["Accept"] = accept
    request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST", headers=sent)
    where = shown(url)
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            return response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode("utf-8", "replace").strip().splitlines()
        said = f": {detail[0][:200]}" if detail else ""
        raise InputError(f"{where} refused the request: HTTP {error.code}{said}") from None
    except (urllib.error.URLError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise InputError(f"{where} did not answer within {timeout:g} s") from None
        raise InputError(f"{where} is unreachable: {reason}") from None
    except TimeoutError:
        raise InputError(f"{where} did not answer within {timeout:g} s") from None
    except OSError as error:  # a connection cut mid-answer (http.client.IncompleteRead is one)
        raise InputError(f"{where} broke off its answer: {error}") from None


@dataclass(frozen=True)
class RemoteEndpoint:
    """A SPARQL 1.1 query endpoint.

    Parameters
    ----------
    url : the query URL (``http://host:7878/query`` for Oxigraph, ``.../sparql`` for Virtuoso).
    graph : a named graph to query as the default graph (``default-graph-uri``), as ``kg push`` writes;
        ``None`` queries the server's default graph.
    timeout : seconds to wait for each answer.
    headers : extra request headers (authentication); a server that asks for credentials (basic or digest
        authentication) gets those ``~/.netrc`` holds for its host.
    page : rows asked for at a time by :meth:`select_paged` (servers cap answers: Virtuoso at 10,000 by
        default).
    """

    url: str
    graph: str | None = None
    timeout: float = 60
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    page: int = 10_000

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
