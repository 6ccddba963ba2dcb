"""Benchmark: import the webdep-us-2023 measurements, load them with the curated data, validate, export.

Run on demand: ``.venv/bin/python bench/import_validate.py [WEBDEP_FOLDER]`` (default: the sample in
data/samples/webdep-us-2023). Prints seconds and peak memory for each step; no assertion, no timing in the
test suite.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from kg.io.export import serialize
from kg.io.loading import load
from kg.io.outputs import write_output
from kg.io.webdep import import_webdep
from kg.model.stats import compute_stats
from kg.validation import validate

FOLDER = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "data/samples/webdep-us-2023"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(label: str, function):
    start = time.perf_counter()
    result = function()
    print(f"{label:<42} {time.perf_counter() - start:7.2f} s   peak {peak_mb():7.0f} MB")
    return result


def main() -> None:
    graph, report = step("import webdep (CSV -> RDF)", lambda: import_webdep(FOLDER))
    print(
        f"  {report.websites} websites, {report.providers} providers, {report.dependencies} dependencies, "
        f"{len(graph)} triples"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "webdep.ttl"
        step("serialise + write Turtle", lambda: write_output(path, serialize(graph, "turtle")))
        print(f"  {path.stat().st_size / 1e6:.1f} MB of Turtle")
        merged = step("load curated + webdep Turtle (rdflib)", lambda: load([path]) + load())
    step("statistics", lambda: compute_stats(merged))
    result = step("SHACL validation (pySHACL)", lambda: validate(merged))
    print(f"  conforms: {result.conforms}, {len(result.violations)} violations, {len(result.warnings)} warnings")


if __name__ == "__main__":
    main()
