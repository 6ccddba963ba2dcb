"""kg.measure.dns against a bare dnspython asyncio loop asking the same questions of a local NSD.

Run on demand (not part of the tests; needs Debian's ``nsd``)::

    .venv/bin/python bench/measure_dns.py                    # 10,000 domains
    .venv/bin/python bench/measure_dns.py --domains 2000 --concurrency 32

It writes ``--domains`` zones (a site on one of 50 DNS providers' name servers; its ``www.`` a CNAME to
the apex or, for one in three, two hops through a CDN's zone; one in five IPv6-only) and serves them with
NSD on a free port of 127.0.0.1. Then, each in its own process (wall and CPU time and peak memory from the
operating system's accounting of the finished child):

* ``measure_dns`` over all the domains, NSD as resolver and as every name server, with the name server
  check; it writes every question it asked (name, type, server, recursion) to a file;
* the baseline: a pool of ``--concurrency`` asyncio workers sending those same questions with
  ``dns.asyncquery.udp_with_fallback`` and nothing else (no parsing beyond dnspython's, no records kept);
* ``stream_dns`` over a quarter of the domains and over all of them, keeping no result: peak memory
  should not grow with the number of domains.

Goal (issue 21): at least half the baseline's rate of questions. Figures vary with the machine's load:
compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import measure  # noqa: E402

PROVIDERS = 50


def write_zones(folder: Path, count: int) -> tuple[list[str], str]:
    """Zone files for ``count`` sites, their providers and a CDN; the domains and NSD's ``zone:`` lines."""
    soa = "@ SOA ns1.dns0.bench. hostmaster.dns0.bench. 1 3600 600 86400 300\n"
    zones: dict[str, str] = {}
    for k in range(PROVIDERS):
        zones[f"dns{k}.bench"] = soa + "@ NS ns1\n@ NS ns2\nns1 A 127.0.0.1\nns2 A 127.0.0.1\n"
    cdn = [soa, "@ NS ns1.dns0.bench.\n"] + [f"edge{k} A 198.51.100.{k + 1}\n" for k in range(10)]
    domains = []
    for i in range(count):
        name = f"site{i}.bench"
        provider = f"dns{i % PROVIDERS}.bench."
        body = [soa, f"@ NS ns1.{provider}\n@ NS ns2.{provider}\n"]
        body.append("@ AAAA 2001:db8::1\n" if i % 5 == 0 else f"@ A 192.0.2.{i % 250 + 1}\n")
        if i % 3 == 0:
            body.append(f"www CNAME site{i}.cdn.bench.\n")
            cdn.append(f"site{i} CNAME edge{i % 10}\n")
        else:
            body.append("www CNAME @\n")
        zones[name] = "".join(body)
        domains.append(name)
    zones["cdn.bench"] = "".join(cdn)
    conf = []
    for zone, text in zones.items():
        (folder / f"{zone}.zone").write_text(f"$ORIGIN {zone}.\n$TTL 300\n{text}")
        conf.append(f'zone:\n  name: "{zone}"\n  zonefile: "{zone}.zone"\n')
    return domains, "".join(conf)


def run_ours(args) -> None:
    from kg.measure.dns import measure_dns, stream_dns

    domains = json.loads(Path(args.domain_file).read_text())[: args.count]
    options = {
        "resolver": f"127.0.0.1:{args.port}",
        "nameserver_port": args.port,
        "concurrency": args.concurrency,
        "timeout": 5.0,
    }
    started = time.perf_counter()
    if args.questions:
        results = asyncio.run(measure_dns(domains, **options))
        wall = time.perf_counter() - started
        questions = [
            (e.question, e.server, not e.detail.startswith("asked without recursion"))
            for r in results
            for e in r.evidence
        ]
        Path(args.questions).write_text(json.dumps(questions))
        failed = sum(r.failed for r in results)
    else:

        async def drain() -> tuple[int, int]:
            asked = failed = 0
            async for result in stream_dns(domains, **options):
                asked += len(result.evidence)
                failed += result.failed
            return asked, failed

        asked, failed = asyncio.run(drain())
        wall = time.perf_counter() - started
        questions = [None] * asked
    print(json.dumps({"questions": len(questions), "failed": failed, "wall": wall}))


def run_bare(args) -> None:
    import dns.asyncquery
    import dns.flags
    import dns.message

    questions = json.loads(Path(args.questions).read_text())

    async def main() -> int:
        pending = iter(questions)
        answered = 0

        async def worker() -> None:
            nonlocal answered
            for text, server, recurse in pending:
                rdtype, name = text.split(" ", 1)
                address, port = server.rsplit(":", 1)
                query = dns.message.make_query(
                    name, rdtype, use_edns=0, payload=1232, flags=dns.flags.RD if recurse else 0
                )
                await dns.asyncquery.udp_with_fallback(query, address, 5.0, int(port))
                answered += 1

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        return answered

    started = time.perf_counter()
    answered = asyncio.run(main())
    print(json.dumps({"questions": answered, "failed": 0, "wall": time.perf_counter() - started}))


def child(label, phase, args, work, count, questions="") -> tuple:
    command = [sys.executable, __file__, "--phase", phase, "--port", str(args.port), "--count", str(count)]
    command += ["--domain-file", str(work / "domains.json"), "--concurrency", str(args.concurrency)]
    command += ["--questions", questions] if questions else []
    output = work / f"{phase}-{count}.json"
    command += ["--report", str(output)]
    run = measure(label, command, timeout=3600)
    report = json.loads(output.read_text()) if output.exists() else {}
    return run, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--phase", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--domain-file", help=argparse.SUPPRESS)
    parser.add_argument("--questions", default="", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            run_ours(args) if args.phase == "ours" else run_bare(args)
        Path(args.report).write_text(buffer.getvalue())
        return

    from tests.test_measure_dns import NSD_CONF, Daemon, binary, free_port

    work = Path(tempfile.mkdtemp(prefix="pdkg-bench-dns-"))
    zones = work / "zones"
    zones.mkdir()
    started = time.perf_counter()
    domains, zone_conf = write_zones(zones, args.domains)
    (work / "domains.json").write_text(json.dumps(domains))
    port = free_port()
    (zones / "nsd.conf").write_text(NSD_CONF.format(port=port, dir=zones) + zone_conf)
    nsd = Daemon([binary("nsd", "nsd"), "-d", "-c", str(zones / "nsd.conf")], zones, port, ready_name="site0.bench")
    took = time.perf_counter() - started
    print(f"NSD serving {len(domains) + PROVIDERS + 1:,} zones on 127.0.0.1:{port} (ready in {took:.1f} s)")
    args.port = port
    rows = []
    try:
        n = args.domains
        rows.append(child(f"measure_dns, {n:,} domains", "ours", args, work, n, str(work / "questions.json")))
        rows.append(child("bare dnspython, same questions", "bare", args, work, n, str(work / "questions.json")))
        rows.append(child(f"stream_dns, {n // 4:,} domains", "ours", args, work, n // 4))
        rows.append(child(f"stream_dns, {n:,} domains", "ours", args, work, n))
    finally:
        nsd.stop()
    print(f"{'run':40} {'questions':>10} {'failed':>7} {'wall s':>7} {'CPU s':>7} {'q/s':>8} {'peak MB':>8}")
    for run, report in rows:
        asked = report.get("questions", 0)
        wall = report.get("wall", run.wall)
        rate = asked / wall if wall else 0
        print(
            f"{run.label:40} {asked:>10,} {report.get('failed', '?'):>7} {wall:>7.1f} {run.cpu:>7.1f} "
            f"{rate:>8,.0f} {run.peak_mb:>8.0f}{'  ' + run.note if run.note else ''}"
        )
    ours, bare = rows[0][1], rows[1][1]
    if ours and bare:
        ratio = (ours["questions"] / ours["wall"]) / (bare["questions"] / bare["wall"])
        print(f"measure_dns asks at {ratio:.0%} of the bare loop's rate (goal: at least 50%)")


if __name__ == "__main__":
    main()
