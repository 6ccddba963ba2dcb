"""The dataset description shipped with the data: VoID and DCAT (title, licence, version, counts, ontology).

``data/pdkg-data.void.ttl`` is :func:`describe` of the bundled dataset; a test regenerates it and checks
that the committed file is the same, so its counts cannot go stale (``kg describe --out`` rewrites it).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef

from kg.model.namespace import DCAT, DCTERMS, ONTOLOGY_IRI, OWL, PD, PREFIXES, RDF, VOID, XSD

__all__ = ["DATASET_IRI", "LICENCE", "describe"]

#: The curated dataset.
DATASET_IRI = URIRef("https://w3id.org/pdkg/data")
#: Its licence (the ontology's too; the code is MIT).
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: The classes counted in the description.
COUNTED = (PD.Dependency, PD.CutOff, PD.Warning, PD.Restoration, PD.AvailabilityObservation, PD.Source)


def describe(data: Graph, *, version: str, dump: str = "pdkg-data.ttl") -> Graph:
    """A VoID/DCAT description of ``data`` (the data triples, without the ontology), at ``version``.

    >>> from kg.io.loading import load
    >>> description = describe(load(ontology=False), version="0.1.0")
    >>> int(description.value(DATASET_IRI, VOID.triples)) == len(load(ontology=False))
    True
    """
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    node = DATASET_IRI
    for kind in (VOID.Dataset, DCAT.Dataset):
        graph.add((node, RDF.type, kind))
    graph.add((node, DCTERMS.title, Literal("Platform Dependency Knowledge Graph: curated cases", lang="en")))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal(
                "Dated, sourced dependencies of online platforms on infrastructure providers (hosting, app "
                "stores, registrars, DNS, CDN, DDoS protection, payments...) and the recorded cut-offs.",
                lang="en",
            ),
        )
    )
    graph.add((node, DCTERMS.license, LICENCE))
    graph.add((node, OWL.versionInfo, Literal(version)))
    graph.add((node, DCTERMS.conformsTo, ONTOLOGY_IRI))
    graph.add((node, VOID.vocabulary, URIRef(str(PD._NS))))
    graph.add((node, VOID.dataDump, URIRef(dump)))
    graph.add((node, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    graph.add((node, VOID.distinctSubjects, Literal(len(set(data.subjects())), datatype=XSD.integer)))
    typed = set(data.subjects(RDF.type, None))
    graph.add((node, VOID.entities, Literal(len(typed), datatype=XSD.integer)))
    kinds = {kind for _, _, kind in data.triples((None, RDF.type, None))}
    for kind in sorted(kinds & set(COUNTED), key=str):
        partition = BNode(f"partition-{str(kind).rsplit('#', 1)[-1]}")
        graph.add((node, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], kind))
        count = len(set(data.subjects(RDF.type, kind)))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    return graph
