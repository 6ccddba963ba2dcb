"""The namespace module and the ontology file name exactly the same pd: terms."""

from rdflib import Graph, URIRef

from kg.model.namespace import PD
from kg.model.resources import ONTOLOGY


def ontology_terms() -> set[str]:
    graph = Graph().parse(ONTOLOGY)
    prefix = str(PD._NS)
    return {str(s)[len(prefix) :] for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(prefix)}


def namespace_terms() -> set[str]:
    return set(PD.__annotations__)


def test_every_namespace_term_is_defined_in_the_ontology():
    assert namespace_terms() - ontology_terms() == set()


def test_every_ontology_term_is_in_the_namespace_module():
    assert ontology_terms() - namespace_terms() == set()


def test_a_misspelt_term_is_an_error():
    import pytest

    with pytest.raises(AttributeError):
        PD.hostedby  # noqa: B018


def test_every_term_has_a_label_and_a_comment():
    from rdflib.namespace import RDFS

    graph = Graph().parse(ONTOLOGY)
    missing = [
        t
        for t in ontology_terms()
        if (PD[t], RDFS.label, None) not in graph or (PD[t], RDFS.comment, None) not in graph
    ]
    assert missing == []
