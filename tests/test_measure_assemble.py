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


def test_kg_measure_writes_what_kg_import_reads(nsd, tmp_path):  # noqa: F811
    listed = tmp_path / "domains.txt"
    listed.write_text("# to measure\nsite.test\n\nBücher.example\n", encoding="utf-8")
    out = tmp_path / "m"
    result = kg(
        "measure", "shop.example", "--from", str(listed), "--resolver", nsd.address,
        "--nameserver-port", str(nsd.port), "--country", "de", "--timeout", "1", "--out", str(out), "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("measured ")
    assert "wrote " in result.stderr and result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["dependencies.csv", "entities.csv", "evidence.csv", "runs.csv"]
    assert ",DE," in (out / "runs.csv").read_text()
    imported = kg("import", str(out), "--out", str(tmp_path / "m.ttl"))
    assert imported.returncode == 0, imported.stderr


def test_kg_measure_refuses_what_it_cannot_use_in_one_line(tmp_path):
    for args, said in (
        (["gab.test", "--resolver", "127.0.0.1:9", "--country", "EU"], "vantage country 'EU' is not an ISO 3166-1"),
        (["--resolver", "127.0.0.1:9", "--country", "DE"], "no domains to measure"),
        (["gab.test", "--resolver", "not a resolver", "--country", "DE"], "not a resolver"),
    ):
        result = kg("measure", *args, "--out", str(tmp_path / "m"))
        assert result.returncode == 2, (args, result.stderr)
        assert said in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1


def test_kg_changes_shows_a_move_and_a_domain_that_stopped_answering():
    """The worked example of the README: two runs over two .test domains (tests/data/measured)."""
    measured = str(Path(__file__).resolve().parent / "data" / "measured")
    text = kg("changes", measured)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "run-2026-12-01 (2026-12-01 10:00 UTC) -> run-2026-12-08 (2026-12-08 10:00 UTC):"
    assert "  forum.test: dns moved from Host Co to Other DNS between 2026-12-01 and 2026-12-08" in lines
    assert "  video.test: stopped answering (nxdomain) between 2026-12-01 and 2026-12-08" in lines
    document = json.loads(kg("changes", measured, "--json").stdout)
    (step,) = document["steps"]
    assert {(c["dependent"], c["service"], tuple(c["ended"]), tuple(c["began"])) for c in step["changes"]} >= {
        ("forum.test", "dns", ("hostco",), ("otherdns",))
    }
    assert [(s["dependent"], s["status"]) for s in step["statuses"]] == [("video.test", "unreachable")]


def test_a_failed_measurement_is_a_gap_not_a_change(tmp_path):
    import shutil

    folder = tmp_path / "measured"
    shutil.copytree(Path(__file__).resolve().parent / "data" / "measured", folder)
    evidence = folder / "evidence.csv"
    text = evidence.read_text(encoding="utf-8").replace(
        "r2-forum-ns,run-2026-12-08,forum.test,dns,NS,forum.test,127.0.0.1:5353,2026-12-08T10:00:01Z,ok,ns1.otherdns.test.,",
        "r2-forum-ns,run-2026-12-08,forum.test,dns,NS,forum.test,127.0.0.1:5353,2026-12-08T10:00:01Z,timeout,,",
    )
    evidence.write_text(text, encoding="utf-8")
    dependencies = folder / "dependencies.csv"
    kept = [line for line in dependencies.read_text(encoding="utf-8").splitlines() if "otherdns" not in line]
    dependencies.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = kg("changes", str(folder))
    assert result.returncode == 0, result.stderr
    assert "forum.test: dns" not in result.stdout  # its DNS was not measured in the second run
    assert "forum.test: stopped answering (timeout)" in result.stdout
