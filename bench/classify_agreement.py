"""How often kg.measure.classify agrees with the published name-server classification (issue 21).

The 14,640 rows of ``data/samples/webdep-us-2023/dns-nameservers.csv`` (rank, site, provider, Third/Pvt/unknown,
name-server domain) are classified again from the site and the name-server domain alone, as
``kg.measure.classify.classify_host`` does for a measurement: no SOA and no certificate names (the published
data records neither), and the sites each name-server domain serves counted in the same file. Run::

    .venv/bin/python bench/classify_agreement.py
    .venv/bin/python bench/classify_agreement.py --without-source webdep:DNS_MAP   # without the published map
    .venv/bin/python bench/classify_agreement.py --examples 10

It prints the agreement on the provider, on the class and on both, then the disagreements grouped by why
they differ, largest group first. The test ``tests/test_measure_classify.py`` asserts the agreement on both
is at least 95%.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.measure.classify import Classification, Providers, classify_host, count_sites, load_providers

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "samples" / "webdep-us-2023" / "dns-nameservers.csv"
PARTY = {"Third": "third", "Pvt": "own", "unknown": "unknown"}

#: Why a row disagrees, in the order the kinds are tried, with what each means.
KINDS = {
    "published-inconsistent": "the published data gives this name-server domain more than one class, so no "
    "classifier of the domain agrees with all its rows",
    "provider-is-site": "a provider's name servers serving the provider's own site: own by our rule "
    "provider-is-site or same-label, Third in the published rows",
    "own-list-disagrees-with-rows": "own by a list of private name servers (the published code's, or pdkg's "
    "google.com), Third in the published rows: the data and the code of the same commit disagree",
    "public-sector": "own by the published code's .gov, .edu and state.XX.us rule, Third or unknown in the "
    "published rows: the data and the code of the same commit disagree",
    "needs-certificate-or-soa": "Pvt in the published data by a rule that needs the site's certificate names "
    "or SOA, which the published data does not record: we say unknown",
    "mapped-but-unknown": "in the published provider map (DNS_MAP) as a third party, unknown in these rows",
    "other": "none of the above (each row is listed)",
}


@dataclass
class Disagreement:
    """Rows of one published (provider, class, name-server domain) that ours classifies otherwise."""

    kind: str
    nameserver: str
    published_provider: str
    published_class: str
    ours: Classification
    rows: int = 0
    sites: list[str] = field(default_factory=list)


@dataclass
class Agreement:
    """The agreement figures and the disagreements, grouped."""

    rows: int = 0
    provider: int = 0  # rows whose provider agrees
    party: int = 0  # rows whose class agrees
    both: int = 0
    rules: Counter = field(default_factory=Counter)  # rows decided by each rule (with its pattern's source)
    disagreements: dict[tuple, Disagreement] = field(default_factory=dict)

    def share(self, count: int) -> float:
        """``count`` as a share of the rows."""
        return count / self.rows if self.rows else 0.0


def read_rows(path: Path = DATA) -> list[list[str]]:
    """The published rows: rank, site, provider, Third/Pvt/unknown, name-server domain."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.reader(handle) if row]


def compare(rows: Iterable[list[str]], providers: Providers | None = None) -> Agreement:
    """Classify every row's name server for its site and compare with the published provider and class.

    The providers are the same when the table names the same provider for the published one and for ours
    (``Providers.named``: the published data spells a provider as a group label, ``ultradns``, or a
    domain, ``akam.net``; ours is a registered domain, ``akamai.com``).
    """
    table = providers if providers is not None else load_providers()
    rows = list(rows)
    served = count_sites((row[1], row[4]) for row in rows)
    classes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        classes[row[4]].add(row[3])
    result = Agreement()
    for _rank, site, provider, published_class, nameserver in rows:
        ours = classify_host(nameserver, site, service="dns", sites_served=served[nameserver], providers=table)
        same_provider = table.named(provider) == table.named(ours.provider)
        same_party = PARTY[published_class] == ours.party
        result.rows += 1
        result.rules[ours.rule + (f" ({ours.pattern.source})" if ours.pattern else "")] += 1
        result.provider += same_provider
        result.party += same_party
        result.both += same_provider and same_party
        if same_provider and same_party:
            continue
        kind = _kind(published_class, ours, classes[nameserver])
        key = (kind, nameserver, provider, published_class, ours.provider, ours.party, ours.rule)
        entry = result.disagreements.setdefault(key, Disagreement(kind, nameserver, provider, published_class, ours))
        entry.rows += 1
        entry.sites.append(site)
    return result


def _kind(published_class: str, ours: Classification, classes: set[str]) -> str:
    source = ours.pattern.source if ours.pattern else ""
    if len(classes) > 1:
        return "published-inconsistent"
    if published_class == "Third" and ours.rule in ("provider-is-site", "same-label"):
        return "provider-is-site"
    if published_class == "Third" and ours.rule == "known-own" and source in ("webdep:dns-private-list", "pdkg"):
        return "own-list-disagrees-with-rows"
    if published_class != "Pvt" and source == "webdep:dns-public-sector":
        return "public-sector"
    if published_class == "Pvt" and ours.rule == "no-rule":
        return "needs-certificate-or-soa"
    if published_class == "unknown" and source == "webdep:DNS_MAP":
        return "mapped-but-unknown"
    return "other"


def report(agreement: Agreement, examples: int = 5) -> str:
    """The figures and the disagreements by kind, as text."""
    lines = [
        f"{agreement.rows:,} name-server rows of the published data",
        f"provider agrees: {agreement.provider:,} ({agreement.share(agreement.provider):.2%})",
        f"class agrees:    {agreement.party:,} ({agreement.share(agreement.party):.2%})",
        f"both agree:      {agreement.both:,} ({agreement.share(agreement.both):.2%})",
        "",
        "rows decided by each rule (and the source of its pattern):",
        *(f"  {count:6,} {rule}" for rule, count in agreement.rules.most_common()),
        "",
        f"disagreements: {agreement.rows - agreement.both:,} rows",
    ]
    by_kind: dict[str, list[Disagreement]] = defaultdict(list)
    for entry in agreement.disagreements.values():
        by_kind[entry.kind].append(entry)
    totals = Counter({kind: sum(e.rows for e in entries) for kind, entries in by_kind.items()})
    for kind, total in totals.most_common():
        lines.append(f"\n{kind}: {total:,} rows. {KINDS[kind]}")
        for entry in sorted(by_kind[kind], key=lambda e: -e.rows)[:examples]:
            ours = entry.ours
            lines.append(
                f"  {entry.rows:4,} {entry.nameserver}: published {entry.published_provider} {entry.published_class}, "
                f"ours {ours.provider} {ours.party} ({ours.rule}{', ' + ours.pattern.source if ours.pattern else ''})"
                f"; e.g. {', '.join(sorted(set(entry.sites))[:3])}"
            )
        if len(by_kind[kind]) > examples:
            rest = sum(e.rows for e in sorted(by_kind[kind], key=lambda e: -e.rows)[examples:])
            lines.append(f"  ... and {len(by_kind[kind]) - examples:,} more name-server domains ({rest:,} rows)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the dns-nameservers.csv file")
    parser.add_argument("--providers", type=Path, help="a provider table instead of kg/measure/providers.csv")
    parser.add_argument(
        "--without-source", action="append", default=[], help="leave out the patterns of this source (repeatable)"
    )
    parser.add_argument("--examples", type=int, default=5, help="name-server domains shown per kind")
    args = parser.parse_args(argv)
    table = load_providers(args.providers)
    if args.without_source:
        table = Providers(p for p in table.patterns if p.source not in args.without_source)
    print(report(compare(read_rows(args.data), table), args.examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
