"""Deep and wide graphs through the ``kg`` command: a chain of providers each depending on the next, and one
provider with a million dependents. Run on demand (not part of the tests)::

    .venv/bin/python bench/deep_graphs.py                       # chains of 1,000 and 10,000, a 1,000,000 star
    .venv/bin/python bench/deep_graphs.py --chains 1000 --star 100000 --work /var/tmp/pdkg-deep

Each command runs as its own process (wall and CPU time, peak memory), with the store built first by
``kg load`` (its own row), so the rows time the analysis and its output; ``kg show`` of one actor on the
same store is the baseline of opening it. The chain's site depends on p0 for hosting, p0 on p1 for IP
transit, and so on: every provider is a single point of failure of the site, and the impact of the last
one's exit runs the whole chain. The star's sites each depend on one provider for DNS (and a tenth of them on a second).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import KG, measure

SOURCE = ["s", "Generated", "2020-01-01", "Synthetic", "https://example.org/"]


def _write(folder: Path, entities: list[list[str]], dependencies) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "entities.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["id", "name", "kind"], *entities])
    with (folder / "dependencies.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "dependent", "provider", "service", "source"])
        writer.writerows(dependencies)
    with (folder / "sources.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["id", "publisher", "date", "title", "url"], SOURCE])
    return folder


def chain(depth: int, folder: Path) -> Path:
    entities = [["site", "Site", "website"]] + [[f"p{i}", f"P{i}", "provider"] for i in range(depth)]
    rows = [["d-site", "site", "p0", "hosting", "s"]]
    rows += ([f"d{i}", f"p{i}", f"p{i + 1}", "ip-transit", "s"] for i in range(depth - 1))
    return _write(folder, entities, rows)


def star(dependents: int, folder: Path) -> Path:
    entities = [["hub", "Hub", "provider"], ["spare", "Spare", "provider"]]
    entities += ([f"w{i}", f"W{i}", "website"] for i in range(dependents))
    rows = ([f"w{i}-hub", f"w{i}", "hub", "dns", "s"] for i in range(dependents))
    spare = ([f"w{i}-spare", f"w{i}", "spare", "dns", "s"] for i in range(0, dependents, 10))
    return _write(folder, entities, (*rows, *spare))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", default="1000,10000", help="chain depths, comma-separated")
    parser.add_argument("--star", type=int, default=1_000_000, help="dependents of the star's provider (0: none)")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per command")
    arguments = parser.parse_args()
    work = arguments.work or Path(tempfile.mkdtemp(prefix="pdkg-deep-"))
    env = {"KG_CACHE": str(work / "cache")}
    runs = []
    day = ["--as-of", "2024-01-01", "--quiet"]
    try:
        for depth in [int(d) for d in arguments.chains.split(",") if d]:
            data = chain(depth, work / f"chain-{depth}")
            store = ["--store", str(work / f"store-chain-{depth}")]
            label = f"chain {depth:,}"
            runs.append(measure(f"{label}: kg load", [KG, "load", str(data), *store, "--quiet"], env=env))
            runs.append(measure(f"{label}: kg show site (baseline)", [KG, "show", "site", *store], env=env))
            last = f"p{depth - 1}"
            for name, command in [
                ("kg impact --remove last", ["impact", "--remove", last, *day]),
                ("kg spof site", ["spof", "site", *day]),
                ("kg cutsets site --max-order 1", ["cutsets", "site", "--max-order", "1", *day]),
                ("kg cutsets site (order 3)", ["cutsets", "site", *day, "--time-limit", "600"]),
                ("kg rank", ["rank", *day]),
                ("kg render --remove last", ["render", "--remove", last, *day, "--out", str(work / "chain.html")]),
            ]:
                runs.append(measure(f"{label}: {name}", [KG, *command, *store], env=env, timeout=arguments.timeout))
        if arguments.star:
            data = star(arguments.star, work / "star")
            store = ["--store", str(work / "store-star")]
            label = f"star {arguments.star:,}"
            runs.append(measure(f"{label}: kg load", [KG, "load", str(data), *store, "--quiet"], env=env))
            runs.append(measure(f"{label}: kg show w1 (baseline)", [KG, "show", "w1", *store], env=env))
            for name, command in [
                ("kg impact --remove hub", ["impact", "--remove", "hub", *day]),
                ("kg spof w1", ["spof", "w1", *day]),
                ("kg cutsets w0", ["cutsets", "w0", *day]),
                ("kg rank", ["rank", *day]),
            ]:
                runs.append(measure(f"{label}: {name}", [KG, *command, *store], env=env, timeout=arguments.timeout))
    finally:
        if arguments.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'command':55} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'exit':>5}")
    for run in runs:
        print(f"{run.label:55} {run.wall:8.1f} {run.cpu:8.1f} {run.peak_mb:8.0f} {run.status:5d}")


if __name__ == "__main__":
    main()
