"""The benchmark suite: every workload end to end through the ``kg`` command, with its baselines in the same run.

Run on demand (not part of the tests)::

    .venv/bin/python bench/run.py                      # 10 k, 100 k and 1 M dependencies, and the web data
    .venv/bin/python bench/run.py --sizes 10000,100000 # smaller
    .venv/bin/python bench/run.py --work /var/tmp/pdkg-bench

For each size it generates a dataset in the CSV interchange format (``bench/generate.py``: heavy-tailed
provider popularity, redundancy, provider-to-provider dependencies, several services, dated rows) and
writes the same content as N-Triples. The real measurements of ``data/samples/webdep-us-2023`` are
imported once with ``kg import --webdep`` and used as N-Triples. Then it runs, each as its own process
(wall and CPU time and peak memory from the operating system's accounting of the finished child):

* baselines on identical content: ``python -c "import rdflib, networkx"``; pyoxigraph's raw load of the
  N-Triples into an on-disk store (``bulk_load``) and into memory (``load``); rdflib's parse (skipped
  above ``--rdflib-limit`` triples, where it takes many minutes and gigabytes);
* cold (an empty store cache, so loading is included): ``kg impact`` (the most used provider exits, and the
  provider with the median number of dependents) and
  ``kg rank --json``;
* warm (store built): ``kg impact``, ``kg spof``, ``kg cutsets``, ``kg query``, ``kg rank``;
* ``kg validate`` (skipped above ``--validate-limit`` dependencies);
* in one process, one provider-exit cascade (:func:`kg.analysis.arrays.cascade.cascade`) against scipy's
  ``breadth_first_order`` over the same supply edges, and the full criticality table.

It prints one table with the goals of issue 7 as ratios. Figures vary with the machine's load: compare
ratios from one run, not times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KG = str(Path(sys.executable).with_name("kg"))
PYTHON = sys.executable
WEBDEP = ROOT / "data" / "samples" / "webdep-us-2023"
DAY = "2024-01-01"


@dataclass
class Run:
    """One measured process."""

    label: str
    wall: float
    cpu: float
    peak_mb: float
    status: int
    note: str = ""


def measure(label: str, command: list[str], *, env: dict | None = None, timeout: float = 3600) -> Run:
    """Run ``command`` as a child; its wall time, CPU time (user + system) and peak memory (max RSS)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        note = ""
        if code != 0:
            output.seek(0)
            note = output.read().decode("utf-8", "replace").strip().splitlines()[-1:][0:1]
            note = note[0][:100] if note else f"exit {code}"
    return Run(label, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, note)


def flags(data: list[str]) -> list[str]:
    """``-d FILE`` for each input file."""
    return [part for path in data for part in ("-d", path)]


def python(code: str) -> list[str]:
    return [PYTHON, "-c", code]


PREPARE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generate import generate
from kg.io.csvdata import stream_csv_to_ntriples
size, csv_folder, nt = int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
counts = generate(size, csv_folder)
with nt.open("w", encoding="utf-8") as handle:
    counts["triples"] = stream_csv_to_ntriples([csv_folder], handle.write).triples
print(json.dumps(counts))
"""


def prepare(size: int, work: Path) -> tuple[Path, Path, dict]:
    """The CSV folder and the N-Triples file of a generated dataset (made once, then reused).

    Made in a child process: a child forked from a big parent would report the parent's pages in its
    peak memory.
    """
    folder = work / f"synthetic-{size}"
    csv_folder, nt = folder / "csv", folder / "data.nt"
    info_path = folder / "info.json"
    if not info_path.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        command = [*python(PREPARE), str(HERE), str(size), str(csv_folder), str(nt)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        info_path.write_text(out.strip().splitlines()[-1])
    return csv_folder, nt, json.loads(info_path.read_text())


def prepare_webdep(work: Path, env: dict) -> tuple[Path, dict] | None:
    if not WEBDEP.is_dir():
        return None
    nt = work / "webdep" / "webdep.nt"
    if not nt.is_file():
        nt.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([KG, "import", "--webdep", str(WEBDEP), "--format", "nt", "--out", str(nt)], check=True, env=env)
    triples = dependencies = 0
    with nt.open(encoding="utf-8") as handle:
        for line in handle:
            triples += 1
            dependencies += "ontology#dependent>" in line
    return nt, {"triples": triples, "dependencies": dependencies}


def top_provider_and_site(data: list[str], env: dict) -> tuple[str, str, str]:
    """The provider with the most dependents, a website that uses it, and the provider with the median
    number of dependents (through the store)."""
    out = subprocess.run(
        [KG, "rank", *flags(data), "--as-of", DAY, "--json", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = json.loads(out.stdout)["providers"]
    provider = max(rows, key=lambda row: row["dependents"])["provider"]
    used = sorted((row for row in rows if row["dependents"]), key=lambda row: (row["dependents"], row["provider"]))
    median = used[len(used) // 2]["provider"]
    code = (
        "import sys, json; from kg.store.dataset import open_dataset; "
        f"d = open_dataset({data!r}); "
        "f = d.facts; "
        f"print(next(x.dependent for x in sorted(f.dependencies.values(), key=lambda x: x.identifier) "
        f"if x.provider == {provider!r} and f.entities.get(x.dependent) and f.entities[x.dependent].is_platform))"
    )
    site = subprocess.run(python(code), capture_output=True, text=True, env=env, check=True).stdout.strip()
    return provider, site, median


CASCADE_VS_BFS = """
import json, sys, time, datetime as dt
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order
from kg.store.dataset import open_dataset
from kg.analysis.arrays.graph import build_array_graph
from kg.analysis.arrays.cascade import cascade, criticality_table
data, provider = json.loads(sys.argv[1]), sys.argv[2]
graph = build_array_graph(open_dataset(data).tables, dt.date.fromisoformat(sys.argv[3]))
def best(function, repeat=3):
    times = []
    for _ in range(repeat):
        started = time.process_time(); function(); times.append(time.process_time() - started)
    return min(times)
number = graph.number[provider]
dependents = graph.need_node[graph.supply_need]
edges = sparse.csr_matrix((np.ones(len(dependents), dtype=bool), (graph.supply_provider, dependents)),
                          shape=(graph.actor_count, graph.actor_count))
bfs = best(lambda: breadth_first_order(edges, number, directed=True, return_predecessors=False))
one = best(lambda: cascade(graph, np.array([number])))
table = best(lambda: criticality_table(graph), repeat=2)
print(json.dumps({"bfs": bfs, "cascade": one, "criticality": table}))
"""


def in_process(data: list[str], provider: str, env: dict) -> dict:
    out = subprocess.run(
        [*python(CASCADE_VS_BFS), json.dumps(data), provider, DAY], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_dataset(name: str, data: list[str], nt: Path, triples: int, dependencies: int, args, work: Path) -> list:
    rows = []
    scratch = work / "scratch"

    def fresh_cache() -> dict:
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        return {"KG_CACHE": str(scratch / "cache")}

    def add(run: Run, goal: str = "", ratio: float | None = None) -> Run:
        rows.append((name, run, goal, ratio))
        print(
            f"  {run.label:<40} {run.wall:8.2f} s wall {run.cpu:8.2f} s cpu {run.peak_mb:8.0f} MB {run.note}",
            flush=True,
        )
        return run

    print(f"{name}: {dependencies:,} dependencies, {triples:,} triples", flush=True)
    scratch.mkdir(parents=True, exist_ok=True)
    imports = add(measure("baseline: import rdflib, networkx", python("import rdflib, networkx")))
    store_dir = scratch / "oxstore"
    shutil.rmtree(store_dir, ignore_errors=True)
    ox_disk = add(
        measure(
            "baseline: pyoxigraph bulk_load (disk)",
            python(f"import pyoxigraph as o; o.Store({str(store_dir)!r}).bulk_load(path={str(nt)!r})"),
        )
    )
    shutil.rmtree(store_dir, ignore_errors=True)
    add(
        measure(
            "baseline: pyoxigraph load (memory)", python(f"import pyoxigraph as o; o.Store().load(path={str(nt)!r})")
        )
    )
    if triples <= args.rdflib_limit:
        add(measure("baseline: rdflib parse", python(f"import rdflib; rdflib.Graph().parse({str(nt)!r}, format='nt')")))
    else:
        rows.append(
            (name, Run("baseline: rdflib parse", 0, 0, 0, 0, f"skipped above {args.rdflib_limit:,} triples"), "", None)
        )

    env = fresh_cache()
    provider, site, median = top_provider_and_site(data, env)
    print(f"  (most used provider: {provider}; a website using it: {site}; median provider: {median})", flush=True)
    env = fresh_cache()
    impact_args = [KG, "impact", *flags(data), "--as-of", DAY, "--remove", provider, "--quiet"]
    cold_impact = measure("cold: kg impact (files -> answer)", impact_args, env=env)
    add(cold_impact, "<= 1.5x bulk_load", cold_impact.wall / ox_disk.wall)
    env = fresh_cache()
    median_args = [*impact_args[:-2], median, "--quiet"]
    cold_median = measure("cold: kg impact, median provider", median_args, env=env)
    add(cold_median, "<= 1.5x bulk_load", cold_median.wall / ox_disk.wall)
    env = fresh_cache()
    cold_rank = measure(
        "cold: kg rank --json", [KG, "rank", *flags(data), "--as-of", DAY, "--json", "--quiet"], env=env
    )
    add(cold_rank, "<= 2.5x bulk_load", cold_rank.wall / ox_disk.wall)
    for label, command in (
        ("warm: kg impact", impact_args),
        ("warm: kg impact, median provider", median_args),
        ("warm: kg spof", [KG, "spof", site, *flags(data), "--as-of", DAY, "--quiet"]),
        ("warm: kg cutsets", [KG, "cutsets", site, *flags(data), "--as-of", DAY, "--quiet"]),
        ("warm: kg query dependencies-by-service", [KG, "query", "dependencies-by-service", *flags(data), "--quiet"]),
        ("warm: kg query unsourced-facts", [KG, "query", "unsourced-facts", *flags(data), "--quiet"]),
        (
            "warm: kg query dependencies-of",
            [KG, "query", "dependencies-of", "-p", f"dependent={site}", *flags(data), "--quiet"],
        ),
        ("warm: kg rank --json", [KG, "rank", *flags(data), "--as-of", DAY, "--json", "--quiet"]),
    ):
        run = measure(label, command, env=env)
        add(run, "<= 10% of cold load" if "rank" not in label else "", run.wall / cold_impact.wall)
    if dependencies <= args.validate_limit:
        run = measure("kg validate", [KG, "validate", *data, "--quiet"], env=env)
        add(run, "<= 3x bulk_load", run.wall / ox_disk.wall)
    else:
        rows.append(
            (name, Run("kg validate", 0, 0, 0, 0, f"skipped above {args.validate_limit:,} dependencies"), "", None)
        )
    bundled = [KG, "impact", "--as-of", "2021-01-07", "--remove", "aws"]
    subprocess.run(bundled, env={**os.environ, **env}, capture_output=True, check=True)  # builds its store once
    small = measure("kg impact, bundled data (warm)", bundled, env=env)
    add(small, "<= 1.5x imports (cpu)", small.cpu / imports.cpu)
    figures = in_process(data, provider, env)
    rows.append(
        (
            name,
            Run("one cascade (cpu, in process)", 0, figures["cascade"], 0, 0),
            "<= 20x scipy BFS",
            figures["cascade"] / max(figures["bfs"], 1e-9),
        )
    )
    rows.append((name, Run("scipy breadth_first_order (cpu)", 0, figures["bfs"], 0, 0), "", None))
    rows.append(
        (
            name,
            Run("criticality table (cpu, in process)", 0, figures["criticality"], 0, 0),
            "<= 10x one cascade",
            figures["criticality"] / max(figures["cascade"], 1e-9),
        )
    )
    print(
        f"  cascade {figures['cascade']:.3f} s, scipy BFS {figures['bfs']:.3f} s, "
        f"criticality {figures['criticality']:.3f} s",
        flush=True,
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def print_table(rows: list) -> None:
    print()
    print(f"Machine: {platform.node() and 'this machine'} - {os.cpu_count()} cores, Python {platform.python_version()}")
    header = "| dataset | workload | wall s | CPU s | peak MB | ratio | goal |"
    print(header)
    print("|---|---|---:|---:|---:|---:|---|")
    for name, run, goal, ratio in rows:
        if run.note and run.wall == 0:
            print(f"| {name} | {run.label} | - | - | - | - | {run.note} |")
            continue
        wall = f"{run.wall:.2f}" if run.wall else "-"
        peak = f"{run.peak_mb:.0f}" if run.peak_mb else "-"
        shown = f"{ratio:.2f}" if ratio is not None else ""
        print(f"| {name} | {run.label} | {wall} | {run.cpu:.2f} | {peak} | {shown} | {goal} |")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the pdkg benchmark suite.")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pdkg-bench")
    parser.add_argument("--rdflib-limit", type=int, default=1_000_000, help="largest triple count rdflib parses")
    parser.add_argument("--validate-limit", type=int, default=2_000_000, help="largest dataset kg validate runs on")
    parser.add_argument("--no-webdep", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    if not args.no_webdep:
        prepared = prepare_webdep(args.work, {"KG_CACHE": str(args.work / "import-cache")})
        if prepared is not None:
            nt, info = prepared
            rows += bench_dataset(
                "webdep-us-2023", [str(nt)], nt, info["triples"], info["dependencies"], args, args.work
            )
    for size in (int(s) for s in args.sizes.split(",") if s):
        csv_folder, nt, info = prepare(size, args.work)
        rows += bench_dataset(
            f"synthetic {size:,}", [str(csv_folder)], nt, info["triples"], info["dependencies"], args, args.work
        )
    print_table(rows)


if __name__ == "__main__":
    main()
