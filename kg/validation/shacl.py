"""Validation with pySHACL: the reference engine, on an rdflib graph.

:func:`validate` runs the SHACL shapes (``ontology/shapes.ttl``) with the ontology's class hierarchy mixed
in. :func:`kg.validation.sparql.validate_store` gives the same findings on a store, much faster; the test
``tests/test_shapes.py::test_sparql_checks_on_the_store_give_pyshacls_verdicts`` holds the two to the same
verdicts on every example in ``ontology/examples/``.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.model.namespace import RDF
from kg.model.resources import ONTOLOGY
from kg.validation.report import Finding, ValidationReport, compact, load_shapes

__all__ = ["validate"]


def validate(data: Graph, *, shapes: Graph | None = None, ontology: str | Path = ONTOLOGY) -> ValidationReport:
    """Validate a data graph against the shapes, with the ontology's class hierarchy mixed in.

    Examples
    --------
    >>> from kg.io.loading import load
    >>> validate(load()).conforms
    True
    """
    ontology_graph = Graph().parse(ontology, format="turtle")
    _, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes if shapes is not None else load_shapes(),
        ont_graph=ontology_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    severities = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        component = results.value(result, SH.sourceConstraintComponent)
        findings.append(
            Finding(
                severity=severities.get(results.value(result, SH.resultSeverity), "violation"),
                focus=compact(results.value(result, SH.focusNode)),
                path=compact(results.value(result, SH.resultPath)),
                rule=str(component).rsplit("#", 1)[-1] if component else "",
                message=str(results.value(result, SH.resultMessage) or ""),
                value=compact(results.value(result, SH.value)),
                shape=compact(results.value(result, SH.sourceShape))
                if isinstance(results.value(result, SH.sourceShape), URIRef)
                else "",
            )
        )
    return ValidationReport(sorted(findings))
