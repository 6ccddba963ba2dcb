"""What validation reports, whichever engine ran it: :class:`Finding` rows in a :class:`ValidationReport`.

Each finding names the node, the property path, the rule (SHACL constraint component) and the shape's
message, with names compacted the same way by every engine (:func:`compact`). Warnings (a fact without a
source) are reported but do not make the data non-conforming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef

from kg.model.namespace import PREFIXES
from kg.model.resources import SHAPES

__all__ = ["Finding", "ValidationReport", "compact", "load_shapes"]


@dataclass(frozen=True, order=True)
class Finding:
    """One result of validation: which node broke which rule."""

    severity: str  # "violation", "warning" or "info"
    focus: str  # the node at fault, as a compact name (entity:parler) or IRI
    path: str  # the property path, compact, or "" for a node-level rule
    rule: str  # the SHACL constraint component, e.g. "MinCountConstraintComponent"
    message: str
    value: str = ""  # the offending value, when there is one
    shape: str = ""

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value} [{self.rule}]"


@dataclass(frozen=True)
class ValidationReport:
    """All findings of one validation run; ``conforms`` is false when any finding is a violation."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def load_shapes(path: str | Path = SHAPES) -> Graph:
    """Return the shapes graph."""
    return Graph().parse(path, format="turtle")


def compact(term) -> str:
    """A node, path or value as a finding names it: an IRI as a prefixed name where one of the project's
    prefixes fits (``entity:parler``), else ``<IRI>``; a literal or a blank node as its text; nothing as "".

    >>> from rdflib import URIRef
    >>> compact(URIRef("https://w3id.org/pdkg/id/entity/parler"))
    'entity:parler'
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return _names().namespace_manager.normalizeUri(term)
        except Exception:
            return str(term)
    return str(term)


@cache
def _names() -> Graph:
    names = Graph()
    for prefix, namespace in PREFIXES.items():
        names.bind(prefix, namespace)
    return names
