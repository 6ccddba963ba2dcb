"""Write the small input files of the bad-input corpus (tests/bad_inputs/files/) from tests/data/mini.

Run once after changing it: ``python tests/bad_inputs/make_files.py``. The big inputs (a 1 MB field,
entity expansion) are made at test time by tests/test_bad_inputs.py instead of being committed.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINI = HERE.parent / "data" / "mini"
FILES = HERE / "files"

PREFIXES = """@prefix pd: <https://w3id.org/pdkg/ontology#> .
@prefix entity: <https://w3id.org/pdkg/id/entity/> .
@prefix dependency: <https://w3id.org/pdkg/id/dependency/> .
@prefix source: <https://w3id.org/pdkg/id/source/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

PAIR = """entity:site a pd:Website ; rdfs:label "Site" ; dcterms:identifier "site" .
entity:host a pd:Provider ; rdfs:label "Host" ; dcterms:identifier "host" .
entity:other a pd:Provider ; rdfs:label "Other" ; dcterms:identifier "other" .
"""


def mini(name: str) -> list[str]:
    return (MINI / name).read_text(encoding="utf-8").splitlines()


def dataset(folder: str, **replaced: list[str]) -> Path:
    """A copy of the mini dataset with some files' lines replaced."""
    target = FILES / folder
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(MINI.glob("*.csv")):
        lines = replaced.get(path.stem, mini(path.name))
        (target / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def edited(name: str, line: int, text: str) -> list[str]:
    """The lines of a mini file with line ``line`` (1-based) replaced by ``text``."""
    lines = mini(name)
    lines[line - 1] = text
    return lines


def write(name: str, text: str | bytes) -> None:
    path = FILES / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def measurements(folder: str, files: dict[str, str]) -> None:
    """A webdep-us-2023 folder holding these files (name without .csv -> content)."""
    for name, content in files.items():
        write(f"{folder}/{name}.csv", content)


def ttl(name: str, body: str) -> None:
    write(name, PREFIXES + body)


def main() -> None:
    shutil.rmtree(FILES, ignore_errors=True)
    FILES.mkdir()
    deps = mini("dependencies.csv")
    ents = mini("entities.csv")
    # -- CSV: quoting and encoding
    dataset("csv-unterminated-quote", dependencies=edited("dependencies.csv", 3, deps[2] + ',"never closed'))
    dataset("csv-text-after-quote", dependencies=edited("dependencies.csv", 3, deps[2] + '"a" b'))
    swallowed = deps[:2] + [deps[2].rstrip(",") + ',"a note that swallows', *deps[3:5], 'the end"'] + deps[5:]
    dataset("csv-swallowed-records", dependencies=swallowed)
    target = dataset("csv-utf16")
    text = (MINI / "entities.csv").read_text(encoding="utf-8")
    (target / "entities.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    target = dataset("csv-latin1")
    (target / "entities.csv").write_bytes(text.replace("Parent Co", "Parent Cö").encode("latin-1"))
    target = dataset("csv-bom-crlf-quoted")  # valid: a UTF-8 BOM, CRLF line ends, quoted commas and newlines
    for path in target.glob("*.csv"):
        content = path.read_text(encoding="utf-8").replace("self-hosted DNS", '"self-hosted DNS, on\nits own servers"')
        path.write_bytes(codecs.BOM_UTF8 + content.replace("\n", "\r\n").encode("utf-8"))
    # -- CSV: columns
    dataset("csv-missing-column", dependencies=[",".join(r.split(",")[:2] + r.split(",")[3:]) for r in deps[:1]])
    dataset("csv-unknown-column", dependencies=edited("dependencies.csv", 1, deps[0] + ",provder_note"))
    dataset("csv-duplicated-column", dependencies=edited("dependencies.csv", 1, deps[0].replace(",note", ",source")))
    dataset("csv-extra-fields", dependencies=edited("dependencies.csv", 3, deps[2] + ",x,y"))
    reordered = []
    for row in ents:
        cells = row.split(",")
        reordered.append(",".join([cells[2], cells[0], cells[1], *cells[3:]]))
    dataset("csv-reordered-columns", entities=reordered)  # valid: columns go by name
    dataset("csv-empty-file", sources=[])
    # valid: no dependencies, events or observations at all
    dataset(
        "csv-header-only",
        dependencies=deps[:1],
        events=mini("events.csv")[:1],
        availability=mini("availability.csv")[:1],
    )
    # -- CSV: values
    dataset("csv-unknown-kind", entities=edited("entities.csv", 3, ents[2].replace("provider", "hosting-provider")))
    dataset("csv-unknown-service", dependencies=edited("dependencies.csv", 2, deps[1].replace(",hosting,", ",hostin,")))
    dataset("csv-unknown-entity", dependencies=edited("dependencies.csv", 2, deps[1].replace(",hostco,", ",hostcoo,")))
    dataset("csv-unknown-source", dependencies=edited("dependencies.csv", 3, deps[2].replace("news-1", "news-2")))
    dataset(
        "csv-impossible-date", dependencies=edited("dependencies.csv", 3, deps[2].replace("2021-02-15", "2021-02-30"))
    )
    dataset(
        "csv-other-date-format", dependencies=edited("dependencies.csv", 3, deps[2].replace("2021-02-15", "15/02/2021"))
    )
    dataset(
        "csv-end-before-start", dependencies=edited("dependencies.csv", 2, deps[1].replace("2019-05-01", "2021-05-01"))
    )
    dataset(
        "csv-start-equals-end", dependencies=edited("dependencies.csv", 2, deps[1].replace("2019-05-01", "2021-01-11"))
    )
    dataset(
        "csv-bad-identifier",
        dependencies=edited("dependencies.csv", 3, deps[2].replace("acme-newhost-hosting", "acme newhost")),
    )
    dataset(
        "csv-control-in-identifier",
        dependencies=edited("dependencies.csv", 3, deps[2].replace("acme-newhost-hosting", "acme\x07x")),
    )
    dataset("csv-duplicate-id", dependencies=deps + [deps[2].replace("2021-02-15", "2021-03-01")])
    sources = mini("sources.csv")
    dataset(
        "csv-javascript-url",
        sources=edited("sources.csv", 2, sources[1].replace("https://news.example/acme", "javascript:alert(1)")),
    )
    dataset(
        "csv-data-url",
        sources=edited(
            "sources.csv",
            2,
            sources[1].replace("https://news.example/acme", '"data:text/html,<script>alert(1)</script>"'),
        ),
    )
    dataset(
        "csv-formula-url",
        sources=edited("sources.csv", 2, sources[1].replace("https://news.example/acme", "=cmd|' /C calc'!A0")),
    )
    dataset("csv-nul-in-name", entities=edited("entities.csv", 2, ents[1].replace("Acme", "Ac\x00me")))
    dataset("csv-newline-in-name", entities=edited("entities.csv", 2, ents[1].replace("Acme", '"Ac\nme"')))
    dataset(
        "csv-markup-names", entities=edited("entities.csv", 2, ents[1].replace("Acme", '"<script>alert(1)</script>"'))
    )
    dataset("csv-bidi-name", entities=edited("entities.csv", 2, ents[1].replace("Acme", "Acme \u202egnp.exe")))
    dataset("csv-ansi-name", entities=edited("entities.csv", 2, ents[1].replace("Acme", "Acme\x1b]0;pwned\x07\x1b[2J")))
    dataset(
        "csv-cycle",  # valid: a provider and its upstream depend on each other
        dependencies=deps + ["newhost-hostco-transit,newhost,hostco,ip-transit,2020-01-01,,,,dataset-1,"],
    )
    (FILES / "empty-folder").mkdir()  # of data: git keeps no empty folder, so a note is in it
    (FILES / "empty-folder" / "README").write_text("a folder with no data files\n", encoding="utf-8")
    (FILES / "folder.ttl").mkdir()
    (FILES / "folder.ttl" / "README").write_text("a folder whose name ends in .ttl\n", encoding="utf-8")
    write("notes.txt", "not data\n")
    # -- webdep measurements
    good = {
        "websites": "1000,example.com\n",
        "cdn": "1000,example.com,cloudfront,Third\n",
        "ca": "1000,example.com,amazon,Third,True\n",
    }
    measurements("webdep-wrong-shape", {**good, "dns": "1000,example.com\n1000,other.org\n"})
    measurements("webdep-swapped-columns", {**good, "dns": "1000,example.com,Third,amazon.com\n"})
    measurements("webdep-missing-file", {"websites": good["websites"]})
    # -- RDF syntax
    ttl("truncated.ttl", PAIR + 'entity:x a pd:Website ; rdfs:label "unfinished')
    ttl("iri-with-space.ttl", PAIR + "<https://example.org/a b> a pd:Website .\n")
    ttl("iri-with-control.ttl", PAIR + "<https://example.org/a\x01b> a pd:Website .\n")
    write(
        "malformed.nt",
        '<https://example.org/a> <https://example.org/p> "x" .\n<https://example.org/a> <https://example.org/p> .\n',
    )
    write("malformed.jsonld", '{"@id": "https://example.org/a", "https://example.org/p": "x"\n')
    write(
        "malformed.rdf",
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="https://example.org/a">\n</rdf:RDF>\n',
    )
    write(
        "remote-context.jsonld",
        '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "https://example.org/a", "name": "x"}\n',
    )
    write("file-context.jsonld", '{"@context": ["file:///etc/passwd"], "@id": "https://example.org/a", "name": "x"}\n')
    write(
        "import-context.jsonld",
        '{"@context": {"@import": "http://127.0.0.1:9/c.jsonld"}, "@id": "https://example.org/a"}\n',
    )
    write(
        "xxe.rdf",
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '<rdf:Description rdf:about="https://example.org/a"><rdfs:label>&secret;</rdfs:label></rdf:Description>\n</rdf:RDF>\n',
    )
    write(
        "parameter-entity.rdf",
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote; ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>\n',
    )
    write(
        "namespace-entities.owl",  # valid: plain entities for namespaces, as Protégé writes them
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n    <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="&rdfs;">\n'
        '<rdf:Description rdf:about="https://example.org/a"><rdfs:label>A</rdfs:label></rdf:Description>\n</rdf:RDF>\n',
    )
    # -- RDF content
    dependency = (
        "dependency:d a pd:Dependency ; pd:dependent entity:site ; pd:provider entity:host ; pd:service pd:Hosting"
    )
    ttl("ill-typed-date.ttl", PAIR + dependency + ' ; pd:startDate "2021-02-30"^^xsd:date .\n')
    ttl(
        "ill-typed-datetime.ttl",
        PAIR
        + dependency
        + ' ; pd:startDate "2021-02-01"^^xsd:date ; pd:startTime "2021-02-01T25:00:00Z"^^xsd:dateTime .\n',
    )
    ttl("date-as-integer.ttl", PAIR + dependency + ' ; pd:startDate "20210201"^^xsd:integer .\n')
    ttl("ill-typed-boolean.ttl", PAIR + dependency + ' ; pd:partial "maybe"^^xsd:boolean .\n')
    ttl(
        "ill-typed-issued.ttl",
        PAIR
        + 'source:s a pd:Source ; dcterms:publisher "P" ; dcterms:title "T" ; dcterms:issued "June 2023"^^xsd:gYearMonth ;\n    <https://schema.org/url> "https://example.org/"^^xsd:anyURI .\n',
    )
    ttl("unknown-service.ttl", PAIR + dependency.replace("pd:Hosting", "pd:Hostingg") + " .\n")
    ttl("two-providers.ttl", PAIR + dependency + " ; pd:provider entity:other .\n")
    ttl(
        "conflicting-dates.ttl",
        PAIR + dependency + ' ; pd:startDate "2021-02-01"^^xsd:date , "2021-03-01"^^xsd:date .\n',
    )
    ttl("no-provider.ttl", PAIR + "dependency:d a pd:Dependency ; pd:dependent entity:site ; pd:service pd:Hosting .\n")
    ttl(
        "self-dependency.ttl",
        PAIR
        + "dependency:d a pd:Dependency ; pd:dependent entity:site ; pd:provider entity:site ; pd:service pd:Hosting .\n",
    )
    ttl(  # a user's own RDF may hold anything: text output escapes it
        "terminal-controls.ttl",
        'entity:site a pd:Website ; rdfs:label "Site\\u001B]0;pwned\\u0007\\u001B[2J \\u202Egnp.exe" ; dcterms:identifier "site" .\n',
    )
    # -- SPARQL
    write("update.rq", "# An update.\nINSERT DATA { <https://example.org/a> <https://example.org/p> 1 }\n")
    write(
        "service.rq", "# Calls another server.\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n"
    )
    write("syntax-error.rq", "# Broken.\nSELECT * WHERE { ?s ?p\n")
    write("select.rq", "# Every source URL.\nSELECT ?url WHERE { ?s <https://schema.org/url> ?url } ORDER BY ?url\n")


if __name__ == "__main__":
    main()
