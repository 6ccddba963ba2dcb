"""Loading any mix of RDF syntaxes and CSV into one graph; syntax errors name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from kg.errors import InputError
from kg.io.export import serialize
from kg.io.loading import format_of, load
from kg.model.namespace import PD, RDF, data_iri

MINI = Path(__file__).resolve().parent / "data" / "mini"


def test_a_mix_of_formats_loads_into_one_graph(tmp_path):
    whole = load([MINI], ontology=False)
    # Split the mini case by subject kind across four syntaxes, then load them together.
    from rdflib import Graph

    pieces = {"turtle": Graph(), "nt": Graph(), "jsonld": Graph(), "xml": Graph()}
    for index, subject in enumerate(sorted(set(whole.subjects()))):
        target = list(pieces.values())[index % 4]
        for triple in whole.triples((subject, None, None)):
            target.add(triple)
    paths = []
    for (name, graph), suffix in zip(pieces.items(), (".ttl", ".nt", ".jsonld", ".rdf"), strict=True):
        path = tmp_path / f"part{suffix}"
        path.write_bytes(serialize(graph, name))
        paths.append(path)
    assert isomorphic(load(paths, ontology=False), whole)


def test_loading_includes_the_ontology_by_default():
    graph = load([MINI])
    assert (PD.Hosting, RDF.type, PD.Service) in graph
    assert (data_iri("entity", "acme"), RDF.type, PD.SocialNetwork) in graph


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "x\n', "bad.ttl:3: Turtle syntax error"),
        (
            "bad.nt",
            "<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> c .\n",
            "bad.nt:2: syntax error",
        ),
        ("bad.jsonld", '{"@id": "http://e/a",\n "http://e/b": [1,}\n', "bad.jsonld:2: JSON syntax error"),
        (
            "bad.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<rdf:Description rdf:about="http://e/a">\n</rdf:RDF>\n',
            "bad.rdf:4: XML syntax error",
        ),
    ],
)
def test_syntax_errors_name_file_and_line(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load([path])
    assert expected in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.ttl: no such file"):
        load([tmp_path / "nope.ttl"])
    with pytest.raises(InputError, match=r"my-cases: no such file or folder"):
        load([tmp_path / "my-cases"])


def test_unknown_file_type(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"unknown file type '.xlsx'"):
        format_of(path)


def test_binary_garbage_is_an_input_error(tmp_path):
    path = tmp_path / "garbage.ttl"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(InputError, match=r"garbage\.ttl"):
        load([path])
