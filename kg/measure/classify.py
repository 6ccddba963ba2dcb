"""Which provider an observed host or organisation belongs to, and whether it is the site's own or a third party.

The rules are those of Kashaf, Sekar and Agarwal (ACM IMC 2020) as their follow-up code applies them
(`AqsaKashaf/Webdep <https://github.com/AqsaKashaf/Webdep>`_ at 77d5fc4: ``DNSdep/get_dns_details_unit.py``,
``CDNdep/get_cdn_details_unit.py``, ``CAdep/get_ca_details_unit.py``, ``classification_utils.py``), in their
order, each result naming the rule that decided it (:data:`RULES`). The provider patterns are data, in
``providers.csv`` beside this module. Defects of the published code fixed here:

* the SOA rule compared each value with itself (``match_SOA`` reads the site's server twice and the name
  server's contact twice), so it never fired: here the site's SOA is compared with the name server
  domain's, and the certificate authority's check is given the OCSP host's SOA (the published CA check
  looked up the site's SOA twice);
* the certificate rule searched the site's names joined in one string (``"dyn.com" in "mydyn.com,..."``
  matched): here it compares registered domains;
* the many-sites rule counted rows of the published output keyed by provider group but looked them up by
  name-server domain, so it held only where the two were spelled alike: here the caller counts distinct
  sites per registered domain (:func:`count_sites`);
* ``"edgecastdns.net" in ns and "1and1-dns" in ns`` (an ``and`` among ``or``\\ s) kept both out of the
  third-party list: both are in ``providers.csv``.

Pure functions: nothing here asks the network. The site's and the host's SOA records and the site's
certificate names are measured by the caller and passed in; the Public Suffix List is the snapshot shipped
in the tldextract package (:func:`registered_domain` never fetches it).
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, SourceLocation, quoted
from kg.measure.hosts import is_address, normalise_host, registered_domain

__all__ = [
    "PARTIES",
    "PROVIDERS",
    "RULES",
    "Classification",
    "ProviderPattern",
    "Providers",
    "classify_host",
    "classify_name",
    "count_sites",
    "load_providers",
]

#: The data file of known providers and their patterns.
PROVIDERS = Path(__file__).with_name("providers.csv")

#: What a classification says of the observed host: the site's ``own``, a ``third`` party, or ``unknown``.
PARTIES = ("own", "third", "unknown")

#: The rules, in the order they are tried, and what each says.
RULES = {
    "same-domain": "the host's registered domain is the site's",
    "provider-is-site": "the host is a known provider's, and that provider is the site itself",
    "known-third-party": "the host matches a third-party provider's pattern in providers.csv",
    "certificate-name": "the host's registered domain is among the names of the site's certificate",
    "soa-differs": "the site's SOA and the host domain's SOA share neither the primary's nor the contact's domain",
    "many-sites": "the host's registered domain serves at least the threshold of measured sites",
    "soa-names-site": "the host domain's SOA names the site's domain as primary or contact",
    "same-label": "the host's registered domain has the site's name under another suffix (nike.com, nike.net)",
    "known-own": "the host matches a pattern of infrastructure that serves its operator's own sites",
    "no-rule": "no rule decided",
}
#: The services a pattern may be scoped to (``*``: any).
SERVICES = ("dns", "cdn", "ca", "hosting", "registrar", "payments", "*")
MATCHES = ("domain", "host", "name", "header")
_HEADER = ["provider", "name", "service", "party", "match", "pattern", "source"]
_DOMAIN_PATTERN = re.compile(r"[a-z0-9*-]+(\.[a-z0-9*-]+)+")
_HEADER_PATTERN = re.compile(r"([a-z0-9-]+)(?:: (\S.*))?")
_WORD = re.compile(r"[^\W_]+")


def _words(name: str) -> list[str]:
    return _WORD.findall(name.casefold())


@dataclass(frozen=True)
class ProviderPattern:
    """One row of ``providers.csv``: a pattern that names a provider."""

    provider: str  # the provider's registered domain; "" when the provider is the matched host's own
    name: str
    service: str  # one of SERVICES
    party: str  # "third" (serves others) or "own" (serves its operator's own sites)
    match: str  # "domain": the host's registered domain; "host": the host or a name under it; "name"; "header"
    pattern: str
    source: str  # where the pattern comes from (webdep:DNS_MAP, webdep:dns-third-list, ..., pdkg)
    line: int = 0  # in the file it was read from

    def __str__(self) -> str:
        return f"{self.pattern!r} ({self.source}, providers.csv line {self.line})"


class Providers:
    """The known providers, indexed for matching hosts and organisation names.

    Examples
    --------
    >>> table = Providers([ProviderPattern("amazon.com", "Amazon Route 53", "dns", "third", "domain",
    ...                                    "awsdns-*.com", "example")])
    >>> table.match_host("ns-1.awsdns-07.com").provider, table.match_host("ns1.example.com")
    ('amazon.com', None)
    """

    def __init__(self, patterns: Iterable[ProviderPattern]) -> None:
        self.patterns = list(patterns)
        self._exact: dict[str, list[ProviderPattern]] = defaultdict(list)
        self._hosts: dict[str, list[ProviderPattern]] = defaultdict(list)
        self._wild: list[tuple[re.Pattern[str], int, ProviderPattern]] = []
        self._names: list[tuple[list[str], ProviderPattern]] = []
        self._headers: list[tuple[str, str, ProviderPattern]] = []  # (header name, value part, pattern)
        self._labels: dict[str, str] = {}  # a domain pattern's first label -> its provider, for named()
        for p in self.patterns:
            if p.match == "domain" and p.provider:
                self._labels.setdefault(p.pattern.split(".", 1)[0], p.provider)
            if p.match == "name":
                self._names.append((_words(p.pattern), p))
            elif p.match == "header":
                header, _, value = p.pattern.partition(": ")
                self._headers.append((header, value.casefold(), p))
            elif p.match == "host":
                self._hosts[p.pattern].append(p)
            elif "*" not in p.pattern:
                self._exact[p.pattern].append(p)
            else:
                self._wild.append((_domain_regex(p.pattern), len(p.pattern.replace("*", "")), p))
        self._wild.sort(key=lambda item: -item[1])  # the most specific wildcard first

    def match_host(self, host: str, service: str | None = None) -> ProviderPattern | None:
        """The pattern ``host`` matches (a name under a ``host`` pattern, else its registered domain exactly,
        else the most specific wildcard), among those of ``service`` and ``*`` (all when None)."""
        host = normalise_host(host)
        labels = host.split(".")
        for i in range(len(labels) - 1):
            if found := _of_service(self._hosts.get(".".join(labels[i:]), ()), service):
                return found
        domain = registered_domain(host)
        if found := _of_service(self._exact.get(domain, ()), service):
            return found
        for regex, _, p in self._wild:
            if regex.fullmatch(domain) and _of_service((p,), service):
                return p
        return None

    def match_name(self, name: str, service: str | None = None) -> ProviderPattern | None:
        """The longest name pattern whose words are a run of ``name``'s words ("DigiCert" in "DigiCert Inc"),
        or, for a name of one word as the published data spells them ("digicertinc"), its beginning."""
        words = _words(name)
        best: ProviderPattern | None = None
        best_length = 0
        for pattern_words, p in self._names:
            if len(pattern_words) > best_length and _of_service((p,), service) and _words_match(pattern_words, words):
                best, best_length = p, len(pattern_words)
        return best

    def match_headers(
        self, headers: Iterable[tuple[str, str]], service: str | None = None
    ) -> list[tuple[ProviderPattern, str]]:
        """The header patterns that response ``headers`` (raw name, value pairs) match, each provider once,
        with the header that matched (``name: value``): a pattern ``cf-ray`` is the header's presence,
        ``server: cloudflare`` a value holding that text, in any case.

        >>> found = load_providers().match_headers([("Server", "cloudflare"), ("CF-RAY", "8c1-AMS")], "cdn")
        >>> [(p.provider, header) for p, header in found]
        [('cloudflare.com', 'CF-RAY: 8c1-AMS')]
        """
        found: dict[str, tuple[ProviderPattern, str]] = {}
        pairs = [(name.lower(), name, value) for name, value in headers]
        for header, value, p in self._headers:
            if not _of_service((p,), service) or p.provider in found:
                continue
            for lowered, name, text in pairs:
                if lowered == header and value in text.casefold():
                    found[p.provider] = (p, f"{name}: {text}")
                    break
        return sorted(found.values(), key=lambda item: item[0].line)

    def named(self, text: str) -> str:
        """The provider a name of the published data denotes: a domain (``akam.net``), a name (``digicertinc``)
        or a domain's label (``ultradns``, ``azure-dns``); the text itself, lower-cased, when none is known.

        >>> load_providers().named("akam.net"), load_providers().named("ultradns"), load_providers().named("state")
        ('akamai.com', 'ultradns.com', 'state')
        """
        text = normalise_host(text)
        if "." in text and (found := self.match_host(text)):
            return found.provider or registered_domain(text)
        if text in self._labels:
            return self._labels[text]
        if found := self.match_name(text):
            return found.provider
        return text


def _domain_regex(pattern: str) -> re.Pattern[str]:
    """A domain pattern as a regular expression over a registered domain: ``*`` stands for any part of a
    label, and a suffix of ``*`` alone for any public suffix (``azure-dns.*`` is azure-dns.com and .co.uk)."""
    label, _, suffix = pattern.partition(".")
    label_regex = re.escape(label).replace(r"\*", "[^.]*")
    suffix_regex = ".+" if suffix == "*" else re.escape(suffix).replace(r"\*", "[^.]*")
    return re.compile(rf"{label_regex}\.{suffix_regex}")


def _of_service(patterns: Iterable[ProviderPattern], service: str | None) -> ProviderPattern | None:
    for p in patterns:
        if service is None or p.service in (service, "*"):
            return p
    return None


def _words_match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return False
    n = len(pattern)
    if any(words[i : i + n] == pattern for i in range(len(words) - n + 1)):
        return True
    return len(words) == 1 and words[0].startswith("".join(pattern))


def load_providers(path: str | Path | None = None) -> Providers:
    """Read a provider table (``providers.csv`` beside this module when no path is given).

    Lines starting with ``#`` are comments. A malformed row is an :class:`~kg.errors.InputError` naming the
    file and line.

    Examples
    --------
    >>> p = load_providers().match_host("ns1.p31.dynect.net", service="dns")
    >>> p.provider, p.party, p.source
    ('oracle.com', 'third', 'webdep:DNS_MAP')
    """
    if path is None:
        return _default_providers()
    return Providers(_read_patterns(Path(path)))


@functools.cache
def _default_providers() -> Providers:
    return Providers(_read_patterns(PROVIDERS))


def _read_patterns(path: Path) -> list[ProviderPattern]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the provider table: {error}", SourceLocation(str(path))) from None
    patterns: list[ProviderPattern] = []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = next(csv.reader([line]))
        where = SourceLocation(str(path), number)
        if not header_seen:
            if fields != _HEADER:
                raise InputError(f"expected the header {','.join(_HEADER)}, found {quoted(line)}", where)
            header_seen = True
            continue
        if len(fields) != len(_HEADER):
            raise InputError(f"expected {len(_HEADER)} fields, found {len(fields)}", where)
        p = ProviderPattern(*(f.strip() for f in fields), line=number)
        for column, value, allowed in (
            ("service", p.service, SERVICES),
            ("party", p.party, ("third", "own")),
            ("match", p.match, MATCHES),
        ):
            if value not in allowed:
                raise InputError(f"{column} {quoted(value)} is not one of {', '.join(allowed)}", where)
        if p.match == "header" and not _HEADER_PATTERN.fullmatch(p.pattern):
            raise InputError(f"{quoted(p.pattern)} is no header pattern: a lower-case name, or 'name: text'", where)
        if p.match in ("domain", "host") and not _DOMAIN_PATTERN.fullmatch(p.pattern):
            raise InputError(f"{quoted(p.pattern)} is no domain pattern (letters, digits, '-', '*' and dots)", where)
        if p.match == "name" and not _words(p.pattern):
            raise InputError("a name pattern needs a word", where)
        patterns.append(p)
    if not header_seen:
        raise InputError("no header row: the provider table is empty", SourceLocation(str(path)))
    return patterns


@dataclass(frozen=True)
class Classification:
    """Which provider an observed host or name belongs to, whether it is the site's own, and why.

    ``rule`` is a key of :data:`RULES`; ``explanation`` (the rule and its reason in one line) is what a
    measurement records as its classification rule.
    """

    observed: str  # the host or organisation name, as given
    site: str
    provider: str  # the provider's registered domain; for an unmatched host, the host's own registered domain
    name: str  # the provider's name from providers.csv, "" when no pattern matched
    party: str  # one of PARTIES
    rule: str  # one of RULES
    reason: str
    pattern: ProviderPattern | None = None  # the providers.csv row that matched, if any

    @property
    def explanation(self) -> str:
        """The rule and its reason, one line."""
        return f"{self.rule}: {self.reason}"


def _label(domain: str) -> str:
    """The name of a registered domain without its suffix (nike of nike.co.uk); an IP address whole."""
    if is_address(domain):
        return domain
    return domain.split(".", 1)[0]


def _is_site(provider: str, site_domain: str) -> bool:
    """Whether a provider is the site itself: the same registered domain, or the same name under another
    suffix (Google's name servers for google.de)."""
    return bool(provider) and (provider == site_domain or _label(provider) == _label(site_domain))


def classify_host(
    host: str,
    site: str,
    *,
    service: str | None = None,
    site_soa: tuple[str, str] | None = None,
    host_soa: tuple[str, str] | None = None,
    certificate_names: Iterable[str] = (),
    sites_served: int = 0,
    many_sites: int = 50,
    providers: Providers | None = None,
) -> Classification:
    """Classify an observed host (a name server, a CNAME target, an OCSP responder) for ``site``.

    The rules of :data:`RULES` in their order; the first that decides gives the result.

    Parameters
    ----------
    host, site : str
        The observed host and the measured site (any name under it: its registered domain is used).
    service : str, optional
        ``dns``, ``cdn``, ``ca`` or ``hosting``: only patterns of that service (and ``*``) apply.
    site_soa, host_soa : (str, str), optional
        The primary server and contact (MNAME, RNAME) of the site's SOA record and of the SOA of the host's
        registered domain, as measured by the caller.
    certificate_names : iterable of str
        The names (SAN) of the site's TLS certificate.
    sites_served, many_sites : int
        How many measured sites the host's registered domain serves (see :func:`count_sites`), and from how
        many on a host is a third party (50, as the published code).
    providers : Providers, optional
        The provider table; ``providers.csv`` when not given.

    Examples
    --------
    >>> r = classify_host("ns-1.awsdns-07.org", "gab.com", service="dns")
    >>> r.provider, r.party, r.rule
    ('amazon.com', 'third', 'known-third-party')
    >>> classify_host("ns1.gab.com", "www.gab.com").explanation
    "same-domain: ns1.gab.com is under gab.com, the site's registered domain"
    >>> r = classify_host("ns1.dnsco.example", "gab.com", site_soa=("ns1.gab.com.", "admin.gab.com."),
    ...                   host_soa=("ns0.dnsco.example.", "ops.dnsco.example."))
    >>> r.provider, r.party, r.rule
    ('dnsco.example', 'third', 'soa-differs')
    """
    table = providers if providers is not None else load_providers()
    host_domain, site_domain = registered_domain(host), registered_domain(site)
    pattern = table.match_host(host, service)

    def result(party: str, rule: str, reason: str, matched: ProviderPattern | None = None) -> Classification:
        provider = (matched.provider or host_domain) if matched else host_domain
        return Classification(host, site, provider, matched.name if matched else "", party, rule, reason, matched)

    if host_domain == site_domain:
        return result("own", "same-domain", f"{host} is under {site_domain}, the site's registered domain")
    if pattern is not None and pattern.party == "third":
        if _is_site(pattern.provider, site_domain):
            return result("own", "provider-is-site", f"{host} is {pattern.provider}'s, and so is {site}", pattern)
        return result("third", "known-third-party", f"{host} matches {pattern}", pattern)
    certificate_domains = {registered_domain(name.removeprefix("*.")) for name in certificate_names}
    if host_domain in certificate_domains:
        return result("own", "certificate-name", f"{host_domain} is among the names of {site}'s certificate")
    if site_soa and host_soa:
        primaries = registered_domain(site_soa[0]), registered_domain(host_soa[0])
        contacts = registered_domain(site_soa[1]), registered_domain(host_soa[1])
        if primaries[0] != primaries[1] and contacts[0] != contacts[1]:
            return result(
                "third",
                "soa-differs",
                f"{site}'s SOA (primary {primaries[0]}, contact {contacts[0]}) and {host_domain}'s "
                f"(primary {primaries[1]}, contact {contacts[1]}) share neither",
            )
    if sites_served >= many_sites:
        return result("third", "many-sites", f"{host_domain} serves {sites_served:,} sites (≥ {many_sites:,})")
    if host_soa and site_domain in (registered_domain(host_soa[0]), registered_domain(host_soa[1])):
        return result("own", "soa-names-site", f"{host_domain}'s SOA names {site_domain}")
    if _label(host_domain) == _label(site_domain):
        return result("own", "same-label", f"{host_domain} and {site_domain} have the same name")
    if pattern is not None:
        return result("own", "known-own", f"{host} matches {pattern}", pattern)
    return result("unknown", "no-rule", f"no rule decides whether {host_domain} is {site_domain}'s own")


def classify_name(
    name: str, site: str, *, service: str | None = None, providers: Providers | None = None
) -> Classification:
    """Classify an organisation's name (a certificate issuer's, an AS organisation's) for ``site``.

    Examples
    --------
    >>> r = classify_name("DigiCert Inc", "gab.com", service="ca")
    >>> r.provider, r.party, r.rule
    ('digicert.com', 'third', 'known-third-party')
    >>> classify_name("Google Trust Services LLC", "google.co.uk").rule
    'provider-is-site'
    >>> classify_name("GAB-AI-INC", "gab.com", service="hosting").party
    'own'
    """
    table = providers if providers is not None else load_providers()
    site_domain = registered_domain(site)
    pattern = table.match_name(name, service)
    if pattern is not None:
        found = (name, site, pattern.provider, pattern.name)
        if pattern.party == "own":
            return Classification(*found, "own", "known-own", f"{name!r} matches {pattern}", pattern)
        if _is_site(pattern.provider, site_domain):
            reason = f"{name!r} is {pattern.provider}'s, and so is {site}"
            return Classification(*found, "own", "provider-is-site", reason, pattern)
        return Classification(*found, "third", "known-third-party", f"{name!r} matches {pattern}", pattern)
    if _label(site_domain) in _words(name):
        return Classification(name, site, site_domain, "", "own", "same-label", f"{name!r} names {site_domain}")
    return Classification(name, site, "", "", "unknown", "no-rule", f"{name!r} is no known provider's name")


def count_sites(observations: Iterable[tuple[str, str]]) -> dict[str, int]:
    """How many distinct sites each observed host's registered domain serves, from (site, host) pairs: the
    ``sites_served`` of :func:`classify_host`.

    Examples
    --------
    >>> count_sites([("a.com", "ns1.host.net"), ("a.com", "ns2.host.net"), ("www.b.com", "ns1.host.net")])
    {'host.net': 2}
    """
    sites: dict[str, set[str]] = defaultdict(set)
    for site, host in observations:
        sites[registered_domain(host)].add(registered_domain(site))
    return {domain: len(served) for domain, served in sites.items()}
