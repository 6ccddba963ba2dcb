"""``kg measure`` end to end against real servers on 127.0.0.1 and ::1 (issue 21): NSD for the test zones
(two versions of them: a week apart, one site moving its DNS and its hosting, one gone), an HTTPS server
whose certificates come from a trustme test CA (one expired, one self-signed), an RDAP server stub, and a
routing table and AS-to-organisation file written by the test. Every provider found, its rule and
evidence, the changes between the runs, and a run killed half-way and resumed.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import trustme

from .test_measure_dns import SOA, start_nsd
from .test_measure_rdap import domain_object
from .test_measure_web import NOW, HttpsSite, _context, _self_signed

pytestmark = [pytest.mark.server]

KG = str(Path(sys.executable).with_name("kg"))


def zone(text: str, serial: int = 1) -> str:
    return f"@ {SOA.format(mname='ns1.dnsco.test.', rname='hostmaster.dnsco.test.', serial=serial)}\n{text}"


def world(week: int) -> dict[str, str]:
    """The test zones in week 1 and in week 2: moving.test moves its DNS from dnsco to otherdns and its
    hosting from 127.0.0.1 (HostCo) to ::1 only (NewHost); gone.test is no longer delegated."""
    moving = "@ NS ns1.dnsco.test.\n@ A 127.0.0.1\n" if week == 1 else "@ NS ns1.otherdns.test.\n@ AAAA ::1\n"
    delegations = "".join(
        f"{name} NS {server}\n"
        for name, server in [
            ("shop", "ns1.dnsco.test."), ("own", "ns1.own"), ("moving", "ns1.dnsco.test." if week == 1 else
            "ns1.otherdns.test."), ("v6", "ns1.dnsco.test."), ("expired", "ns1.dnsco.test."),
            ("dnsco", "ns1.dnsco"), ("otherdns", "ns1.otherdns"), ("cdnco", "ns1.dnsco.test."),
            ("bulk", "ns1.dnsco.test."), ("indie", "ns1.smalldns.test."), ("smalldns", "ns1.smalldns"),
            ("brand", "ns1.brand-dns.test."), ("brand-dns", "ns1.brand-dns"),
            *([("gone", "ns1.dnsco.test.")] if week == 1 else []),
        ]
    )  # fmt: skip
    zones = {
        "test": f"@ {SOA.format(mname='ns.test.', rname='hostmaster.test.', serial=week)}\n@ NS ns\nns A 127.0.0.1\n"
        f"{delegations}ns1.own A 127.0.0.1\nns1.dnsco A 127.0.0.1\nns1.otherdns A 127.0.0.1\n"
        "ns1.smalldns A 127.0.0.1\nns1.brand-dns A 127.0.0.1\n",
        "dnsco.test": zone("@ NS ns1\nns1 A 127.0.0.1\n@ A 127.0.0.1\n"),
        "otherdns.test": zone("@ NS ns1\nns1 A 127.0.0.1\n"),
        "shop.test": zone("@ NS ns1.dnsco.test.\n@ A 127.0.0.1\nwww CNAME shop.edge.cdnco.test.\n"),
        "cdnco.test": zone("@ NS ns1.dnsco.test.\nshop.edge CNAME node7\nnode7 A 127.0.0.1\n"),
        "own.test": f"@ {SOA.format(mname='ns1.own.test.', rname='admin.own.test.', serial=1)}\n"
        "@ NS ns1\nns1 A 127.0.0.1\n@ A 127.0.0.1\n",
        "moving.test": zone(moving, serial=week),
        "v6.test": zone("@ NS ns1.dnsco.test.\n@ AAAA ::1\n"),
        "expired.test": zone("@ NS ns1.dnsco.test.\n@ A 127.0.0.1\n"),
        # Name servers no pattern knows: a provider whose SOA shares nothing with the site's (a third party),
        # and one whose SOA names the site's domain as its contact (the site's own).
        "indie.test": f"@ {SOA.format(mname='ns.indie.test.', rname='admin.indie.test.', serial=1)}\n"
        "@ NS ns1.smalldns.test.\n@ A 127.0.0.1\n",
        "smalldns.test": f"@ {SOA.format(mname='ns1.smalldns.test.', rname='hostmaster.smalldns.test.', serial=1)}\n"
        "@ NS ns1\nns1 A 127.0.0.1\n",
        "brand.test": f"@ {SOA.format(mname='ns1.brand-dns.test.', rname='admin.brand.test.', serial=1)}\n"
        "@ NS ns1.brand-dns.test.\n@ A 127.0.0.1\n",
        "brand-dns.test": f"@ {SOA.format(mname='ns1.brand-dns.test.', rname='admin.brand.test.', serial=1)}\n"
        "@ NS ns1\nns1 A 127.0.0.1\n",
        "bulk.test": zone("@ NS ns1.dnsco.test.\n" + "".join(f"n{i} A 127.0.0.1\n" for i in range(300))),
    }
    if week == 1:
        zones["gone.test"] = zone("@ NS ns1.dnsco.test.\n@ A 127.0.0.1\n")
    return zones


SITES = ["shop.test", "own.test", "moving.test", "v6.test", "expired.test", "gone.test", "nowhere.test", "indie.test",
         "brand.test"]  # fmt: skip

# The provider table given with --providers: the test's own providers, and real rows the test relies on.
PROVIDERS = """provider,name,service,party,match,pattern,source
dnsco.test,DNSCo,dns,third,domain,dnsco.test,test
otherdns.test,OtherDNS,dns,third,domain,otherdns.test,test
cdnco.test,CDNCo,cdn,third,domain,cdnco.test,test
hostco.test,HostCo,hosting,third,name,HostCo Networks,test
pdkgca.test,Pdkg Test CA,ca,third,name,Pdkg Test CA,test
amazon.com,CloudFront,cdn,third,header,x-amz-cf-id,pdkg
epik.com,Epik,registrar,third,name,Epik,pdkg
godaddy.com,GoDaddy,registrar,third,name,GoDaddy,pdkg
stripe.com,Stripe,payments,third,domain,stripe.com,pdkg
"""

PAGE = b"<html><head><script src='https://js.stripe.com/v3/'></script><script src='/app.js'></script></head></html>"


# shop.test (and its www) answers with a CloudFront header and a page loading Stripe's script; every other
# name with a plain "ok".
SHOP = (200, [("Content-Type", "text/html"), ("X-Amz-Cf-Id", "a1b2==")], PAGE)
ROUTES = {("shop.test", "/"): SHOP, ("www.shop.test", "/"): SHOP}


def site(address: str, port: int, contexts: dict[str, ssl.SSLContext]) -> HttpsSite:
    return HttpsSite(contexts, address=address, port=port, routes=ROUTES, default="shop.test")


class Rdap(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, registrars: dict[str, tuple[str, str]]) -> None:
        super().__init__(("127.0.0.1", 0), _RdapHandler)
        self.registrars = registrars
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _RdapHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        found = self.server.registrars.get(name)
        body = json.dumps(domain_object(name, *found) if found else {"errorCode": 404}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def both_families_port() -> int:
    """A port free on 127.0.0.1 and on ::1."""
    for _ in range(50):
        with socket.socket() as v4:
            v4.bind(("127.0.0.1", 0))
            port = v4.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET6) as v6:
                    v6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


@pytest.fixture(scope="module")
def internet(tmp_path_factory):
    """Week 1 and week 2 of the test Internet: two NSDs, the web on both loopbacks, RDAP, and the files."""
    folder = tmp_path_factory.mktemp("internet")
    week1 = start_nsd(tmp_path_factory.mktemp("nsd1"), world(1), ready_name="shop.test")
    week2 = start_nsd(tmp_path_factory.mktemp("nsd2"), world(2), ready_name="shop.test")
    ca = trustme.CA(organization_name="Pdkg Test CA")
    ca.cert_pem.write_to_path(folder / "ca.pem")
    good = ca.issue_cert("shop.test", "www.shop.test", "moving.test", "v6.test", "gone.test")
    expired = ca.issue_cert(
        "expired.test", not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=1)
    )
    contexts = {
        name: _context(pem, folder, name)
        for name, pem in [
            ("shop.test", good.private_key_and_cert_chain_pem.bytes()),
            ("expired.test", expired.private_key_and_cert_chain_pem.bytes()),
            ("own.test", _self_signed("own.test")),
        ]
    }
    for name in ("www.shop.test", "moving.test", "v6.test", "gone.test"):
        contexts[name] = contexts["shop.test"]
    port = both_families_port()
    servers = [site("127.0.0.1", port, contexts), site("::1", port, contexts)]
    rdap = Rdap({"shop.test": ("Epik Inc.", "617"), "moving.test": ("GoDaddy.com, LLC", "146")})
    bootstrap = {"version": "1.0", "publication": "2026-11-30T18:00:01Z",
                 "services": [[["test"], [f"http://127.0.0.1:{rdap.port}/rdap/"]]]}  # fmt: skip
    (folder / "dns.json").write_text(json.dumps(bootstrap))
    (folder / "routes.csv").write_text("127.0.0.0,127.255.255.255,64500\n::1,::1,64501\n")
    (folder / "as2org.txt").write_text(
        "# format:org_id|changed|org_name|country|source\n"
        "HOSTCO-ARIN|20260101|HostCo Networks|US|ARIN\nNEWHOST-RIPE|20260101|NewHost Ltd|DE|RIPE\n"
        "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
        "64500|20260101|HOSTCO|HOSTCO-ARIN||ARIN\n64501|20260101|NEWHOST|NEWHOST-RIPE||RIPE\n"
    )
    (folder / "providers.csv").write_text(PROVIDERS)
    yield {"week1": week1, "week2": week2, "port": port, "folder": folder}
    for server in [*servers, rdap]:
        server.shutdown()
        server.server_close()
    week1.stop()
    week2.stop()


def measure_args(internet, nsd, *more: str) -> list[str]:
    files = internet["folder"]
    return [
        KG, "measure", "--resolver", nsd.address, "--nameserver-port", str(nsd.port), "--country", "DE",
        "--contact", "mailto:measure@example.org", "--timeout", "1", "--retries", "0",
        "--asn-db", str(files / "routes.csv"), "--as-org", str(files / "as2org.txt"),
        "--rdap-bootstrap", str(files / "dns.json"), "--rdap-rate", "100", "--web-rate", "100",
        "--ca-file", str(files / "ca.pem"), "--https-port", str(internet["port"]), "--web-timeout", "5",
        "--providers", str(files / "providers.csv"), "-q", *more,
    ]  # fmt: skip


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def two_weeks(internet, tmp_path_factory):
    """``kg measure --into`` run in week 1 and in week 2 over the same sites (with --scripts)."""
    into = tmp_path_factory.mktemp("measured") / "m"
    done = []
    for week in ("week1", "week2"):
        result = run(
            measure_args(internet, internet[week], *SITES, "refused.example", "--scripts", "--into", str(into))
        )
        assert result.returncode == 0, result.stderr
        done.append(result)
        time.sleep(1.1)  # the second run starts in a later second
    return into, done


def run_folders(into: Path) -> list[Path]:
    return sorted(p for p in (into / "runs").iterdir() if p.is_dir())


def test_every_service_is_found_with_its_rule_and_evidence(two_weeks):
    into, _ = two_weeks
    week1 = run_folders(into)[0]
    found = {(d["dependent"], d["provider"], d["service"]): d for d in rows(week1 / "dependencies.csv")}
    evidence = {e["id"]: e for e in rows(week1 / "evidence.csv")}
    expected = {
        ("shop.test", "dnsco.test", "dns"): "known-third-party",
        (
            "shop.test",
            "hostco.test",
            "hosting",
        ): "known-third-party: 127.0.0.1 is routed from HostCo Networks (AS64500)",
        ("shop.test", "cdnco.test", "cdn"): "known-third-party: www.shop.test is an alias of shop.edge.cdnco.test",
        ("shop.test", "amazon.com", "cdn"): "cdn-header: the landing page answered with 'X-Amz-Cf-Id: a1b2=='",
        ("shop.test", "pdkgca.test", "certificate-authority"): "known-third-party: the certificate's issuer is "
        "'Pdkg Test CA'",
        ("shop.test", "epik.com", "registrar"): "known-third-party: the registry names 'Epik Inc.' (IANA Registrar "
        "ID 617)",
        ("shop.test", "stripe.com", "payments"): "script-host: the landing page loads scripts from js.stripe.com",
        # A site on its own name servers and with its own (self-signed) certificate: self-provision.
        ("own.test", "own.test", "dns"): "same-domain",
        ("own.test", "own.test", "certificate-authority"): "self-signed",
        # An IPv6-only site; an AS no pattern names is its own provider, named by its organisation.
        ("v6.test", "as64501", "hosting"): "origin-as: ::1 is routed from NewHost Ltd (AS64501)",
        ("moving.test", "godaddy.com", "registrar"): "known-third-party",
        # The SOA rules of the published studies, with the provider domain's SOA (asked, and cited).
        (
            "indie.test",
            "smalldns.test",
            "dns",
        ): "soa-differs: indie.test's SOA (primary indie.test, contact indie.test)",
        ("brand.test", "brand.test", "dns"): "soa-names-site: brand-dns.test's SOA names brand.test",
        # The provider's own DNS, measured in turn.
        ("dnsco.test", "dnsco.test", "dns"): "same-domain",
    }
    for key, rule in expected.items():
        assert key in found, (key, sorted(found))
        assert found[key]["rule"].startswith(rule), (key, found[key]["rule"])
        cited = found[key]["evidence"].split(";")
        assert cited and all(evidence[e]["run"] == week1.name for e in cited)
    cited = [evidence[e] for e in found["indie.test", "smalldns.test", "dns"]["evidence"].split(";")]
    assert [(e["type"], e["name"]) for e in cited] == [("NS", "indie.test"), ("SOA", "smalldns.test")]
    assert "hostmaster.smalldns.test." in cited[1]["answer"]
    kinds = {evidence[e]["kind"] for d in found.values() for e in d["evidence"].split(";")}
    assert kinds == {"dns", "asn", "tls", "http", "rdap"}
    # The certificate authority's evidence holds the certificate's fields and the OpenSSL stapling answer.
    ca = found["shop.test", "pdkgca.test", "certificate-authority"]
    assert ca["note"] == "no OCSP stapling" and ca["effect"] == ""
    answers = [evidence[e]["answer"] for e in ca["evidence"].split(";")]
    assert any("issuer_o=Pdkg Test CA" in a for a in answers)
    assert any("OCSP response: no response sent" in a for a in answers)
    assert "had expired" in found["expired.test", "pdkgca.test", "certificate-authority"]["note"]
    # No dependency for what does not exist, and no payments or CDN from the site's own script.
    assert not [key for key in found if key[0] in ("nowhere.test", "refused.example")]
    entities = {e["id"]: e for e in rows(week1 / "entities.csv")}
    assert entities["as64501"]["name"] == "NewHost Ltd" and entities["shop.test"]["kind"] == "website"
    assert entities["dnsco.test"]["kind"] == "provider"


def test_the_run_records_its_vantage_point_and_the_files_it_read(two_weeks, internet):
    into, results = two_weeks
    week1 = run_folders(into)[0]
    (run_row,) = rows(week1 / "runs.csv")
    assert run_row["id"] == week1.name and run_row["country"] == "DE"
    assert run_row["resolvers"] == internet["week1"].address
    assert "routing table " in run_row["note"] and "sha256 " in run_row["note"]
    assert "AS organisations " in run_row["note"] and "RDAP bootstrap " in run_row["note"]
    assert "published 2026-11-30T18:00:01Z" in run_row["note"]
    # A domain that cannot be measured is one line, and evidence: never a crash.
    lines = results[0].stderr.splitlines()
    assert any(line.startswith("kg measure: refused.example: NS refused.example: refused at ") for line in lines)
    assert lines[-2].startswith("measured 10 domains and 3 name-server domains in turn (1 failed)")
    assert not (week1 / "measuring.jsonl").exists() and not (week1 / "measuring.json").exists()
    outcomes = {(e["domain"], e["type"]): e["outcome"] for e in rows(week1 / "evidence.csv")}
    assert outcomes["refused.example", "NS"] == "refused" and outcomes["nowhere.test", "NS"] == "nxdomain"


def test_the_changes_between_the_weeks_show_the_move_and_the_domain_gone(two_weeks):
    into, _ = two_weeks
    result = run([KG, "changes", *map(str, run_folders(into))])
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "moving.test: dns moved from DNSCo to OtherDNS on " in text
    assert "moving.test: hosting moved from HostCo to NewHost Ltd on " in text
    assert "gone.test: stopped answering (nxdomain)" in text
    # Nothing else changed: the other sites' providers were measured again, the same.
    assert "shop.test" not in text and "own.test" not in text
    as_json = json.loads(run([KG, "changes", "--json", *map(str, run_folders(into))]).stdout)
    assert as_json  # the same, as JSON (kg.views.jsondoc.changes_json)


def test_the_weeks_merge_into_periods_that_import_and_answer(two_weeks, tmp_path):
    into, results = two_weeks
    assert "merged 2 runs into " in results[1].stderr
    merged = {(d["dependent"], d["provider"], d["service"]): d for d in rows(into / "dependencies.csv")}
    old = merged["moving.test", "hostco.test", "hosting"]
    assert old["end"] and old["ended_by"] == "unknown" and len(old["run"].split(";")) == 1
    assert not merged["moving.test", "as64501", "hosting"]["end"]
    kept = merged["shop.test", "hostco.test", "hosting"]
    assert not kept["end"] and len(kept["run"].split(";")) == 2
    imported = run([KG, "import", str(into), "--out", str(tmp_path / "m.ttl")])
    assert imported.returncode == 0, imported.stderr  # the shapes check runs, evidence and rules
    spof = run([KG, "spof", "shop.test", "-d", str(into), "-q"])
    assert spof.returncode == 0, spof.stderr
    assert "dnsco.test" in spof.stdout or "DNSCo" in spof.stdout


def test_a_run_killed_half_way_resumes_without_losing_or_repeating_a_domain(internet, tmp_path):
    out = tmp_path / "bulk"
    names = [f"n{i}.bulk.test" for i in range(300)]
    (tmp_path / "names.txt").write_text("\n".join(names) + "\n")
    args = measure_args(
        internet, internet["week1"], "--from", str(tmp_path / "names.txt"), "--no-web", "--out", str(out)
    )
    process = subprocess.Popen([*args, "--rate", "300", "--concurrency", "4"], stderr=subprocess.PIPE)
    log = out / "measuring.jsonl"
    deadline = time.monotonic() + 60
    while not (log.exists() and log.read_bytes().count(b"\n") >= 40):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with log.open("ab") as handle:  # a kill in the middle of a line: its start is kept, the rest lost
        handle.write(b'{"domain": "n299.bulk.test", "evid')
    again = run([*args])
    assert again.returncode == 2 and "give --resume" in again.stderr
    elsewhere = run([*args[: args.index("--country") + 1], "FR", *args[args.index("--country") + 2 :], "--resume"])
    assert elsewhere.returncode == 2 and "was started with another country: resume it as" in elsewhere.stderr
    resumed = run([*args, "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    assert "done before resuming" in resumed.stderr
    evidence = rows(out / "evidence.csv")
    asked = [e["domain"] for e in evidence if e["type"] == "NS" and e["name"] == e["domain"]]
    assert sorted(set(asked)) == sorted([*names, "dnsco.test"]) and len(asked) == len(set(asked))
    assert len({e["id"] for e in evidence}) == len(evidence)
    dependencies = rows(out / "dependencies.csv")
    assert sorted(d["dependent"] for d in dependencies if d["service"] == "dns") == sorted([*names, "dnsco.test"])
    assert len({e["run"] for e in evidence}) == 1  # one run, resumed
    imported = run([KG, "import", str(out), "--out", str(tmp_path / "bulk.ttl")])
    assert imported.returncode == 0, imported.stderr


def test_a_shard_measures_its_part_and_the_shards_make_the_whole(internet, tmp_path):
    names = [f"n{i}.bulk.test" for i in range(40)]
    parts = []
    for number in (1, 2):
        out = tmp_path / f"s{number}"
        result = run(measure_args(internet, internet["week1"], *names, "--no-web", "--nameserver-depth", "0",
                                  "--shard", f"{number}/2", "--out", str(out)))  # fmt: skip
        assert result.returncode == 0, result.stderr
        (run_row,) = rows(out / "runs.csv")
        assert run_row["id"].endswith(f"-s{number}of2") and f"shard {number}/2" in run_row["note"]
        parts.append({d["dependent"] for d in rows(out / "dependencies.csv")})
    assert parts[0] and parts[1] and not parts[0] & parts[1] and parts[0] | parts[1] == set(names)
    bad = run(measure_args(internet, internet["week1"], "x.test", "--shard", "3/2", "--out", str(tmp_path / "x")))
    assert bad.returncode == 2 and "not a shard I/N" in bad.stderr


def test_a_run_being_written_by_another_process_is_refused(tmp_path):
    import fcntl

    from kg.measure.assemble import RunInfo
    from kg.measure.runlog import LOG, begin, state_of

    start = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
    settings = {"country": "DE", "network": "", "shard": "1/1", "files": ""}
    begin(tmp_path, state_of(RunInfo("run-x", "DE", version="0"), start, settings))
    with (tmp_path / LOG).open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        result = run([KG, "measure", "x.test", "--resolver", "127.0.0.1:9", "--country", "DE", "--resume",
                      "--no-web", "--out", str(tmp_path), "-q"])  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "another kg measure is writing this run now" in result.stderr
    assert not (tmp_path / "dependencies.csv").exists()


def test_a_defect_in_one_domains_web_measurement_is_evidence_not_the_end_of_the_run(internet, tmp_path, monkeypatch):
    from kg.measure import web
    from kg.measure.run import measure

    async def broken(*args, **kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setattr(web, "measure_site", broken)
    nsd = internet["week1"]
    summary = measure(
        ["shop.test"], tmp_path, resolver=nsd.address, nameserver_port=nsd.port, country="DE", timeout=1,
        nameserver_depth=0, https_port=internet["port"],
    )  # fmt: skip
    assert summary.failures == [("shop.test", "not measured past DNS: RuntimeError: a defect")]
    found = {(d["provider"], d["service"]) for d in rows(tmp_path / "dependencies.csv")}
    assert found == {("dnsco.test", "dns")}  # the DNS kept; nothing the broken part would have shown
    assert any(e["detail"].startswith("not measured past DNS") for e in rows(tmp_path / "evidence.csv"))


def test_a_name_that_is_no_host_name_is_one_line_and_not_asked(internet, tmp_path):
    out = tmp_path / "m"
    result = run(measure_args(internet, internet["week1"], "shop.test", "a..b", "--no-web", "--out", str(out), "--",
                              "-x.test", "_dmarc.shop.test"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "kg measure: a..b: not a domain name: A DNS label is empty." in lines
    assert any(line.startswith("kg measure: -x.test: not a host name") for line in lines)
    assert any(line.startswith("kg measure: _dmarc.shop.test: not a host name") for line in lines)
    assert "; 3 not asked (no host name):" in lines[-1]
    assert {e["domain"] for e in rows(out / "evidence.csv")} == {"shop.test", "dnsco.test"}
    imported = run([KG, "import", str(out), "--out", str(tmp_path / "m.ttl")])
    assert imported.returncode == 0, imported.stderr
