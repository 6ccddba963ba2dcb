"""Deep and wide graphs through the ``kg`` command: chains of providers each depending on the next, and one
provider with a million dependents. Run on demand (not part of the tests)::

    .venv/bin/python bench/deep_graphs.py     # hosting and ip-transit chains of 1,000 and 10,000, a 1,000,000 star
    .venv/bin/python bench/deep_graphs.py --chains 1000,3000,10000 --service all --star 0
    .venv/bin/python bench/deep_graphs.py --chains 1000 --service payments --star 100000 --work /var/tmp/pdkg-deep

Each command runs as its own process (wall and CPU time, peak memory), with the store built first by
``kg load`` (its own row), so the rows time the analysis and its output; ``kg show`` of one actor on the
same store is the baseline of opening it. A chain of a service (``--service``) has the site depend on p0
for it, p0 on p1 for it, and so on. Where the service is resold on itself (``kg services``: hosting,
payments, the app stores, email, SMS) each supply also ends when its provider loses the service it resells
it on: a resale chain. Down a chain of an essential service every provider is a single point of failure
of the site and the impact of the last one's exit runs the whole chain; down a resale chain of a channel
every provider's exit cuts the site's channel. The star's sites each depend on one provider for DNS (and
a tenth of them on a second).

The scale goal, linear down a chain whatever its service, is checked here, never in timed tests: with two
depths or more, each command's growth between the two deepest chains of a service is printed as an
exponent (CPU time above the baseline's; 1 is linear) and the run exits 1 if one is above 1.5.
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


def chain(depth: int, folder: Path, service: str = "hosting") -> Path:
    """The site depends on p0 for ``service``, p0 on p1, and so on to p``depth - 1``."""
    entities = [["site", "Site", "website"]] + [[f"p{i}", f"P{i}", "provider"] for i in range(depth)]
    rows = [["d-site", "site", "p0", service, "s"]]
    rows += ([f"d{i}", f"p{i}", f"p{i + 1}", service, "s"] for i in range(depth - 1))
    return _write(folder, entities, rows)


def services(chosen: str) -> list[str]:
    """The services named (comma-separated), or every service of the vocabulary for ``all``."""
    if chosen == "all":
        from kg.model.vocabulary import OPERATION, vocabulary

        return sorted(s for s in vocabulary().services if s != OPERATION)
    return [s for s in chosen.split(",") if s]


def star(dependents: int, folder: Path) -> Path:
    entities = [["hub", "Hub", "provider"], ["spare", "Spare", "provider"]]
    entities += ([f"w{i}", f"W{i}", "website"] for i in range(dependents))
    rows = ([f"w{i}-hub", f"w{i}", "hub", "dns", "s"] for i in range(dependents))
    spare = ([f"w{i}-spare", f"w{i}", "spare", "dns", "s"] for i in range(0, dependents, 10))
    return _write(folder, entities, (*rows, *spare))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", default="1000,10000", help="chain depths, comma-separated")
    parser.add_argument("--service", default="hosting,ip-transit", help="the chains' services, comma-separated, or all")
    parser.add_argument("--commands", default="", help="only the chain commands whose label holds one of these words")
    parser.add_argument("--star", type=int, default=1_000_000, help="dependents of the star's provider (0: none)")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per command")
    arguments = parser.parse_args()
    work = arguments.work or Path(tempfile.mkdtemp(prefix="pdkg-deep-"))
    env = {"KG_CACHE": str(work / "cache")}
    runs = []
    day = ["--as-of", "2024-01-01", "--quiet"]
    try:
        shapes = [(s, int(d)) for s in services(arguments.service) for d in arguments.chains.split(",") if d]
        wanted = [w for w in arguments.commands.split(",") if w]
        for service, depth in shapes:
            data = chain(depth, work / f"chain-{service}-{depth}", service)
            store = ["--store", str(work / f"store-chain-{service}-{depth}")]
            label = f"{service} chain {depth:,}"
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
                ("kg status site", ["status", "site", *day]),
            ]:
                if wanted and not any(w in name for w in wanted):
                    continue
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
    print(f"{'command':60} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'exit':>5}")
    for run in runs:
        print(f"{run.label:60} {run.wall:8.1f} {run.cpu:8.1f} {run.peak_mb:8.0f} {run.status:5d} {run.note}")
    growth = scaling(runs)
    if growth:
        print(f"\n{'growth between the two deepest chains (1: linear)':60} {'exponent':>8}")
        for label, exponent in growth.items():
            print(f"{label:60} {exponent:8.2f}" + ("  NOT LINEAR" if exponent > LINEAR else ""))
    if any(run.status for run in runs) or any(exponent > LINEAR for exponent in growth.values()):
        sys.exit(1)


#: Above this growth exponent a command is not linear down a chain (times on a shared machine vary).
LINEAR = 1.5


def scaling(runs) -> dict[str, float]:
    """Per service and command, log(CPU ratio) / log(depth ratio) between the two deepest chains, the CPU
    time above opening the store (``kg show``) of each."""
    import math
    import re

    cpu: dict[tuple[str, str], dict[int, float]] = {}
    for run in runs:
        found = re.match(r"(\S+) chain ([\d,]+): (.+)", run.label)
        if found:
            service, depth, command = found[1], int(found[2].replace(",", "")), found[3]
            cpu.setdefault((service, command), {})[depth] = run.cpu
    growth = {}
    for (service, command), by_depth in cpu.items():
        depths = sorted(by_depth)
        baseline = cpu.get((service, "kg show site (baseline)"), {})
        if len(depths) < 2 or "baseline" in command or "load" in command:
            continue
        low, high = depths[-2], depths[-1]
        spent = [max(by_depth[d] - baseline.get(d, 0.0), 0.05) for d in (low, high)]
        growth[f"{service}: {command}"] = math.log(spent[1] / spent[0]) / math.log(high / low)
    return growth


if __name__ == "__main__":
    main()
