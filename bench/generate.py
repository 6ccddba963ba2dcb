"""Synthetic datasets in the CSV interchange format, shaped like real web-dependency measurements.

``python bench/generate.py DEPENDENCIES FOLDER [--seed N]`` writes ``entities.csv``,
``dependencies.csv`` and ``sources.csv`` into FOLDER. The shape follows what the web data shows:

* provider popularity is heavy-tailed (Zipf-like: a few providers serve most sites);
* about a fifth of a site's services have two providers (redundancy), and 5% are self-provided;
* providers depend on other providers (two upstreams for IP transit, one for DNS), so exits cascade;
* several services (hosting, DNS, CDN, certificate authority; IP transit among providers), and a share
  of dependencies carry dates: some started after 2020, some ended (by the provider or the dependent).

The same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

SERVICES = np.array(["hosting", "dns", "cdn", "certificate-authority"])
SOURCE = "synthetic-generator"


def generate(target: int, folder: Path, seed: int = 7) -> dict[str, int]:
    """Write a dataset of about ``target`` dependencies into ``folder``; return the row counts."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_providers = max(50, target // 400)
    weights = 1.0 / np.arange(1, n_providers + 1) ** 1.1
    weights /= weights.sum()
    dependent, provider, service = [], [], []
    # Provider-to-provider links: beyond ten tier-1 providers, two transit upstreams and one DNS upstream
    # among the more popular providers.
    for index in range(10, n_providers):
        upstream = rng.choice(index, size=3, replace=False)
        dependent += [f"p{index}"] * 3
        provider += [f"p{upstream[0]}", f"p{upstream[1]}", f"p{upstream[2]}"]
        service += ["ip-transit", "ip-transit", "dns"]
    remaining = max(0, target - len(dependent))
    per_site = len(SERVICES) * 1.18
    n_sites = max(1, int(remaining / per_site))
    site = np.repeat(np.arange(n_sites), len(SERVICES))
    svc = np.tile(np.arange(len(SERVICES)), n_sites)
    first = rng.choice(n_providers, size=site.size, p=weights)
    redundant = rng.random(site.size) < 0.2
    second = rng.choice(n_providers, size=site.size, p=weights)
    redundant &= second != first
    self_provided = rng.random(site.size) < 0.05
    rows_site = np.concatenate([site, site[redundant & ~self_provided]])
    rows_svc = np.concatenate([svc, svc[redundant & ~self_provided]])
    rows_provider = np.concatenate([first, second[redundant & ~self_provided]]).astype(object)
    rows_provider = np.array([f"p{p}" for p in rows_provider], dtype=object)
    rows_provider[: site.size][self_provided] = np.array([f"s{s}" for s in site[self_provided]], dtype=object)
    dependent += [f"s{s}" for s in rows_site]
    provider += list(rows_provider)
    service += list(SERVICES[rows_svc])
    count = len(dependent)
    # Dates on a share of rows: 10% started in 2020-2023, 5% ended in 2022-2023.
    days = np.datetime64("2020-01-01") + rng.integers(0, 4 * 365, size=count)
    started = rng.random(count) < 0.10
    ended = rng.random(count) < 0.05
    ends = np.datetime64("2022-01-01") + rng.integers(0, 2 * 365, size=count)
    ended_by = np.where(rng.random(count) < 0.7, "provider", "dependent")
    with (folder / "sources.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "publisher", "date", "title", "url"])
        writer.writerow([SOURCE, "pdkg benchmark", "2026-12-02", "Synthetic dependencies", "https://example.org/"])
    with (folder / "entities.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "kind", "source"])
        writer.writerows([f"p{i}", f"Provider {i}", "provider", SOURCE] for i in range(n_providers))
        writer.writerows([f"s{i}", f"site{i}.example", "website", SOURCE] for i in range(n_sites))
    with (folder / "dependencies.csv").open("w", newline="") as handle:
        handle.write("id,dependent,provider,service,start,end,ended_by,source\n")
        start_text = np.where(started, days.astype(str), "")
        end_text = np.where(ended, ends.astype(str), "")
        end_text = np.where(ended & started & (ends <= days), "", end_text)
        by_text = np.where(end_text != "", ended_by, "")
        for i in range(count):
            handle.write(
                f"d{i},{dependent[i]},{provider[i]},{service[i]},{start_text[i]},{end_text[i]},{by_text[i]},{SOURCE}\n"
            )
    return {"entities": n_providers + n_sites, "dependencies": count, "providers": n_providers, "sites": n_sites}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dependencies", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    print(generate(arguments.dependencies, arguments.folder, arguments.seed))


if __name__ == "__main__":
    main()
