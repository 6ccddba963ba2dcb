"""Sphinx configuration of pdkg's documentation: MyST Markdown pages, the Python API from docstrings.

Build it (no network needed) with ``.venv/bin/sphinx-build -W --keep-going -b html docs docs/_build/html``
after ``.venv/bin/pip install -e '.[docs]'``; ``tests/test_docs.py`` builds it the same way.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # autodoc imports kg from this checkout, installed or not

project = "pdkg"
author = "the pdkg authors"
copyright = "the pdkg authors; code MIT, ontology and curated dataset CC BY 4.0"

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4  # links such as [exit codes](exit-codes.md#...) resolve to headings (included pages: h4)
highlight_language = "none"  # unlabelled blocks are command output, shown as they are

html_theme = "furo"
html_title = "pdkg"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True}

# The docstrings follow numpydoc's layout with a description where numpydoc puts a type ("name : what it is"),
# which Sphinx's numpydoc readers (napoleon, numpydoc) would show as types. Shown as Sphinx fields instead:
# "Parameters" entries become ``:param name:`` fields and every other heading a rubric.
_HEADING = re.compile(r"^(Parameters|Attributes|Examples|Returns|Raises|Notes)$")
_UNDERLINE = re.compile(r"^-{3,}$")
_ENTRY = re.compile(r"^(\w+) : (.*)$")


def _numpydoc_sections(app, what, name, obj, options, lines: list[str]) -> None:
    section = None
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _HEADING.match(line) and _UNDERLINE.match(following):
            section = line
            if section != "Parameters":
                out += [f".. rubric:: {section}", ""]
            index += 2
            continue
        entry = _ENTRY.match(line) if section == "Parameters" else None
        if entry:
            out.append(f":param {entry[1]}: {entry[2]}")
        elif section == "Parameters" and line and not line[0].isspace():
            section = None  # prose after the entries ends the field list
            out += ["", line] if out and out[-1] else [line]
        else:
            out.append(line)
        index += 1
    lines[:] = out


def setup(app):
    app.connect("autodoc-process-docstring", _numpydoc_sections)
