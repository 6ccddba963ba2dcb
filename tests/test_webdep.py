"""Importing the real web-dependency measurements shipped as data/samples/webdep-us-2023."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Literal

from kg.io.webdep import PROVIDERS, import_webdep, provider_aliases
from kg.model.facts import read_facts
from kg.model.namespace import PD, data_iri
from kg.model.resources import BUNDLED_CSV

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
#: The sample the README's web examples, the benchmarks and these tests use (see its README).
WEBDEP = ROOT / "data" / "samples" / "webdep-us-2023"


@pytest.fixture(scope="module")
def imported():
    return import_webdep(WEBDEP)


@pytest.fixture(scope="module")
def facts(imported):
    return read_facts(imported[0])


def test_every_measured_site_becomes_a_website(imported):
    graph, report = imported
    sites = {row[1].strip().lower() for row in csv.reader((WEBDEP / "websites.csv").open()) if len(row) > 1}
    assert report.websites == len(sites) == 7979
    assert (data_iri("entity", "facebook.com"), None, PD.Website) in graph
    assert report.rows == {"websites.csv": 7979, "dns.csv": 8957, "cdn.csv": 1454, "ca.csv": 9084}


def test_counts_add_up(imported):
    _, report = imported
    rows = report.rows["dns.csv"] + report.rows["cdn.csv"] + report.rows["ca.csv"]
    assert report.dependencies + report.duplicates + sum(report.skipped.values()) == rows
    assert report.skipped["no provider named"] == 2  # the two cdn.csv rows with only rank and domain


def test_private_rows_are_self_provision(facts):
    own = [d for d in facts.dependencies.values() if d.dependent == "facebook.com" and d.service == "dns"]
    assert [d.provider for d in own] == ["facebook.com"]
    assert all(d.self_provided for d in own)


def test_one_company_under_several_measured_names_is_one_provider(facts):
    aws = {d.service for d in facts.dependencies.values() if d.provider == "aws"}
    assert aws == {"dns", "cdn", "certificate-authority"}
    assert facts.entities["aws"].name == "Amazon Web Services" and facts.entities["aws"].owner == "amazon"


def test_redundant_providers_are_separate_dependencies(facts):
    sites = {}
    for d in facts.dependencies.values():
        if d.service == "dns":
            sites.setdefault(d.dependent, set()).add(d.provider)
    assert sum(len(p) > 1 for p in sites.values()) > 100


def test_ocsp_stapling_and_the_six_column_ca_rows(imported):
    graph, _ = imported
    tmz = data_iri("dependency", "tmz.com-certificate-authority-aws")
    assert (tmz, PD.ocspStapling, Literal(True)) in graph
    assert (tmz, PD.effect, PD.Channel) in graph
    unstapled = data_iri("dependency", "paytrace.com-certificate-authority-aws")
    assert (unstapled, PD.ocspStapling, Literal(False)) in graph and (unstapled, PD.effect, None) not in graph
    assert (tmz, PD.measuredName, Literal("Amazon")) in graph


def test_measured_names_are_kept(imported):
    graph, _ = imported
    assert (data_iri("dependency", "mapquest.com-dns-aws"), PD.measuredName, Literal("amazon.com")) in graph


def test_imported_measurements_validate_with_the_curated_data(imported):
    from kg.io.loading import load
    from kg.validation import validate

    graph = load() + imported[0]
    report = validate(graph)
    assert report.conforms, [str(f) for f in report.violations[:5]]


def test_shared_provider_ids_agree_with_the_curated_entities():
    curated = {row["id"]: row for row in csv.DictReader((BUNDLED_CSV / "entities.csv").open())}
    rows = [row for row in csv.DictReader(line for line in PROVIDERS.open() if not line.startswith("#"))]
    for row in rows:
        if row["id"] in curated:
            for column in ("name", "kind", "owner", "country"):
                assert row[column] == curated[row["id"]][column], (row["id"], column)


def test_every_alias_points_to_a_listed_provider():
    listed = {row["id"] for row in csv.DictReader(line for line in PROVIDERS.open() if not line.startswith("#"))}
    assert set(provider_aliases().values()) <= listed


def test_the_sample_is_in_the_clone_with_its_licence_and_origin():
    """Issue 20, item 14: the web examples work from a clone; the MIT licence travels with the copy, and
    its README says where the files come from."""
    assert {p.name for p in WEBDEP.iterdir()} >= {"LICENSE", "README.md", "websites.csv", "dns.csv", "cdn.csv"}
    licence = (WEBDEP / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Copyright (c) 2023 Aqsa" in licence
    readme = (WEBDEP / "README.md").read_text()
    assert "AqsaKashaf/Webdep" in readme and "77d5fc423323b536e66970114b9edac445e8eca3" in readme
    assert "IMC 2020" in readme


def test_the_sample_stays_out_of_the_wheel():
    """Nothing in the package reads the sample; the wheel ships data/ (as kg/_shipped/data) without it."""
    import tomllib

    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "data" in wheel["only-include"] and wheel["sources"]["data"] == "kg/_shipped/data"
    assert "data/samples" in wheel["exclude"] and "force-include" not in wheel  # force-include ignores exclude
