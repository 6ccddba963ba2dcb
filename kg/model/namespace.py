"""The ontology's terms, named once.

Every ``pd:`` term that code uses is an attribute of :class:`PD`. The class is closed
(``_fail = True``), so a misspelt term raises ``AttributeError`` instead of minting a new
IRI; ``tests/test_namespace.py`` checks it against ``ontology/pdkg.ttl`` both ways.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD, DefinedNamespace

__all__ = [
    "DATA",
    "DCAT",
    "DCTERMS",
    "ONTOLOGY_IRI",
    "OWL",
    "PD",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "VOID",
    "WD",
    "XSD",
    "data_iri",
    "identifier_of",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/pdkg/ontology")


class PD(DefinedNamespace):
    """Classes, properties and individuals of the pdkg ontology."""

    _NS = Namespace("https://w3id.org/pdkg/ontology#")
    _fail = True

    Actor: URIRef
    Answered: URIRef
    App: URIRef
    AppStoreAndroid: URIRef
    AppStoreIOS: URIRef
    Authentication: URIRef
    Authority: URIRef
    AvailabilityObservation: URIRef
    Banking: URIRef
    BlogHosting: URIRef
    CDN: URIRef
    CertificateAuthority: URIRef
    Channel: URIRef
    Company: URIRef
    ContentDistribution: URIRef
    CustomerSupport: URIRef
    CutOff: URIRef
    DDoSProtection: URIRef
    DNS: URIRef
    Degraded: URIRef
    Dependency: URIRef
    Effect: URIRef
    Email: URIRef
    EndedForUnknownReason: URIRef
    Ending: URIRef
    Endpoint: URIRef
    Endpoints: URIRef
    Essential: URIRef
    Event: URIRef
    Evidence: URIRef
    Forum: URIRef
    Game: URIRef
    Hosting: URIRef
    IPTransit: URIRef
    Imageboard: URIRef
    InternetAccess: URIRef
    LeftByDependent: URIRef
    MeasurementRun: URIRef
    MessagingService: URIRef
    NewsSite: URIRef
    NoData: URIRef
    NoSuchName: URIRef
    Offline: URIRef
    Online: URIRef
    Operation: URIRef
    OtherError: URIRef
    Outage: URIRef
    Outcome: URIRef
    Payments: URIRef
    Platform: URIRef
    Provider: URIRef
    Reachable: URIRef
    Refused: URIRef
    Registrar: URIRef
    Registry: URIRef
    Restoration: URIRef
    SMS: URIRef
    ServerFailure: URIRef
    Service: URIRef
    ServiceScheme: URIRef
    SocialNetwork: URIRef
    Source: URIRef
    Status: URIRef
    TerminatedByProvider: URIRef
    TimedOut: URIRef
    UnnamedProvider: URIRef
    VideoPlatform: URIRef
    Warning: URIRef
    Website: URIRef
    actsOn: URIRef
    additive: URIRef
    answer: URIRef
    appliesIn: URIRef
    authenticationBy: URIRef
    banksWith: URIRef
    blogHostedBy: URIRef
    cdnBy: URIRef
    certifiedBy: URIRef
    classificationRule: URIRef
    connectedBy: URIRef
    contact: URIRef
    countryCode: URIRef
    customerSupportBy: URIRef
    date: URIRef
    ddosProtectedBy: URIRef
    defaultEffect: URIRef
    dependent: URIRef
    dependsOn: URIRef
    directProperty: URIRef
    distributedBy: URIRef
    distributedOnAndroidBy: URIRef
    distributedOnIOSBy: URIRef
    dnsBy: URIRef
    effect: URIRef
    emailBy: URIRef
    endDate: URIRef
    endTime: URIRef
    endedBy: URIRef
    hasDependency: URIRef
    hostedBy: URIRef
    measuredDomain: URIRef
    measuredName: URIRef
    note: URIRef
    observedActor: URIRef
    ocspStapling: URIRef
    orderedBy: URIRef
    outageOf: URIRef
    outcome: URIRef
    ownedBy: URIRef
    partial: URIRef
    paymentsBy: URIRef
    provider: URIRef
    questionKind: URIRef
    questionName: URIRef
    questionType: URIRef
    reachableAt: URIRef
    reachedThrough: URIRef
    registeredWith: URIRef
    registryBy: URIRef
    resoldOn: URIRef
    resolver: URIRef
    server: URIRef
    service: URIRef
    smsBy: URIRef
    standalone: URIRef
    startDate: URIRef
    startTime: URIRef
    status: URIRef
    tool: URIRef
    toolVersion: URIRef
    vantageCountry: URIRef
    vantageNetwork: URIRef
    wikidataItem: URIRef


#: schema.org, with the https IRIs that current schema.org uses.
SCHEMA = SDO
#: Wikidata items.
WD = Namespace("http://www.wikidata.org/entity/")
#: Data (instance) IRIs: ``DATA["entity/parler"]``.
DATA = Namespace("https://w3id.org/pdkg/id/")

#: The kinds of data node, each with its own path under :data:`DATA`.
DATA_KINDS = ("entity", "dependency", "event", "source", "observation", "outage", "run", "evidence")

#: Prefixes bound on every graph the library builds or serialises.
PREFIXES = {
    "pd": PD._NS,
    "entity": DATA["entity/"],
    "dependency": DATA["dependency/"],
    "event": DATA["event/"],
    "source": DATA["source/"],
    "observation": DATA["observation/"],
    "outage": DATA["outage/"],
    "run": DATA["run/"],
    "evidence": DATA["evidence/"],
    "dcterms": DCTERMS._NS,
    "prov": PROV._NS,
    "schema": Namespace(str(SDO._NS)),
    "skos": SKOS._NS,
    "owl": OWL._NS,
    "xsd": XSD._NS,
    "wd": WD,
}


def data_iri(kind: str, identifier: str) -> URIRef:
    """Return the IRI of a data node of ``kind`` with the given identifier.

    Examples
    --------
    >>> data_iri("entity", "parler")
    rdflib.term.URIRef('https://w3id.org/pdkg/id/entity/parler')
    """
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data kind {kind!r}")
    return DATA[f"{kind}/{identifier}"]


def identifier_of(iri: URIRef) -> str:
    """Return the last path segment of a data or ontology IRI (its identifier).

    Examples
    --------
    >>> identifier_of(data_iri("entity", "parler"))
    'parler'
    >>> identifier_of(PD.Hosting)
    'Hosting'
    """
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
