"""The layers of kg/ hold: a module imports only from its own layer or lower ones, and no imports go round
in a circle (issue 22). Every import counts, at the top of a module or inside a function."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

KG = Path(__file__).resolve().parent.parent / "kg"

#: Low to high. A module may import its own layer and the ones before it; layers on one line are
#: independent of each other.
LAYERS = [
    ["kg.errors"],
    ["kg.model"],
    ["kg.io"],
    ["kg.validation"],
    ["kg.store"],
    ["kg.analysis"],
    ["kg.views"],
    ["kg.sparql", "kg.measure"],
    ["kg.api"],
    ["kg.cli"],
]
#: Not layers: the package's face (re-exports the API), and the finder of the old module paths.
OUTSIDE = {"kg", "kg.oldpaths", "kg.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every kg module ``path`` imports, anywhere in it (relative imports resolved)."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            named = {f"{base}.{alias.name}" for alias in node.names}
            submodules = {name for name in named if _is_module(name)}  # `from kg.io import csvdata`
            found.update(submodules)
            if len(submodules) < len(named):  # names defined in ``base`` itself
                found.add(base)
    return {m for m in found if m == "kg" or m.startswith("kg.")}


def _is_module(name: str) -> bool:
    path = KG.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in KG.rglob("*.py")}


def layer_of(name: str) -> int | None:
    """The index in :data:`LAYERS` of the layer ``name`` belongs to."""
    for index, layer in enumerate(LAYERS):
        if any(name == top or name.startswith(top + ".") for top in layer):
            return index
    return None


def graph() -> nx.DiGraph:
    known = modules()
    edges = nx.DiGraph()
    for name, path in known.items():
        edges.add_node(name)
        edges.add_edges_from((name, imported) for imported in imports_of(path) if imported != name)
    return edges


def test_every_module_is_in_a_layer():
    assert [name for name in modules() if layer_of(name) is None and name not in OUTSIDE] == []


def test_no_layer_imports_a_higher_one():
    """Nor the package's face, which hands on the whole API: a layer that imports ``kg`` imports them all."""
    wrong = defaultdict(list)
    for module, imported in graph().edges:
        if module in OUTSIDE:
            continue
        if imported == "kg" or (imported not in OUTSIDE and _above(imported, module)):
            wrong[module].append(imported)
    assert dict(wrong) == {}


def _above(imported: str, module: str) -> bool:
    theirs, mine = _place(imported), _place(module)
    return theirs[0] > mine[0] or (theirs[0] == mine[0] and theirs[1] != mine[1])  # or a sibling


def _place(name: str) -> tuple[int, str]:
    index = layer_of(name)
    return index, next(top for top in LAYERS[index] if name == top or name.startswith(top + "."))


def test_no_import_circle():
    circles = [sorted(c) for c in nx.strongly_connected_components(graph()) if len(c) > 1]
    assert circles == []


@pytest.mark.parametrize("package", sorted(p.parent.name for p in KG.glob("*/__init__.py")))
def test_each_layer_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse((KG / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "may import" in doc, f"kg/{package}/__init__.py: say what it owns and what it may import"


def test_the_rule_catches_a_lower_layer_importing_a_higher_one(tmp_path, monkeypatch):
    """The contract can fail: a model module importing the views is reported."""
    fake = tmp_path / "kg"
    (fake / "model").mkdir(parents=True)
    (fake / "views").mkdir()
    (fake / "model" / "bad.py").write_text("def f():\n    from kg.views.text import table\n")
    (fake / "views" / "text.py").write_text("from kg.model import bad\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["KG"]), "KG", fake)
    assert ("kg.model.bad", "kg.views.text") in graph().edges
    with pytest.raises(AssertionError):
        test_no_layer_imports_a_higher_one()
    with pytest.raises(AssertionError):
        test_no_import_circle()


#: What the command line may import: the front door, the errors, the model, files in and out, and the text
#: and JSON views it prints with. Analysis, engines, the store, validation, SPARQL and measurement are
#: reached through :mod:`kg.api` only.
CLI_MAY_IMPORT = ("kg.api", "kg.errors", "kg.model", "kg.io", "kg.views.text", "kg.views.jsondoc")


def test_the_command_line_holds_no_analysis_engine_choice_or_json_building():
    cli = KG / "cli.py"
    beyond = sorted(
        m for m in imports_of(cli) if m != "kg" and not any(m == a or m.startswith(a + ".") for a in CLI_MAY_IMPORT)
    )
    assert beyond == [], "kg/cli.py reaches past kg.api"
    stdlib = {
        alias.name
        for node in ast.walk(ast.parse(cli.read_text()))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert "json" not in stdlib, "every --json goes through kg.views.jsondoc.json_text"
