"""The shipped SPARQL queries (``queries/*.rq``): reading them with their documentation, and running them.

Each file opens with comment lines ``# Purpose:``, ``# Parameters:`` and ``# Returns:``. Parameters are
passed as bindings (never pasted into the query text), so a user's value cannot change the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Variable
from rdflib.query import Result

from kg.errors import InputError, SourceLocation, UnknownNameError
from kg.model.namespace import XSD
from kg.model.resources import QUERIES

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "Query",
    "available_queries",
    "bind_in_where",
    "check_read_only",
    "derive_direct",
    "find_query",
    "parameter_terms",
    "query_form",
    "read_header",
    "read_query",
    "read_query_file",
    "run_query",
    "run_query_on_endpoint",
    "run_query_on_store",
    "serialize_result",
]

#: Output syntaxes of ``kg query`` for solutions (SELECT) and booleans (ASK): the SPARQL 1.1 results
#: formats, and a plain text table.
RESULT_FORMATS = ("csv", "tsv", "json", "xml", "table")
#: Output syntaxes for triples (CONSTRUCT, DESCRIBE).
GRAPH_FORMATS = ("turtle", "nt")


@dataclass(frozen=True)
class Query:
    """A query file with its header.

    A shipped query opens with a machine-readable header in grlc's decorator syntax: lines ``#+ `` holding
    YAML, with ``summary``, ``params`` (name -> ``type`` (``entity`` or ``xsd:date``), ``required``,
    ``doc``), ``columns`` (name -> meaning), ``order``, ``needs``, ``binding`` and an ``example`` (its
    parameters and, on the bundled data, the number of rows and the first row; the tests run it).
    """

    name: str
    path: Path
    text: str
    header: dict

    @property
    def purpose(self) -> str:
        """What the query answers (the header's ``summary``)."""
        return str(self.header.get("summary", ""))

    @property
    def params(self) -> dict[str, dict]:
        """The documented parameters: name -> ``type``, ``required``, ``doc``."""
        return self.header.get("params") or {}

    @property
    def columns(self) -> dict[str, str]:
        """The result columns the header documents: name -> meaning."""
        return self.header.get("columns") or {}

    @property
    def parameters(self) -> str:
        """The parameters in one line, for messages: ``dependent (entity, required); asOf (xsd:date)``."""
        described = [
            f"{name} ({spec.get('type', 'entity')}{', required' if spec.get('required') else ''})"
            for name, spec in self.params.items()
        ]
        return "; ".join(described) or "none"

    @property
    def variables(self) -> set[str]:
        """The names that may be bound: the documented parameters, or, for a query without a header,
        any variable it uses."""
        if "params" in self.header:
            return set(self.params)
        return set(re.findall(r"[?$](\w+)", _LEXICAL.sub(" ", self.text)))

    @property
    def required(self) -> set[str]:
        """The parameters the header marks as required."""
        return {name for name, spec in self.params.items() if spec.get("required")}


def read_header(text: str, where: str = "") -> dict:
    r"""The YAML of the leading ``#+`` lines of a query (empty when it has none).

    >>> read_header("#+ summary: Count things.\n#+ params: {}\nSELECT * WHERE { ?s ?p ?o }")
    {'summary': 'Count things.', 'params': {}}
    """
    import yaml

    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    if not lines:
        return {}
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        why = getattr(error, "problem", None) or str(error)
        raise InputError(f"bad query header: {why}", SourceLocation(where, mark.line + 1 if mark else None)) from None
    if not isinstance(header, dict):
        raise InputError("bad query header: expected 'key: value' lines", SourceLocation(where, 1))
    params = header.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(spec, dict) for spec in params.values()):
        raise InputError(
            "bad query header: params must map each name to its type, required and doc", SourceLocation(where, 1)
        )
    return header


def available_queries() -> list[str]:
    """Names of the shipped queries, e.g. ``['cut-offs', 'dependencies-by-service', ...]``."""
    return sorted(path.stem for path in QUERIES.glob("*.rq"))


def syntax_detail(message: str) -> str:
    """A parser's syntax error as one short line: where it is, and what came, without the list of every
    token that could have come.

    >>> syntax_detail('error at 2:1: expected one of "$", "(", "+"')
    'error at 2:1: unexpected text'
    """
    first = message.splitlines()[0] if message else "unknown"
    if "expected one of" in first:
        first = first[: first.index("expected one of")].rstrip(": ") + ": unexpected text"
    return first if len(first) <= 200 else first[:199] + "…"


def read_query(name: str) -> Query:
    """Read the query called ``name`` (file stem) with its header; only a shipped query's name is taken
    (no path: a file of one's own is read with :func:`read_query_file`)."""
    path = QUERIES / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) or not path.is_file():
        import difflib

        raise UnknownNameError("query", name, difflib.get_close_matches(name, available_queries(), n=3))
    return _query(name, path, path.read_text(encoding="utf-8"))


def read_query_file(path: str | Path) -> Query:
    """Read a query from a ``.rq`` file anywhere (a user's own query), with its header."""
    path = Path(path)
    if path.suffix != ".rq" or not path.is_file():
        raise InputError("not a .rq file", SourceLocation(str(path)))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read it ({error})", SourceLocation(str(path))) from None
    return _query(path.stem, path, text)


def find_query(name_or_path: str | Path) -> Query:
    """A shipped query by name, or a ``.rq`` file by path (what ``kg query`` takes)."""
    return read_query_file(name_or_path) if str(name_or_path).endswith(".rq") else read_query(str(name_or_path))


def _query(name: str, path: Path, text: str) -> Query:
    return Query(name=name, path=path, text=text, header=read_header(text, str(path)))


_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_KEYWORD = r"(?<![?$:\w-])({})(?![\w-]*:)\b"
_UPDATE = re.compile(_KEYWORD.format("INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH"), re.IGNORECASE)
_FORM = re.compile(_KEYWORD.format("SELECT|ASK|CONSTRUCT|DESCRIBE"), re.IGNORECASE)


def check_read_only(query: Query, *, allow_service: bool = False) -> None:
    """Refuse a SPARQL Update, and a ``SERVICE`` call (a request to another server) unless allowed.

    Strings, IRIs and comments are set aside first, so a keyword inside a literal or an IRI does not
    count; ``SERVICE`` is found in every way Oxigraph's parser may read the text. Raises
    :class:`~kg.errors.InputError` naming the query file.

    >>> check_read_only(Query("q", Path("q.rq"), 'SELECT * WHERE { ?s ?p "DELETE" }', {}))
    >>> check_read_only(Query("q", Path("q.rq"), "DELETE WHERE { ?s ?p ?o }", {}))
    Traceback (most recent call last):
    ...
    kg.errors.InputError: q.rq: an update (DELETE): kg query only reads (SELECT, ASK, CONSTRUCT, DESCRIBE)
    """
    bare = _LEXICAL.sub(lambda match: "<>" if match.group().startswith("<") else " ", query.text)
    form, update = _FORM.search(bare), _UPDATE.search(bare)
    if update is not None and (form is None or update.start() < form.start()):
        raise InputError(
            f"an update ({update.group(1).upper()}): kg query only reads (SELECT, ASK, CONSTRUCT, DESCRIBE)",
            SourceLocation(str(query.path)),
        )
    if not allow_service and _calls_another_server(query.text):
        raise InputError(
            "calls another server (SERVICE); kg query runs it only with --allow-service",
            SourceLocation(str(query.path)),
        )


def _calls_another_server(text: str) -> bool:
    """Whether any reading of ``text`` by Oxigraph's parser can call another server
    (:func:`kg.sparql.scan.calls_another_server`: a keyword search misses ``trueSERVICE<...>`` and its
    kind); a text too intricate to follow is taken to call one."""
    from kg.sparql.scan import TooIntricate, calls_another_server

    try:
        return calls_another_server(text)
    except TooIntricate:
        return True


def parameter_terms(query: Query, values: dict[str, str], entities) -> dict:
    """The RDF terms for ``values`` (parameter name -> text as typed): a parameter of type ``xsd:date``
    (``asOf`` in a query without a header) is a date, any other parameter an entity given by identifier,
    name or IRI (``<...>`` or ``https://...``).

    Raises :class:`~kg.errors.InputError` for a parameter the query does not take, a bad date, or an
    unknown entity (with the closest names).
    """
    from rdflib import Literal
    from rdflib.namespace import XSD

    from kg.model.names import NameIndex
    from kg.model.namespace import data_iri

    known = query.variables
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(
            f"query {query.name!r} has no parameter {unknown[0]!r}; it takes {', '.join(sorted(known)) or 'none'}"
        )
    missing = sorted(query.required - set(values))
    if missing:
        raise InputError(
            f"query {query.name!r} needs {', '.join(missing)}: give it with --param NAME=VALUE ({query.parameters})"
        )
    terms = {}
    index = NameIndex(entities)
    prefix = str(data_iri("entity", ""))
    for name, value in values.items():
        declared = query.params.get(name, {}).get("type")
        if declared == "xsd:date" or (declared is None and name == "asOf"):
            terms[name] = Literal(_iso_date(value), datatype=XSD.date)
            continue
        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if text.startswith(prefix):
            text = text[len(prefix) :]
        elif re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            raise InputError(f"{value!r} is not the IRI of an entity of this data (they start with {prefix})")
        terms[name] = index.resolve(text).iri
    return terms


def _iso_date(value: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(f"bad date {value!r}: use YYYY-MM-DD") from None


def serialize_result(result, rdf_format: str | None = None) -> bytes:
    """A pyoxigraph query result (or, for triples, an rdflib graph) as bytes: solutions and booleans in
    one of :data:`RESULT_FORMATS` (default CSV), triples in one of :data:`GRAPH_FORMATS` (default Turtle,
    deterministic).

    pyoxigraph evaluates a query as its solutions are read, so a failure while it runs (a ``SERVICE`` that
    answers something that is not SPARQL results, an error the query's own functions raise) shows here:
    it becomes an :class:`~kg.errors.InputError` saying so in one line.
    """
    try:
        return _serialized(result, rdf_format)
    except RuntimeError as error:
        raise InputError(f"the query failed as it ran: {str(error)[:300]}") from None


def _serialized(result, rdf_format: str | None) -> bytes:
    import pyoxigraph

    if isinstance(result, (pyoxigraph.QueryTriples, Graph)):
        rdf_format = rdf_format or "turtle"
        if rdf_format not in GRAPH_FORMATS:
            raise InputError(f"this query gives triples: use --format {' or '.join(GRAPH_FORMATS)}")
        from kg.io.export import serialize

        graph = result if isinstance(result, Graph) else Graph()
        data = b"" if isinstance(result, Graph) else result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
        if data:
            graph.parse(data=data.decode("utf-8"), format="nt")
        return serialize(graph, rdf_format)
    rdf_format = rdf_format or "csv"
    if rdf_format not in RESULT_FORMATS:
        raise InputError(f"this query gives solutions: use --format {', '.join(RESULT_FORMATS)}")
    if rdf_format == "table":
        return _table(result).encode("utf-8")
    if rdf_format == "csv" and isinstance(result, pyoxigraph.QuerySolutions):
        return _csv(result).encode("utf-8")
    formats = pyoxigraph.QueryResultsFormat
    chosen = {"csv": formats.CSV, "tsv": formats.TSV, "json": formats.JSON, "xml": formats.XML}[rdf_format]
    return result.serialize(format=chosen)


#: What a spreadsheet takes as the start of a formula in a cell.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.float), str(XSD.int), str(XSD.long)}


def spreadsheet_safe(term) -> str:
    """A term's CSV cell as SPARQL's CSV results format writes it (IRI, lexical form, ``_:id``), except
    that text a spreadsheet would run as a formula gets a leading ``'``; numbers stay numbers.

    >>> import pyoxigraph
    >>> integer = pyoxigraph.NamedNode(str(XSD.integer))
    >>> formula, number = pyoxigraph.Literal("=cmd|' /C calc'!A0"), pyoxigraph.Literal("-5", datatype=integer)
    >>> spreadsheet_safe(formula), spreadsheet_safe(number)
    ("'=cmd|' /C calc'!A0", '-5')
    """
    if term is None:
        return ""
    kind = type(term).__name__
    if kind == "BlankNode":
        return f"_:{term.value}"
    value = term.value
    if kind == "Literal" and term.datatype.value in _NUMERIC:
        return value
    return f"'{value}" if value.startswith(_FORMULA) else value


def _csv(result) -> str:
    """Solutions as SPARQL 1.1 CSV (header of variable names, CRLF line ends), cells made spreadsheet-safe."""
    import csv
    import io

    names = [variable.value for variable in result.variables]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for solution in result:
        writer.writerow([spreadsheet_safe(solution[name]) for name in names])
    return buffer.getvalue()


def _table(result) -> str:
    import pyoxigraph

    from kg.model.text import terminal_safe
    from kg.views.text import table

    if isinstance(result, pyoxigraph.QueryBoolean):
        return f"{'true' if bool(result) else 'false'}\n"
    names = [variable.value for variable in result.variables]
    rows = [[terminal_safe(_plain(solution[name])) for name in names] for solution in result]
    return table(names, rows) + "\n" if rows else " ".join(names) + "\n(no rows)\n"


def _plain(term) -> str:
    """A term as a person reads it: an IRI in short form where a known prefix fits, a literal's text."""
    from kg.model.namespace import PREFIXES

    if term is None:
        return ""
    value = term.value
    if type(term).__name__ == "NamedNode":
        for prefix, namespace in PREFIXES.items():
            if value.startswith(str(namespace)):
                return f"{prefix}:{value[len(str(namespace)) :]}"
    return value


def _query_for(query: str | Query, bindings: dict) -> Query:
    """The query (a shipped one by name), after checking that it takes every parameter in ``bindings``."""
    query = read_query(query) if isinstance(query, str) else query
    unknown = set(bindings) - query.variables
    if unknown:
        raise InputError(f"query {query.name!r} takes no parameter(s) {', '.join(sorted(unknown))}")
    return query


def run_query(graph: Graph, name: str, **bindings) -> Result:
    """Run a shipped query on ``graph`` with parameters bound to rdflib terms.

    Examples
    --------
    >>> from kg.io.loading import load
    >>> rows = run_query(load(), "dependencies-by-service")
    >>> any(str(row.service) == "hosting" for row in rows)
    True
    """
    query = _query_for(name, bindings)
    return graph.query(query.text, initBindings={Variable(k): v for k, v in bindings.items()})


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_in_where(text: str, bindings: dict) -> str:
    """The query with ``bindings`` (variable name -> rdflib term) as ``VALUES`` lines opening its WHERE,
    one per variable.

    This is the form of binding every SPARQL engine honours, unlike engine-specific initial bindings:
    the values join the whole group, so FILTERs in it see them (one line per variable: Virtuoso 7.2
    fails on a row of several). Values are written as RDF terms by rdflib (IRIs checked, literals
    escaped), never pasted as text.

    >>> from rdflib import Literal
    >>> print(bind_in_where("SELECT * WHERE { ?s ?p ?o }", {"o": Literal("x"), "p": Literal("y")}))
    SELECT * WHERE { VALUES ?o { "x" } VALUES ?p { "y" } ?s ?p ?o }
    """
    if not bindings:
        return text
    body = "\n".join(" " * len(line) if line.lstrip().startswith("#") else line for line in text.split("\n"))
    match = _WHERE.search(body)
    if match is None:
        raise InputError("the query has no WHERE clause to bind parameters in")
    block = "".join(f" VALUES ?{name} {{ {bindings[name].n3()} }}" for name in sorted(bindings))
    return text[: match.end()] + block + text[match.end() :]


def run_query_on_store(dataset, query: str | Query, **bindings):
    """Run a query (a shipped one by name, or a :class:`Query`) on a dataset's store (pyoxigraph) with
    parameters bound as in :func:`run_query`.

    Returns pyoxigraph's result (solutions, a boolean, or triples). Raises
    :class:`~kg.errors.InputError` naming the query file for a SPARQL syntax error.
    """
    query = _query_for(query, bindings)
    try:
        return dataset.query(bind_in_where(query.text, bindings))
    except SyntaxError as error:
        raise InputError(f"SPARQL syntax error: {syntax_detail(str(error))}", SourceLocation(str(query.path))) from None


def query_form(query: Query) -> str:
    """The query's form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (strings and IRIs set aside)."""
    bare = _LEXICAL.sub(lambda match: "<>" if match.group().startswith("<") else " ", query.text)
    form = _FORM.search(bare)
    if form is None:
        raise InputError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)", SourceLocation(str(query.path)))
    return form.group(1).upper()


def run_query_on_endpoint(endpoint, query: str | Query, **bindings):
    """Run a query on a remote SPARQL endpoint (a :class:`~kg.sparql.client.RemoteEndpoint`) with parameters
    bound as in :func:`run_query_on_store`; the result has the same types (solutions or a boolean as
    pyoxigraph's, triples as an :class:`rdflib.Graph`), so :func:`serialize_result` writes it alike.

    Raises :class:`~kg.errors.InputError` naming the endpoint when it fails or answers something else
    than SPARQL results.
    """
    import pyoxigraph

    query = _query_for(query, bindings)
    text = bind_in_where(query.text, bindings)
    if query_form(query) in ("CONSTRUCT", "DESCRIBE"):
        data, _ = endpoint.request(text, "application/n-triples, text/plain;q=0.5")
        graph = Graph()
        try:
            graph.parse(data=data.decode("utf-8"), format="nt")
        except Exception as error:
            raise InputError(f"{endpoint.name} answered something that is not N-Triples ({error})") from None
        return graph
    data, _ = endpoint.request(text, "application/sparql-results+json")
    try:
        return pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as error:
        raise InputError(f"{endpoint.name} answered something that is not SPARQL JSON results ({error})") from None


def derive_direct(graph: Graph, as_of=None) -> Graph:
    """Return the shortcut triples (``pd:hostedBy``...) of ``queries/direct-dependencies.rq``.

    ``graph`` must hold the ontology too (it says which shortcut each service has).
    """
    result = run_query(graph, "direct-dependencies", **({"asOf": as_of} if as_of is not None else {}))
    derived = Graph()
    for triple in result:
        derived.add(triple)
    return derived
