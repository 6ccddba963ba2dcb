"""kg.measure.dns and ``kg measure`` against a bare dnspython asyncio loop asking the same questions of a
local NSD.

Run on demand (not part of the tests; needs Debian's ``nsd``)::

    .venv/bin/python bench/measure_dns.py                    # 10,000 domains
    .venv/bin/python bench/measure_dns.py --domains 2000 --concurrency 32
    .venv/bin/python bench/measure_dns.py --domains 1000 --import   # and kg import of the measured folder

It writes ``--domains`` zones (a site on one of 50 DNS providers' name servers; its ``www.`` a CNAME to
the apex or, for one in three, two hops through a CDN's zone; one in five IPv6-only) and serves them with
NSD on a free port of 127.0.0.1. Then, each in its own process (wall and CPU time and peak memory from the
operating system's accounting of the finished child, started by a small launcher process: a child's peak
memory counts at least the peak of the process it was started from, which would otherwise be this one,
with NSD's helpers and pytest imported):

* ``measure_dns`` over all the domains, NSD as resolver and as every name server, with the name server
  check; it writes every question it asked (name, type, server, recursion) to a file;
* the baseline: a pool of ``--concurrency`` asyncio workers sending those same questions with
  ``dns.asyncquery.udp_with_fallback`` and nothing else (no parsing beyond dnspython's, no records kept);
* ``stream_dns`` over a quarter of the domains and over all of them, keeping no result: peak memory
  should not grow with the number of domains;
* the command, the door a user goes through: ``kg measure --from DOMAINS --resolver 127.0.0.1:PORT
  --nameserver-port PORT --country DE --no-web --concurrency C --timeout 5 --out DIR -q`` over all the
  domains and, into another folder, over a quarter of them (its name servers' own domains are measured
  too, ``--nameserver-depth`` 1). The questions it asked are read back from ``DIR/evidence.csv``: every
  ``dns`` row, a row whose ``detail`` starts with "asked without recursion" asked of its ``server``
  without the RD flag (the name server check), every other with it; a provider domain's SOA, asked once a
  run and filed under each site it classified, counts once;
* the baseline again, over exactly the questions of the command's run over all the domains;
* ``kg rank -d DIR`` on that run's folder with an empty store cache (``KG_CACHE``): the time from
  ``kg measure``'s output to an answer, loading included; with ``--import``, also
  ``kg import DIR --out measured.ttl`` (validation included; the Turtle is written from an rdflib
  graph in memory: about 160 s and 3.7 GB at 10,000 domains).

Goals (issue 21): ``measure_dns`` and ``kg measure`` each ask at least half the baseline's rate of
questions (the command's rate counts its whole process: start, DNS, classification and writing the CSV);
peak memory flat in the number of domains (a quarter of the domains against all of them, for
``stream_dns`` and for ``kg measure``). The table ends with those ratios and ``kg rank``'s time. Figures
vary with the machine's load: compare the ratios of one run. The work folder (zones, the command's
output folders, the questions) is kept and named at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import Run  # noqa: E402

PROVIDERS = 50
KG = str(Path(sys.executable).with_name("kg"))
FAILURES = ("servfail", "refused", "timeout", "error")

#: Runs :func:`run.measure` for each command (a JSON line ``[label, command, env]``) read from its standard
#: input, which its children do not inherit; first its own peak memory, then each run, a JSON line each.
LAUNCHER = """
import json, os, resource, sys
sys.path.insert(0, sys.argv[1])
from run import measure
orders = os.fdopen(os.dup(0))
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, flush=True)
for line in orders:
    label, command, env = json.loads(line)
    print(json.dumps(vars(measure(label, command, env=env, timeout=3600))), flush=True)
"""


class Launcher:
    """Starts each measured child from a process of its own, small and started first: a child's peak
    memory (max RSS) counts at least the peak of the process it was started from."""

    def __init__(self) -> None:
        command = [sys.executable, "-c", LAUNCHER, str(HERE)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.floor_mb = float(self.process.stdout.readline())

    def measure(self, label: str, command: list[str], env: dict | None = None) -> Run:
        self.process.stdin.write(json.dumps([label, command, env or {}]) + "\n")
        self.process.stdin.flush()
        return Run(**json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


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


def child(label, phase, args, work, count, questions="", name="") -> tuple:
    command = [sys.executable, __file__, "--phase", phase, "--port", str(args.port), "--count", str(count)]
    command += ["--domain-file", str(work / "domains.json"), "--concurrency", str(args.concurrency)]
    command += ["--questions", questions] if questions else []
    output = work / f"{name or phase}-{count}.json"
    command += ["--report", str(output)]
    run = args.launcher.measure(label, command)
    report = json.loads(output.read_text()) if output.exists() else {}
    return run, report


def to_file(command: list[str], output: Path) -> list[str]:
    """``command`` with its standard output (and error) into ``output``: ``sh`` execs it, so the measured
    process is the command itself."""
    return ["sh", "-c", f'exec "$0" "$@" > {shlex.quote(str(output))} 2>&1', *command]


def questions_of(evidence: Path) -> tuple[list, int]:
    """The DNS questions of a ``kg measure`` run's ``evidence.csv`` as the baseline reads them (``[question,
    server, recursion]``), and how many of them failed."""
    questions, failed = [], 0
    shared: set[tuple[str, str]] = set()
    with evidence.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] != "dns":
                continue
            domain, name = row["domain"], row["name"]
            if row["type"] == "SOA" and name != domain and not domain.endswith(f".{name}"):
                # A provider domain's SOA, asked once a run and filed under every site it classified.
                if (name, row["server"]) in shared:
                    continue
                shared.add((name, row["server"]))
            recurse = not row["detail"].startswith("asked without recursion")
            questions.append((f"{row['type']} {row['name']}", row["server"], recurse))
            failed += row["outcome"] in FAILURES
    return questions, failed


def kg_measure(label: str, args, work: Path, domains: list[str]) -> tuple:
    """``kg measure`` over ``domains`` into a folder of its own; its run and a report like a phase's."""
    folder = work / f"kg-measure-{len(domains)}"
    listing = work / f"domains-{len(domains)}.txt"
    listing.write_text("".join(f"{domain}\n" for domain in domains))
    command = [KG, "measure", "--from", str(listing), "--resolver", f"127.0.0.1:{args.port}"]
    command += ["--nameserver-port", str(args.port), "--country", "DE", "--no-web"]
    command += ["--concurrency", str(args.concurrency), "--timeout", "5", "--out", str(folder), "-q"]
    run = args.launcher.measure(label, to_file(command, work / f"kg-measure-{len(domains)}.log"))
    report = {}
    if (folder / "evidence.csv").is_file():
        questions, failed = questions_of(folder / "evidence.csv")
        report = {"questions": len(questions), "failed": failed, "wall": run.wall}
        (work / f"kg-questions-{len(domains)}.json").write_text(json.dumps(questions))
    return run, report, folder


def head(path: Path, lines: int) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[:lines]) if path.is_file() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--import", dest="kg_import", action="store_true", help="also kg import the measured folder")
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

    args.launcher = Launcher()  # before NSD's helpers (and pytest) are imported here
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
    n = args.domains
    try:
        rows.append(child(f"measure_dns, {n:,} domains", "ours", args, work, n, str(work / "questions.json")))
        rows.append(child("bare dnspython, same questions", "bare", args, work, n, str(work / "questions.json")))
        rows.append(child(f"stream_dns, {n // 4:,} domains", "ours", args, work, n // 4))
        rows.append(child(f"stream_dns, {n:,} domains", "ours", args, work, n))
        run, report, folder = kg_measure(f"kg measure, {n:,} domains", args, work, domains)
        rows.append((run, report))
        kg_questions = str(work / f"kg-questions-{n}.json")
        rows.append(child("bare dnspython, kg measure's questions", "bare", args, work, n, kg_questions, "bare-kg"))
        run, report, _ = kg_measure(f"kg measure, {n // 4:,} domains", args, work, domains[: n // 4])
        rows.append((run, report))
    finally:
        nsd.stop()
    environment = {"KG_CACHE": str(work / "kg-cache")}
    answer = work / "kg-rank.txt"
    rank = args.launcher.measure(
        "kg rank -d (cold: store built)", to_file([KG, "rank", "-d", str(folder), "-q"], answer), environment
    )
    rows.append((rank, None))
    if args.kg_import:
        command = [KG, "import", str(folder), "--out", str(work / "measured.ttl")]
        rows.append((args.launcher.measure("kg import DIR --out measured.ttl", command, environment), None))
    args.launcher.close()

    print(f"{'run':40} {'questions':>10} {'failed':>7} {'wall s':>7} {'CPU s':>7} {'q/s':>8} {'peak MB':>8}")
    for run, report in rows:
        if report is None:  # not a DNS run: no questions
            note = f"  exit {run.status}: {run.note}" if run.status else ""
            figures = f"{run.wall:>7.1f} {run.cpu:>7.1f} {'-':>8} {run.peak_mb:>8.0f}"
            print(f"{run.label:40} {'-':>10} {'-':>7} {figures}{note}")
            continue
        asked = report.get("questions", 0)
        wall = report.get("wall", run.wall)
        rate = asked / wall if wall else 0
        print(
            f"{run.label:40} {asked:>10,} {report.get('failed', '?'):>7} {wall:>7.1f} {run.cpu:>7.1f} "
            f"{rate:>8,.0f} {run.peak_mb:>8.0f}{'  ' + run.note if run.note else ''}"
        )
    print("(wall: the phases' asking loop; kg measure and kg rank/import: the whole process;")
    print(f" every peak counts at least the launcher's {args.launcher.floor_mb:.0f} MB)")

    def rate(row) -> float:
        report = row[1] or {}
        return report["questions"] / report["wall"] if report.get("wall") else 0.0

    print()
    print("goals (issue 21)")
    if rate(rows[0]) and rate(rows[1]):
        print(f"  measure_dns / bare rate:            {rate(rows[0]) / rate(rows[1]):5.2f}   (goal >= 0.5)")
    kg_run, kg_bare, kg_quarter = rows[4], rows[5], rows[6]
    if rate(kg_run) and rate(kg_bare):
        print(
            f"  kg measure / bare rate:             {rate(kg_run) / rate(kg_bare):5.2f}   (goal >= 0.5; "
            f"CPU {kg_run[0].cpu:.1f} s against {kg_bare[0].cpu:.1f} s)"
        )
        process = kg_bare[1]["questions"] / kg_bare[0].wall
        print(f"    against the baseline's whole process: {rate(kg_run) / process:5.2f}")
    for label, quarter, whole in (("stream_dns", rows[2], rows[3]), ("kg measure", kg_quarter, kg_run)):
        print(
            f"  {label + ' peak MB, N vs N/4:':35} {whole[0].peak_mb:.0f} vs {quarter[0].peak_mb:.0f} = "
            f"{whole[0].peak_mb / max(quarter[0].peak_mb, 1):5.2f}   (goal: about 1)"
        )
    print(
        f"  kg measure output -> kg rank answer: {rank.wall:.1f} s wall, {rank.cpu:.1f} s CPU, "
        f"{rank.peak_mb:.0f} MB (exit {rank.status})"
    )
    print()
    print(f"kg rank's answer (first lines of {answer}):")
    print(head(answer, 12))
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
