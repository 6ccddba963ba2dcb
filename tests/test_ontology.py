"""The ontology parses with an independent parser (raptor's rapper) and is consistent for HermiT, data included."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph

from kg.model.resources import BUNDLED_DATASET, ONTOLOGY, SHAPES

ROOT = Path(__file__).resolve().parent.parent
RAPPER = shutil.which("rapper")
EXAMPLES = sorted((ROOT / "ontology" / "examples").glob("*/*.ttl"))


@pytest.mark.skipif(RAPPER is None, reason="rapper (Debian raptor2-utils) is not installed")
@pytest.mark.parametrize("path", [ONTOLOGY, SHAPES, BUNDLED_DATASET, *EXAMPLES], ids=lambda p: Path(p).name)
def test_rapper_parses(path):
    result = subprocess.run([RAPPER, "-i", "turtle", "-c", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(RAPPER is None, reason="rapper (Debian raptor2-utils) is not installed")
def test_rapper_rejects_broken_turtle(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(ONTOLOGY.read_text()[:-200] + " ; ;; .")
    assert subprocess.run([RAPPER, "-i", "turtle", "-c", str(bad)], capture_output=True).returncode != 0


@pytest.mark.skipif(RAPPER is None, reason="rapper (Debian raptor2-utils) is not installed")
def test_rapper_counts_the_same_triples_as_rdflib():
    result = subprocess.run([RAPPER, "-i", "turtle", "-o", "ntriples", str(ONTOLOGY)], capture_output=True, text=True)
    rapper_graph = Graph().parse(data=result.stdout, format="nt")
    assert len(rapper_graph) == len(Graph().parse(ONTOLOGY))


def hermit_consistent(*paths: Path, tmp_path: Path) -> tuple[bool, str]:
    """Ask owlready2's bundled HermiT whether the union of the files is consistent."""
    import owlready2

    graph = Graph()
    for path in paths:
        graph.parse(path)
    merged = tmp_path / "merged.owl"
    graph.serialize(merged, format="xml")
    folder = Path(owlready2.__file__).parent / "hermit"
    command = [
        "java",
        "-Xmx1000M",
        "-cp",
        f"{folder}:{folder / 'HermiT.jar'}",
        "org.semanticweb.HermiT.cli.CommandLine",
        # xsd:date is outside the OWL 2 datatype map; HermiT then treats its literals as opaque.
        "-k",
        "--ignoreUnsupportedDatatypes",
        merged.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if "InconsistentOntologyException" in result.stderr:
        return False, result.stderr
    assert result.returncode == 0, result.stderr
    return "owl#Thing is satisfiable" in result.stdout, result.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="java is not installed")
def test_ontology_and_bundled_data_are_consistent(tmp_path):
    consistent, output = hermit_consistent(ONTOLOGY, BUNDLED_DATASET, tmp_path=tmp_path)
    assert consistent, output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="java is not installed")
def test_hermit_detects_an_inconsistent_event(tmp_path):
    # A cut-off that is also a warning contradicts the ontology's disjointness axioms.
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix pd: <https://w3id.org/pdkg/ontology#> .\n"
        "<https://w3id.org/pdkg/id/event/x> a pd:CutOff , pd:Warning .\n"
    )
    consistent, output = hermit_consistent(ONTOLOGY, bad, tmp_path=tmp_path)
    assert not consistent, output


def test_ontology_header():
    from rdflib.namespace import DCTERMS, OWL, RDF

    graph = Graph().parse(ONTOLOGY)
    ontology = next(graph.subjects(RDF.type, OWL.Ontology))
    assert graph.value(ontology, OWL.versionIRI) is not None
    assert graph.value(ontology, DCTERMS.license) is not None
    assert graph.value(ontology, DCTERMS.description) is not None


def test_alignment_mappings_are_stated():
    from rdflib.namespace import SKOS

    from kg.model.namespace import PD

    graph = Graph().parse(ONTOLOGY)
    wikidata = "http://www.wikidata.org/prop/direct/"
    exact = {str(o) for o in graph.objects(None, SKOS.exactMatch)}
    close = {str(o) for o in graph.objects(None, SKOS.closeMatch)}
    assert f"{wikidata}P127" in exact and f"{wikidata}P750" in exact
    assert {f"{wikidata}P2283", f"{wikidata}P580", f"{wikidata}P582"} <= close
    assert (PD.Provider, SKOS.closeMatch, None) in graph
