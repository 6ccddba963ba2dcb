"""The SHACL shapes as SPARQL checks, run on the store: validation of millions of facts in seconds.

pySHACL walks the data in Python, which is fine for curated files and far too slow for measurement
data. This module compiles every constraint of ``ontology/shapes.ttl`` into one SPARQL SELECT that
returns the focus nodes (and values) violating it, and runs them on the pyoxigraph store of a
:class:`~kg.store.dataset.Dataset` (data with the ontology, so class targets include subclasses). The
findings are :class:`~kg.validation.Finding` records like pySHACL's; the tests check that both give the
same verdicts on every example in ``ontology/examples/``.

The compiler covers the SHACL Core constraints the shapes use (``minCount``, ``maxCount``,
``datatype``, ``class``, ``nodeKind``, ``pattern``, ``in``, ``minLength``, ``lessThan``,
``lessThanOrEquals``, ``or``, ``xone``) and SPARQL-based constraints; a shape using anything else is
refused with :class:`NotImplementedError` rather than checked wrongly.

Fast engine; pairs with :mod:`kg.validation.shacl` (pySHACL), held to the same verdicts on every example by
``tests/test_shapes.py::test_sparql_checks_on_the_store_give_pyshacls_verdicts``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.validation.report import Finding, ValidationReport, compact, load_shapes

__all__ = ["Check", "compile_shapes", "validate_store"]

_TYPE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
#: Casts that tell a well-formed literal of a datatype from an ill-formed one.
_CASTS = {XSD.date: "xsd:date", XSD.dateTime: "xsd:dateTime", XSD.boolean: "xsd:boolean", XSD.gYear: None}
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True)
class Check:
    """One constraint as a SPARQL query returning ``?this`` (and ``?value``) for each violation."""

    shape: str
    path: str  # IRI of the property path, "" for a node-level constraint
    rule: str  # the SHACL constraint component, e.g. "MinCountConstraintComponent"
    severity: str
    message: str
    query: str


def _n3(term) -> str:
    return term.n3() if isinstance(term, (URIRef, Literal)) else str(term)


def _list(shapes: Graph, head) -> list:
    return list(Collection(shapes, head))


def _targets(shapes: Graph, shape) -> str:
    patterns = [f"{{ ?this {_TYPE} {_n3(cls)} }}" for cls in shapes.objects(shape, SH.targetClass)]
    patterns += [f"{{ ?this {_n3(p)} ?anyValue }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    patterns += [f"{{ VALUES ?this {{ {_n3(n)} }} }}" for n in shapes.objects(shape, SH.targetNode)]
    if not patterns:
        return ""
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(patterns) + " } }"


def _datatype_test(datatype, value: str = "?value") -> str:
    """A SPARQL condition true when ``value`` is a well-formed literal of ``datatype``."""
    test = f"(isLiteral({value}) && datatype({value}) = {_n3(datatype)})"
    cast = _CASTS.get(datatype)
    if cast:
        test += f" && COALESCE({cast}(STR({value})) = {cast}(STR({value})), false)"
    return f"({test})"


def _value_test(shapes: Graph, node) -> str:
    """A condition a value node must meet for one (node-shape-like) member of sh:or / sh:xone."""
    tests = []
    for predicate, obj in shapes.predicate_objects(node):
        if predicate == SH.datatype:
            tests.append(_datatype_test(obj))
        elif predicate == SH["class"]:
            tests.append(f"EXISTS {{ ?value {_TYPE} {_n3(obj)} }}")
        elif predicate in (RDF.type, SH.message, SH.name):
            continue
        else:
            raise NotImplementedError(f"sh:or/sh:xone member with {predicate}")
    return "(" + " && ".join(tests or ["true"]) + ")"


def _property_condition(shapes: Graph, node) -> str:
    """A focus-node condition for a property shape used inside a node-level sh:or (count bounds only)."""
    path = shapes.value(node, SH.path)
    tests = []
    for predicate, obj in shapes.predicate_objects(node):
        if predicate == SH.minCount and int(obj) == 1:
            tests.append(f"EXISTS {{ ?this {_n3(path)} ?any }}")
        elif predicate == SH.maxCount and int(obj) == 0:
            tests.append(f"NOT EXISTS {{ ?this {_n3(path)} ?any }}")
        elif predicate in (SH.path, RDF.type, SH.message, SH.name):
            continue
        else:
            raise NotImplementedError(f"node-level sh:or member with {predicate} {obj}")
    return "(" + " && ".join(tests or ["true"]) + ")"


def _failing_patterns(shapes: Graph, members: list) -> str | None:
    """For a node-level sh:or whose members are single count bounds, a group pattern matching the focus
    nodes that fail every member (joins and anti-joins, each reading a property's triples once), or
    ``None`` when a member is more than that."""
    present, absent = [], []
    for number, member in enumerate(members):
        path = shapes.value(member, SH.path)
        bounds = [
            (predicate, int(obj))
            for predicate, obj in shapes.predicate_objects(member)
            if predicate not in (SH.path, RDF.type, SH.message, SH.name)
        ]
        if bounds == [(SH.minCount, 1)]:
            absent.append(f"MINUS {{ ?this {_n3(path)} ?absent{number} }}")
        elif bounds == [(SH.maxCount, 0)]:
            present.append(f"?this {_n3(path)} ?present{number} .")
        else:
            return None
    return " ".join([*present, "{TARGET}", *absent])


def _select(target: str, body: str, *, value: bool = True) -> str:
    projection = "?this ?value" if value else "?this"
    return f"SELECT DISTINCT {projection} WHERE {{ {target} {body} }}"


def _property_checks(shapes: Graph, shape, node, target: str) -> Iterator[tuple[str, str, str, str, str]]:
    """(path, rule, severity, message, query) for each constraint of one property shape."""
    path = shapes.value(node, SH.path)
    if not isinstance(path, URIRef):
        raise NotImplementedError("only simple property paths are compiled")
    p = _n3(path)
    severity = _SEVERITY.get(shapes.value(node, SH.severity), "violation")
    message = str(shapes.value(node, SH.message) or shapes.value(shape, SH.message) or "")

    def check(rule: str, query: str):
        return str(path), rule, severity, message, query

    values = f"?this {p} ?value ."
    for predicate, obj in shapes.predicate_objects(node):
        if predicate == SH.minCount and int(obj) == 1:
            # MINUS reads the property's triples once (an anti-join), where OPTIONAL + GROUP BY looks up
            # and groups every focus node.
            query = f"SELECT DISTINCT ?this WHERE {{ {target} MINUS {{ ?this {p} ?v }} }}"
            yield check("MinCountConstraintComponent", query)
        elif predicate == SH.minCount:
            body = f"OPTIONAL {{ ?this {p} ?v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(obj)}"
            yield check("MinCountConstraintComponent", f"SELECT ?this WHERE {{ {target} {body})")
        elif predicate == SH.maxCount:
            # Count values per subject over the property's triples first; only those over the bound are
            # then matched against the targets.
            over = f"SELECT ?this WHERE {{ ?this {p} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(obj)})"
            yield check("MaxCountConstraintComponent", f"SELECT DISTINCT ?this WHERE {{ {{ {over} }} {target} }}")
        elif predicate == SH.datatype:
            yield check("DatatypeConstraintComponent", _select(target, f"{values} FILTER (!{_datatype_test(obj)})"))
        elif predicate == SH["class"]:
            # The property's distinct values first, minus the class's instances (each read once), and
            # only the values left are traced back to their focus nodes.
            distinct = f"{{ SELECT DISTINCT ?value WHERE {{ ?anyFocus {p} ?value }} }}"
            wrong = f"{distinct} MINUS {{ ?value {_TYPE} {_n3(obj)} }}"
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {wrong} {values} {target} }}"
            yield check("ClassConstraintComponent", query)
        elif predicate == SH.nodeKind:
            test = {SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)", SH.BlankNode: "isBlank(?value)"}[obj]
            yield check("NodeKindConstraintComponent", _select(target, f"{values} FILTER (!{test})"))
        elif predicate == SH.pattern:
            flags = shapes.value(node, SH.flags)
            regex = f"REGEX(STR(?value), {Literal(str(obj)).n3()}" + (
                f", {Literal(str(flags)).n3()})" if flags else ")"
            )
            yield check("PatternConstraintComponent", _select(target, f"{values} FILTER (isBlank(?value) || !{regex})"))
        elif predicate == SH["in"]:
            allowed = ", ".join(_n3(member) for member in _list(shapes, obj))
            yield check("InConstraintComponent", _select(target, f"{values} FILTER (?value NOT IN ({allowed}))"))
        elif predicate == SH.minLength:
            body = f"{values} FILTER (isBlank(?value) || STRLEN(STR(?value)) < {int(obj)})"
            yield check("MinLengthConstraintComponent", _select(target, body))
        elif predicate in (SH.lessThan, SH.lessThanOrEquals):
            operator = "<" if predicate == SH.lessThan else "<="
            rule = "LessThanConstraintComponent" if operator == "<" else "LessThanOrEqualsConstraintComponent"
            body = f"{values} ?this {_n3(obj)} ?other . FILTER (!(?value {operator} ?other))"
            yield check(rule, _select(target, body))
        elif predicate == SH["or"]:
            test = " || ".join(_value_test(shapes, member) for member in _list(shapes, obj))
            yield check("OrConstraintComponent", _select(target, f"{values} FILTER (!({test}))"))
        elif predicate in (SH.path, SH.name, SH.message, SH.severity, SH.flags, SH.description, RDF.type):
            continue
        else:
            raise NotImplementedError(f"constraint {predicate} is not compiled to SPARQL")


def _prefixes(shapes: Graph, node) -> str:
    declared = []
    for ontology in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            declared.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(declared)


def _sparql_check(shapes: Graph, node, target: str) -> str:
    text = str(shapes.value(node, SH.select)).replace("$this", "?this")
    where = text.upper().index("WHERE")
    brace = text.index("{", where)
    return f"{_prefixes(shapes, node)}\n{text[: brace + 1]} {target} {text[brace + 1 :]}"


@lru_cache(maxsize=4)
def _compiled(shapes_path: str) -> tuple[Check, ...]:
    return tuple(compile_shapes(load_shapes(shapes_path)))


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every constraint of ``shapes`` as a :class:`Check`."""
    checks = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        target = _targets(shapes, shape)
        if not target:
            continue
        name = str(shape)
        shape_message = str(shapes.value(shape, SH.message) or "")
        shape_severity = _SEVERITY.get(shapes.value(shape, SH.severity), "violation")
        for node in shapes.objects(shape, SH.property):
            for path, rule, severity, message, query in _property_checks(shapes, shape, node, target):
                checks.append(Check(name, path, rule, severity, message, _with_prefixes(query)))
        for alternatives in shapes.objects(shape, SH["or"]):
            members = _list(shapes, alternatives)
            failing = _failing_patterns(shapes, members)
            if failing is not None:
                query = f"SELECT DISTINCT ?this WHERE {{ {failing.replace('{TARGET}', target)} }}"
            else:
                test = " || ".join(_property_condition(shapes, member) for member in members)
                query = _select(target, f"FILTER (!({test}))", value=False)
            checks.append(
                Check(name, "", "OrConstraintComponent", shape_severity, shape_message, _with_prefixes(query))
            )
        for members in shapes.objects(shape, SH.xone):
            count = " + ".join(
                f"IF({_value_test(shapes, member).replace('?value', '?this')}, 1, 0)"
                for member in _list(shapes, members)
            )
            query = _select(target, f"FILTER (({count}) != 1)", value=False)
            checks.append(
                Check(name, "", "XoneConstraintComponent", shape_severity, shape_message, _with_prefixes(query))
            )
        for node in shapes.objects(shape, SH.sparql):
            message = str(shapes.value(node, SH.message) or shape_message)
            checks.append(
                Check(
                    name, "", "SPARQLConstraintComponent", shape_severity, message, _sparql_check(shapes, node, target)
                )
            )
    return checks


def _with_prefixes(query: str) -> str:
    return f"PREFIX xsd: <{XSD}>\n{query}"


def _node(text: str):
    """A cell of a check's result as :func:`~kg.validation.report.compact` takes it: an IRI as one."""
    return URIRef(text) if text.startswith(("http://", "https://", "urn:")) else text


def validate_store(dataset, shapes_path=None, *, progress=None) -> ValidationReport:
    """Validate a dataset's store against the shapes with SPARQL; the same findings as
    :func:`kg.validation.validate` (severity, focus node, path, rule, message). ``progress(step, done,
    total)`` is called after each check."""
    from kg.io.queryrows import select_rows
    from kg.model.resources import SHAPES

    shapes_file = str(shapes_path or SHAPES)
    findings = set()
    store = _UnionStore(dataset.store)
    checks = _compiled(shapes_file)
    for done, check in enumerate(checks, start=1):
        if progress is not None:
            progress("checking shapes", done - 1, len(checks))
        for row in select_rows(store, check.query):
            focus = row[0].value if row[0] is not None else ""
            value = row[1].value if len(row) > 1 and row[1] is not None else ""
            findings.add(
                Finding(
                    severity=check.severity,
                    focus=compact(_node(focus)),
                    path=compact(_node(check.path)),
                    rule=check.rule,
                    message=check.message,
                    value=compact(_node(value)),
                    shape=compact(_node(check.shape)),
                )
            )
    return ValidationReport(sorted(findings))


class _UnionStore:
    """A store whose queries see the data and the ontology together."""

    def __init__(self, store) -> None:
        self.store = store

    def query(self, text: str):
        return self.store.query(text, use_default_graph_as_union=True)
