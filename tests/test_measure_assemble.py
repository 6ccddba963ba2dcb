"""A run measured from a real name server, written in the interchange format, imported, validated and
analysed (issue 21): the DNS slice of kg measure end to end, nothing leaving 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.measure.assemble import RunInfo, assemble_dns, write_tables
from kg.measure.dns import measure_dns_sync

from .test_measure_dns import nsd  # noqa: F401 (the fixture: a real NSD on 127.0.0.1)

KG = str(Path(sys.executable).with_name("kg"))


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.server
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


@pytest.mark.server
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


@pytest.mark.slow
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


@pytest.mark.slow
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


def _run(identifier: str, day: int, provider: str, outcome: str = "ok"):
    """A one-domain run whose name servers are at ``provider`` (a run made as kg measure makes it)."""
    import datetime as dt

    from kg.measure.dns import DnsResult, NameServer
    from kg.measure.evidence import Evidence

    moment = dt.datetime(2026, 12, day, 10, 0, 1, tzinfo=dt.UTC)
    answer = (f"shop.test. 300 IN NS ns1.{provider}.",) if outcome == "ok" else ()
    ns = Evidence("shop.test", "dns", "NS shop.test", "127.0.0.1:53", moment, outcome, answer)
    servers = (NameServer(f"ns1.{provider}", provider),) if outcome == "ok" else ()
    result = DnsResult("shop.test", "shop.test", "shop.test", outcome, zone="shop.test", nameservers=servers,
                       evidence=(ns,))  # fmt: skip
    return assemble_dns([result], RunInfo(identifier, "DE", version="0.1.0"))


@pytest.mark.slow
def test_runs_merge_into_periods_that_import_and_analyse(tmp_path):
    """Three weekly runs: hosted DNS at one provider, a failed measurement (a gap), then another provider."""
    from kg.measure.assemble import write_tables
    from kg.measure.runfiles import merge_into

    folder = tmp_path / "into"
    for run in (_run("run-a", 1, "one.test"), _run("run-b", 8, "one.test", "timeout"), _run("run-c", 15, "two.test")):
        write_tables(run, folder / "runs" / run.info.identifier)
    assert merge_into(folder) == {"runs": 3, "periods": 2, "ended": 1}
    rows = {row["provider"]: row for row in csv_rows(folder / "dependencies.csv")}
    assert (rows["one.test"]["start"], rows["one.test"]["end"], rows["one.test"]["ended_by"]) == (
        "2026-12-01T10:00:01Z",
        "2026-12-15T10:00:01Z",  # the timeout of the 8th ends nothing: gone by the 15th
        "unknown",
    )
    assert (rows["two.test"]["end"], rows["two.test"]["run"]) == ("", "run-c")
    assert len(csv_rows(folder / "runs.csv")) == 3 and len(csv_rows(folder / "evidence.csv")) == 3
    imported = kg("import", str(folder), "--out", str(tmp_path / "merged.ttl"))
    assert imported.returncode == 0, imported.stderr
    before = kg("status", "shop.test", "-d", str(folder), "--as-of", "2026-12-10", "--json")
    assert json.loads(before.stdout)["services"][0]["providers"] == [{"id": "one.test", "name": "one.test"}]
    after = kg("status", "shop.test", "-d", str(folder), "--as-of", "2026-12-16", "--json")
    assert json.loads(after.stdout)["services"][0]["providers"] == [{"id": "two.test", "name": "two.test"}]
    moved = kg("changes", *(str(folder / "runs" / r) for r in ("run-a", "run-b", "run-c")))
    assert "shop.test: dns moved from one.test to two.test" not in moved.stdout  # a gap between a and b
    assert "stopped answering (timeout) between 2026-12-01 and 2026-12-08" in moved.stdout
    assert "shop.test: answers again (timeout before) between 2026-12-08 and 2026-12-15" in moved.stdout


def csv_rows(path):
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.server
def test_kg_measure_into_a_folder_twice_keeps_both_runs_and_one_period(nsd, tmp_path):  # noqa: F811
    import time

    into = tmp_path / "into"
    for _ in range(2):
        result = kg(
            "measure", "site.test", "--resolver", nsd.address, "--nameserver-port", str(nsd.port), "--country",
            "DE", "--timeout", "1", "--into", str(into), "-q",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "merged " in result.stderr
        time.sleep(1.1)  # runs are named to the second
    assert len(list((into / "runs").iterdir())) == 2
    (row,) = [r for r in csv_rows(into / "dependencies.csv") if r["dependent"] == "site.test"]
    assert (row["end"], len(row["run"].split(";"))) == ("", 2)
    imported = kg("import", str(into), "--out", str(tmp_path / "into.ttl"))
    assert imported.returncode == 0, imported.stderr
    both = kg("measure", "site.test", "--resolver", nsd.address, "--country", "DE", "--out", "a", "--into", "b")
    assert both.returncode == 2 and "one of them" in both.stderr
