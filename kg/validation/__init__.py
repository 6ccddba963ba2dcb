"""Validation: data checked against the SHACL shapes (``ontology/shapes.ttl``) and the rules beside them.

* :mod:`kg.validation.report`: :class:`Finding` and :class:`ValidationReport`, what every engine returns;
* :mod:`kg.validation.shacl`: pySHACL on an rdflib graph, the reference engine;
* :mod:`kg.validation.sparql`: the shapes compiled to SPARQL and run on a pyoxigraph store, the fast
  engine (``tests/test_shapes.py`` holds the two to the same verdicts on every example);
* :mod:`kg.validation.dataset`: a dataset validated by the engine chosen for it, with the look-alike names.

What it may import: :mod:`kg.errors`, the model (:mod:`kg.model`) and the input layer (:mod:`kg.io`); never the
store package, the analysis or the views (a store is validated through its pyoxigraph store, duck-typed).
"""

from kg.validation.dataset import lookalike_findings, validate_dataset
from kg.validation.report import Finding, ValidationReport, compact, load_shapes
from kg.validation.shacl import validate

__all__ = [
    "Finding",
    "ValidationReport",
    "compact",
    "load_shapes",
    "lookalike_findings",
    "validate",
    "validate_dataset",
]
