"""A run measured from a real name server, written in the interchange format, imported, validated and
analysed (issue 21): the DNS slice of kg measure end to end, nothing leaving 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.measure.assemble import RunInfo, assemble_dns, write_tables
from kg.measure.dns import measure_dns_sync

from .test_measure_dns import nsd  # noqa: F401 (the fixture: a real NSD on 127.0.0.1)

KG = str(Path(sys.executable).with_name("kg"))


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=300)


def test_a_measured_run_imports_validates_and_answers(nsd, tmp_path):  # noqa: F811
    results = measure_dns_sync(
        ["shop.example", "site.test", "nowhere.test"],
        resolver=nsd.address,
        nameserver_port=nsd.port,
        timeout=1.0,
        nameserver_depth=1,
    )
    run = assemble_dns(results, RunInfo("run-1", "DE", version="0.1.0", resolvers=(nsd.address,)))
    write_tables(run, tmp_path / "measured")
    dependencies = {(d["dependent"], d["provider"]): d for d in run.dependencies}
    # A third party's name servers, the site's own (self-provision), and the provider's own DNS in turn.
    assert ("shop.example", "provider.example") in dependencies
    assert ("site.test", "site.test") in dependencies
    assert dependencies["site.test", "site.test"]["rule"].startswith("same-domain")
    assert ("provider.example", "provider.example") in dependencies
    assert run.outcomes["nowhere.test"] == "nxdomain"
    every = {row["id"] for row in run.evidence}
    for dependency in run.dependencies:
        assert set(dependency["evidence"].split(";")) <= every
    imported = kg("import", str(tmp_path / "measured"), "--out", str(tmp_path / "measured.ttl"))
    assert imported.returncode == 0, imported.stderr  # the shapes check runs, evidence and rules
    status = kg("status", "shop.example", "-d", str(tmp_path / "measured"), "-q")
    assert status.returncode == 0, status.stderr
    assert "online" in status.stdout.splitlines()[0]
    spof = kg("spof", "shop.example", "-d", str(tmp_path / "measured"), "-q")
    assert spof.returncode == 0, spof.stderr
    assert "provider.example" in spof.stdout
    stats = kg("stats", "-d", str(tmp_path / "measured"), "--json")
    assert json.loads(stats.stdout)["unsourced"] == []  # measured facts are sourced by their evidence
