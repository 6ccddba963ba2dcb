"""Where the files the package ships live (the ontology, the shapes, the queries and the bundled data), and
the package's version.

In a source checkout they are the top-level ``ontology/``, ``queries/`` and ``data/`` folders; an
installed wheel carries copies of them inside the package (see ``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["BUNDLED_CSV", "BUNDLED_DATASET", "DATA", "ONTOLOGY", "QUERIES", "SHAPES", "package_version", "resource_dir"]

_PACKAGE = Path(__file__).resolve().parent.parent  # kg/, where a wheel puts _shipped/


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` (``ontology``, ``queries`` or ``data``), packaged or in the checkout."""
    for candidate in (_PACKAGE / "_shipped" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the package's {name}/ folder is missing (looked in {_PACKAGE})")


ONTOLOGY = resource_dir("ontology") / "pdkg.ttl"
SHAPES = resource_dir("ontology") / "shapes.ttl"
QUERIES = resource_dir("queries")
DATA = resource_dir("data")
#: The curated dataset, as generated from :data:`BUNDLED_CSV` by ``kg import``.
BUNDLED_DATASET = DATA / "pdkg-data.ttl"
#: The curated dataset's CSV files, the form analysts edit.
BUNDLED_CSV = DATA / "csv"


@cache
def package_version() -> str:
    """The installed version of pdkg ("0.0.0" when running from a checkout that was never installed); read
    on first use, since :mod:`importlib.metadata` costs start-up time."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pdkg")
    except PackageNotFoundError:
        return "0.0.0"
