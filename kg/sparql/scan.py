"""Read a SPARQL text as Oxigraph's parser may read it, before it runs: does it call another server
(``SERVICE``), is it an update?

``kg serve`` refuses ``SERVICE`` unless told otherwise, so the question must have no false "no". Oxigraph
0.5 parses with a PEG grammar (``spargebra``), and three of its habits defeat a simple keyword search:
keywords need no space around them (``?x ?y trueSERVICE<http://h/>{...}`` is ``true`` then ``SERVICE``);
a ``<`` may open an IRI or compare two values, and the two readings see different strings and comments
(``FILTER(?a<'x>')SERVICE...``); and a prefixed name whose IRI fails (an unknown prefix, an IRI that does
not parse) is read again as shorter tokens (``ex:1SERVICE<...>`` is ``ex:`` ``1`` ``SERVICE`` when ``ex:``
is ``<http://h:>``). So :func:`calls_another_server` follows every reading a ``<`` allows, and trusts a
``service`` inside a word only where no reading can make it the keyword: in a variable, a blank node
label, or after the colon of a prefixed name whose every possible prefix is undeclared or declared with
an IRI ending in ``/`` or ``#`` (then the name always parses whole). Anything else is a call: an odd
query may be refused, a call never slips through. The grammar: https://www.w3.org/TR/sparql11-query/#grammar
"""

from __future__ import annotations

import bisect
import re

__all__ = ["TooIntricate", "calls_another_server", "update_keyword"]

# Character classes of the SPARQL grammar, as Oxigraph 0.5 has them (no code points past U+FFFF).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_PN_CHARS = f"\\-0-9\u00b7\u0300-\u036f\u203f-\u2040_{_BASE}"
_PN_PREFIX = f"[{_BASE}][{_PN_CHARS}]*(?:\\.+[{_PN_CHARS}]+)*"
_ESCAPE = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_SKIP = r"(?:[ \t\r\n]|#[^\r\n]*)*"  # what Oxigraph skips between tokens: spaces and comments

_TOKEN = re.compile(
    rf"""(?P<space>[ \t\r\n]+)
    |(?P<comment>\#[^\r\n]*)
    |(?P<string>'''(?:(?>''|')?(?:[^'\\]|{_ESCAPE}))*+'''|\"\"\"(?:(?>\"\"|\")?(?:[^"\\]|{_ESCAPE}))*+\"\"\"
      |'(?:[^'\\\n\r]|{_ESCAPE})*+'|"(?:[^"\\\n\r]|{_ESCAPE})*+")
    |(?P<variable>[?$][0-9_{_BASE}][0-9\u00b7\u0300-\u036f\u203f-\u2040_{_BASE}]*)
    |(?P<blank>_:[0-9_{_BASE}][{_PN_CHARS}]*(?:\.+[{_PN_CHARS}]+)*)
    |(?P<word>(?:[^\s(){{}}\[\]<>"',;=!&|^*+/?\#@$\\]|\\.)+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
# Every IRI Oxigraph takes matches this (it refuses the characters left out), so no other can hide text.
_IRI_CONTENT = re.compile(r'(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*')
_SERVICE = re.compile("service", re.IGNORECASE)  # Unicode case folding: more matches than Oxigraph's ASCII
_TRUSTED_NAME = re.compile(f"({_PN_PREFIX})?:([A-Za-z0-9_][A-Za-z0-9_-]*)\\.*")
# Over-collected on purpose (inside strings and comments too): a declaration is never missed.
_DECLARATION = re.compile(f"(?=PREFIX{_SKIP}({_PN_PREFIX})?:{_SKIP}<([^>]*)>)", re.IGNORECASE)
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_WORK_PER_CHARACTER = 64  # readings re-scan text; past this the text is refused rather than scanned on


class TooIntricate(ValueError):
    """The text has so many ways to be read that checking them all would take too long."""


def calls_another_server(text: str) -> bool:
    """Whether any reading of the SPARQL ``text`` by Oxigraph's parser can contain a ``SERVICE`` call.

    Raises :class:`TooIntricate` when the readings are too many to follow (hostile text, not a query).

    >>> calls_another_server("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    True
    >>> calls_another_server("SELECT * WHERE { ?x ?y trueSERVICE<http://example.org/>{ ?s ?p ?o } }")
    True
    >>> calls_another_server("SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE#>\\n<http://h/>{ ?s ?p ?o } }")
    True
    >>> calls_another_server('''PREFIX pd: <https://w3id.org/pdkg/ontology#>
    ... SELECT ?service WHERE { ?d pd:service ?service ; a pd:Service. FILTER(?service != "SERVICE")
    ...   ?d <https://w3id.org/pdkg/id/service/hosting> ?x }''')
    False
    """
    if _calls(text):
        return True
    if "\\u" in text or "\\U" in text:  # a parser that reads \\u escapes before the grammar (SPARQL 1.1's rule)
        return _calls(_unescape(text))
    return False


def update_keyword(text: str) -> str | None:
    """The keyword of an update (``INSERT``, ``DELETE``, ``LOAD``...) when ``text`` is a SPARQL Update,
    else ``None`` (a query, or not SPARQL at all).

    >>> update_keyword("PREFIX ex: <http://example.org/> # add one\\nINSERT DATA { ex:a ex:b ex:c }")
    'INSERT'
    >>> update_keyword("SELECT ?insert WHERE { ?insert ?p 'DELETE' }") is None
    True
    """
    position = 0
    while position < len(text):
        if text[position] == "<":
            end = text.find(">", position)
            if end != -1 and _IRI_CONTENT.fullmatch(text, position + 1, end):
                position = end + 1
                continue
        match = _TOKEN.match(text, position)
        position = match.end()
        word = match.group().upper() if match.lastgroup == "word" else ""
        if word and word not in ("BASE", "PREFIX", "VERSION") and not word.endswith(":"):  # past the prologue
            return word if word in _UPDATES else None
    return None


def _calls(text: str) -> bool:
    """Follow every reading of ``text``: a state is a position where a token starts, and whether the
    reading is inside an expression since a ``<`` read as "less than" (where ``SERVICE`` cannot occur until
    a ``)`` or a ``{``). Readings meet again after a comment or a string, and are followed once from there."""
    declarations: dict[str, list[str]] = {}
    for match in _DECLARATION.finditer(text):
        declarations.setdefault(match.group(1) or "", []).append(match.group(2))
    line_ends = [match.start() for match in re.finditer(r"[\r\n]", text)] + [len(text)]
    budget = _WORK_PER_CHARACTER * (len(text) + 1000)
    pending: list[tuple[int, bool]] = [(0, False)]
    seen = set(pending)

    def follow(state: tuple[int, bool]) -> None:
        if state not in seen:
            seen.add(state)
            pending.append(state)

    while pending:
        position, in_expression = pending.pop()
        while position < len(text):
            if text[position] == "<":
                follow((position + 1, True))  # "less than"
                end = text.find(">", position)
                if end != -1 and _IRI_CONTENT.fullmatch(text, position + 1, end):
                    follow((end + 1, in_expression))  # an IRI
                break
            if text[position] == "#":  # a comment, to the end of the line
                follow((line_ends[bisect.bisect_left(line_ends, position)], in_expression))
                break
            match = _TOKEN.match(text, position)
            budget -= match.end() - position
            if budget < 0:
                raise TooIntricate("the text has too many possible readings to check")
            kind, token = match.lastgroup, match.group()
            if kind == "string":
                follow((match.end(), in_expression))
                break
            if kind == "word" and not in_expression and _SERVICE.search(token) and not _trusted(token, declarations):
                return True
            if kind == "other" and token in "){":
                in_expression = False
            position = match.end()
    return False


def _trusted(word: str, declarations: dict[str, list[str]]) -> bool:
    """Whether every ``service`` in ``word`` is inside the local part of a prefixed name that always
    parses whole: plain ASCII after the colon, and no tail of the prefix (where a reading could start a
    name) declared with an IRI that a local part could turn invalid."""
    name = _TRUSTED_NAME.fullmatch(word)
    if name is None or _SERVICE.search(word, 0, len(name.group(1) or "") + len("service")):
        return False
    prefix = name.group(1) or ""
    return all(
        all(iri.endswith(("/", "#")) and "\\" not in iri for iri in declarations.get(prefix[start:], []))
        for start in range(len(prefix) + 1)
    )


def _unescape(text: str) -> str:
    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", character, text)
