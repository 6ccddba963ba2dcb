"""The same questions from the embedded store and from an Oxigraph server: what a SPARQL server costs.

Run on demand (not part of the tests)::

    .venv/bin/python bench/endpoint.py                        # 1 M dependencies and the web data
    .venv/bin/python bench/endpoint.py --sizes 100000 --work /var/tmp/pdkg-bench

For each dataset (generated as ``bench/run.py`` does, and the real web measurements) it runs, each as its
own process through the ``kg`` command (wall and CPU time and peak memory from the operating system's
accounting of the finished child):

* ``kg load`` into the embedded store (the baseline), ``oxigraph load`` of the same N-Triples into a
  server's database (the server's own bulk loader, offline), and ``kg push`` of the store into a running
  ``oxigraph serve`` (atomic: into a temporary graph, then moved; given up after ``--push-timeout``), with
  the server's CPU time and peak memory read from ``/proc`` beside it;
* questions about one site (``spof``, ``cutsets``), a scenario (``impact --remove`` of the provider with
  the median number of dependents), a query (``dependents-of``) and the whole ranking (``rank``), each
  from the warm embedded store and from a server over the offline-loaded database (``--endpoint``), with
  how many triples the remote run read.

Figures vary with the machine's load: compare the ratios of one run, not times across runs.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DAY, KG, measure, prepare, prepare_webdep, top_provider_and_site  # noqa: E402

OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
GRAPH = "https://w3id.org/pdkg/graph"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``oxigraph serve`` over ``location``, with its CPU time and peak memory from /proc."""

    def __init__(self, location: Path) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        import urllib.request

        for _ in range(600):
            try:
                urllib.request.urlopen(f"{self.base}/query?query=ASK%7B%7D", timeout=5).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the Oxigraph server did not start")

    def usage(self) -> tuple[float, float]:
        """CPU seconds so far and peak resident memory (MB)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        peak = next(
            int(line.split()[1]) / 1024
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
            if line.startswith("VmHWM:")
        )
        return cpu, peak

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def read_triples(command: list[str], env: dict) -> int | None:
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    found = re.search(r"read ([\d,]+) triples from", out.stderr)
    return int(found.group(1).replace(",", "")) if found else None


ONTOLOGY = HERE.parent / "ontology" / "pdkg.ttl"


def bench(name: str, data: list[str], nt: Path, info: dict, work: Path, push_timeout: float) -> list[tuple]:
    rows: list[tuple] = []
    env = {"KG_CACHE": str(work / "cache")}
    store = work / f"store-{name}"
    rows.append(
        (name, "kg load (embedded store)", measure("load", [KG, "load", *data, "--store", str(store)], env=env), "")
    )
    offline = work / f"oxigraph-offline-{name}"
    rows.append(
        (
            name,
            "oxigraph load (server's own loader, offline)",
            measure("oxload", [OXIGRAPH, "load", "--location", str(offline), "--file", str(nt)]),
            "",
        )
    )
    subprocess.run([OXIGRAPH, "load", "--location", str(offline), "--file", str(ONTOLOGY)], check=True)
    server = Server(work / f"oxigraph-{name}")
    try:
        before = server.usage()
        pushed = measure(
            "push",
            [KG, "push", "--quiet", "--store", str(store), "--endpoint", server.base],
            env=env,
            timeout=push_timeout,
        )
        after = server.usage()
        rows.append(
            (
                name,
                "kg push (into a running server)",
                pushed,
                f"server: {after[0] - before[0]:.1f} s CPU, {after[1]:.0f} MB peak",
            )
        )
    finally:
        server.stop()
    # The questions go to a server over the offline-loaded database (data and ontology in the default
    # graph), so they are measured whether or not the push above finished.
    server = Server(offline)
    try:
        _, site, median = top_provider_and_site(data, env)
        remote = {**env, "KG_ENDPOINT": server.base}
        questions = [
            ("spof (one site)", ["spof", site, "--as-of", DAY, "--json"]),
            ("cutsets (one site)", ["cutsets", site, "--as-of", DAY, "--max-order", "2", "--json"]),
            ("impact --remove (median provider)", ["impact", "--remove", median, "--as-of", DAY, "--json"]),
            (
                "query dependents-of (median provider)",
                ["query", "dependents-of", "-p", f"provider={median}", "-p", f"asOf={DAY}"],
            ),
            ("rank (whole graph)", ["rank", "--as-of", DAY, "--json"]),
        ]
        for label, command in questions:
            local = measure(label, [KG, *command, "--quiet", "--store", str(store)], env=env)
            before = server.usage()
            remote_run = measure(label, [KG, *command, "--quiet"], env=remote, timeout=7200)
            after = server.usage()
            triples = (
                read_triples([KG, *command], remote)
                if label != "rank (whole graph)" or info["dependencies"] < 300_000
                else None
            )
            note = f"server {after[0] - before[0]:.1f} s CPU" + (
                f"; read {triples:,} of {info['triples']:,} triples" if triples is not None else ""
            )
            rows.append((name, f"{label}: embedded", local, ""))
            rows.append((name, f"{label}: --endpoint", remote_run, note))
    finally:
        server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000", help="Comma-separated dependency counts (default 1,000,000).")
    parser.add_argument("--work", type=Path, help="Folder for data and stores (default: a temporary one).")
    parser.add_argument(
        "--push-timeout", type=float, default=1800, help="Give up on kg push after this many seconds (default 1800)."
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="pdkg-endpoint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    webdep = prepare_webdep(work, {"KG_CACHE": str(work / "cache")})
    if webdep is not None:
        nt, info = webdep
        rows += bench("webdep", [str(nt)], nt, info, work, args.push_timeout)
    for size in (int(s) for s in args.sizes.split(",") if s):
        csv_folder, nt, info = prepare(size, work)
        rows += bench(f"{size:,}", [str(csv_folder)], nt, info, work, args.push_timeout)
    print(f"{'data':<10} {'workload':<48} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  note")
    for name, label, run, note in rows:
        status = "" if run.status == 0 else f" (exit {run.status}: {run.note})"
        print(f"{name:<10} {label:<48} {run.wall:>8.2f} {run.cpu:>8.2f} {run.peak_mb:>8.0f}  {note}{status}")


if __name__ == "__main__":
    main()
