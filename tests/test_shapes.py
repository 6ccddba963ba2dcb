"""The SHACL shapes accept the valid examples and reject each invalid example for its stated reason.

Each file in ontology/examples/invalid/ opens with ``# expect: RULE FOCUS [PATH] [warning]``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.io.loading import load
from kg.validation import validate

EXAMPLES = Path(__file__).resolve().parent.parent / "ontology" / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


def expectation(path: Path) -> dict:
    match = re.search(r"^# expect: (.+)$", path.read_text(), re.M)
    assert match, f"{path.name} states no expected failure"
    words = match.group(1).split()
    severity = "warning" if words[-1] == "warning" else "violation"
    words = [w for w in words if w != "warning"]
    return {"rule": words[0], "focus": words[1], "path": words[2] if len(words) > 2 else "", "severity": severity}


@pytest.mark.slow
@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_conforms_without_warnings(path):
    report = validate(load([path]))
    assert report.findings == []


@pytest.mark.slow
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_fails_for_its_stated_reason(path):
    expected = expectation(path)
    report = validate(load([path]))
    matching = [
        f
        for f in report.findings
        if (f.rule, f.focus, f.severity) == (expected["rule"], expected["focus"], expected["severity"])
        and (not expected["path"] or f.path == expected["path"])
    ]
    assert matching, f"expected {expected}, got {[str(f) for f in report.findings]}"
    # Nothing else is wrong with the example: every finding breaks the stated rule.
    assert {f.rule for f in report.findings} == {expected["rule"]}
    assert report.conforms == (expected["severity"] == "warning")


def test_there_is_an_invalid_example_for_each_rule_the_issue_names():
    rules = {expectation(p)["rule"] for p in INVALID}
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "LessThanOrEqualsConstraintComponent",
        "DatatypeConstraintComponent",
        "SPARQLConstraintComponent",
    } <= rules
    assert any(expectation(p)["severity"] == "warning" for p in INVALID)


@pytest.mark.slow
def test_bundled_dataset_conforms(bundled_graph):
    report = validate(bundled_graph)
    assert report.conforms, [str(f) for f in report.violations]
    assert report.warnings == []


def _verdict(report) -> tuple[bool, set]:
    return report.conforms, {(f.severity, f.focus, f.path, f.rule, f.message) for f in report.findings}


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [*VALID, *INVALID, EXAMPLES.parent.parent / "data" / "csv", Path(__file__).parent / "data" / "mini"],
    ids=lambda p: p.name,
)
def test_sparql_checks_on_the_store_give_pyshacls_verdicts(path):
    from kg.store.dataset import open_dataset
    from kg.validation.sparql import validate_store

    assert _verdict(validate_store(open_dataset([path]))) == _verdict(validate(load([path])))


def test_every_constraint_of_the_shapes_compiles_to_sparql():
    from kg.validation import load_shapes
    from kg.validation.sparql import compile_shapes

    checks = compile_shapes(load_shapes())
    assert {c.rule for c in checks} >= {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "ClassConstraintComponent",
        "PatternConstraintComponent",
        "InConstraintComponent",
        "LessThanConstraintComponent",
        "LessThanOrEqualsConstraintComponent",
        "OrConstraintComponent",
        "XoneConstraintComponent",
        "SPARQLConstraintComponent",
    }
