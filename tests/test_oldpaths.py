"""The module paths of the flat layout keep importing for one release (issue 22): each is the module at its
new path, imported with a DeprecationWarning that names it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from kg.oldpaths import MOVED


def test_an_old_path_is_the_new_module_with_a_warning():
    """In a fresh interpreter, where no module is imported yet."""
    code = """
import importlib, warnings
from kg.oldpaths import MOVED
for old, new in MOVED.items():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is importlib.import_module(new), (old, new)
    assert module.__spec__.name == module.__name__ == new, old
    said = [str(w.message) for w in seen if w.category is DeprecationWarning]
    assert said == [f"{old} is now {new}; the old path goes in the next release"], (old, said)
print(len(MOVED))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(MOVED))


def test_every_new_path_exists_and_no_old_path_is_a_file():
    for old, new in MOVED.items():
        assert importlib.util.find_spec(new) is not None, new
        assert importlib.util.find_spec(old).origin is None, f"{old} is a module of its own again"


def test_the_flat_layouts_python_example_still_runs():
    """The names the README's example imported before the layout (kg.loading, kg.facts, kg.depgraph, ...)."""
    code = """
import datetime as dt, warnings
warnings.simplefilter("ignore", DeprecationWarning)
from kg.loading import load
from kg.facts import read_facts
from kg.profile import entity_profile
from kg.depgraph import build_graph
from kg.scenario import make_scenario
from kg.impact import assess
from kg.validation import validate
facts = read_facts(load())
assert [d.provider for d in entity_profile(facts, "Parler").depends_on if d.service == "hosting"] == ["aws", "skysilk"]
graph = build_graph(facts, dt.date(2021, 1, 7))
impact = assess(graph, make_scenario(graph, cuts=[("Parler", "AWS", None)]))
assert impact.explain("parler").startswith("Parler: offline since 2021-01-07: lost hosting")
"""
    subprocess.run([sys.executable, "-c", code], check=True)
