"""What one site's measurements show: its providers, service by service, each with the rule that decided it
and the evidence it rests on.

Pure functions over what :mod:`kg.measure.dns`, :mod:`kg.measure.asn`, :mod:`kg.measure.web` and
:mod:`kg.measure.rdap` measured (:class:`SiteMeasurement`); nothing here asks the network. The rules, each
recorded on the dependency it makes (``rule``):

* **dns**: each name server classified by :func:`~kg.measure.classify.classify_host` (the published
  studies' rules); the site's own name servers make a self-provision.
* **hosting**: each address at the end of the site's CNAME chain (its ``www.`` name's when the site
  itself has none) to its route's origin AS and that AS's organisation, whose name is classified by
  :func:`~kg.measure.classify.classify_name`. An organisation no pattern knows is the provider
  ``as<number>`` (named by the organisation), an address no route covers shows nothing.
* **cdn**: a name in the CNAME chains of the site or of its ``www.`` name that matches a CDN's pattern,
  and the landing page's response headers that CDNs document (``header`` rows of ``providers.csv``).
* **certificate-authority**: the issuer's organisation (else its common name) classified by name, else
  the OCSP responder's host by the CA patterns; a CA no pattern knows is the registered domain of its OCSP
  responder, else its organisation's name as an identifier. A self-signed certificate is the site's own.
  A site that staples OCSP responses keeps working while its CA's responder is down: its dependency is a
  ``channel`` (it degrades the site), as in the published analysis.
* **registrar**: the registrar RDAP names, by name, else ``iana-registrar-<id>``.
* **payments** and **cdn** from third-party script hosts of the landing page (optional).

A provider the site turns out to be (``own``) is a self-provision: the site's own identifier as provider.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.measure.asn import Origin
from kg.measure.classify import Classification, Providers, classify_host, classify_name, load_providers
from kg.measure.dns import DnsResult, Soa
from kg.measure.evidence import Evidence
from kg.measure.hosts import registered_domain
from kg.measure.rdap import Registration
from kg.measure.web import SiteWeb

__all__ = ["Finding", "SiteMeasurement", "findings", "hosted_name", "slug", "soa_questions"]

_NOT_ID = re.compile(r"[^a-z0-9.]+")


def slug(text: str) -> str:
    """An identifier made of a name: lower case, runs of other characters as one ``-``.

    >>> slug("Example Trust Services, Inc."), slug("  "), slug("Name. Com -. Registrar")
    ('example-trust-services-inc', '', 'name.com.registrar')
    """
    return re.sub(r"[.-]*\.[.-]*", ".", _NOT_ID.sub("-", text.casefold())).strip("-.")


@dataclass(frozen=True)
class SiteMeasurement:
    """Everything measured of one domain: its DNS, the origins of its addresses (looked up in a routing
    table, each an ``asn`` Evidence), its certificate and landing page, and its registration. Parts not
    measured are empty."""

    dns: DnsResult
    origins: tuple[tuple[str, Origin | None], ...] = ()  # (address, its origin or None: no route)
    origin_evidence: tuple[Evidence, ...] = ()
    web: SiteWeb | None = None
    registration: Registration | None = None
    soas: tuple[tuple[str, Soa | None], ...] = ()  # (a provider's domain, its SOA): for the SOA rules
    soa_evidence: tuple[Evidence, ...] = ()

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Every question asked for the domain, in the order asked (DNS, routes, web, RDAP, SOAs)."""
        web = self.web.evidence if self.web else ()
        registration = self.registration.evidence if self.registration else ()
        return (*self.dns.evidence, *self.origin_evidence, *web, *registration, *self.soa_evidence)

    def soa_of(self, domain: str) -> tuple[str, str] | None:
        """The primary server and contact of ``domain``'s SOA, when it was asked and has one."""
        soa = dict(self.soas).get(domain)
        return (soa.mname, soa.rname) if soa else None

    def soa_shown(self, domain: str) -> tuple[Evidence, ...]:
        """The Evidence of ``domain``'s SOA, when it was asked."""
        return tuple(e for e in self.soa_evidence if e.question == f"SOA {domain}")

    @property
    def site_soa(self) -> tuple[str, str] | None:
        """The primary server and contact of the site's own SOA, when it has one."""
        return (self.dns.soa.mname, self.dns.soa.rname) if self.dns.soa else None

    @property
    def certificate_names(self) -> tuple[str, ...]:
        """The names of the site's certificate, when it was read."""
        return self.web.tls.certificate.names if self.web and self.web.tls.certificate else ()


@dataclass(frozen=True)
class Finding:
    """One dependency a site's measurements show."""

    provider: str  # the provider's identifier; the site's own for self-provision
    name: str  # the provider's name, as the rule found it
    service: str
    rule: str  # one line: the rule and its reason
    evidence: tuple[Evidence, ...]  # what it rests on
    note: str = ""
    effect: str = ""  # "" (the service's default) or "channel"
    observed: tuple[str, ...] = field(default=())  # the hosts, names or headers that showed it


def _provider(found: Classification, site: str) -> str:
    """The provider a decided classification names: the site itself when it is the site's own."""
    return site if found.party == "own" else found.provider


def _group(items: Iterable[tuple[str, str, str, tuple[Evidence, ...], str]], service: str, note: str) -> list[Finding]:
    """Findings of one service from (provider, name, rule, evidence, observed), one per provider."""
    grouped: dict[str, list] = {}
    for provider, name, rule, evidence, observed in items:
        grouped.setdefault(provider, []).append((name, rule, evidence, observed))
    found = []
    for provider, members in sorted(grouped.items()):
        cited: list[Evidence] = []
        for _, _, evidence, _ in members:
            cited += [e for e in evidence if e not in cited]
        observed = tuple(dict.fromkeys(m[3] for m in members))
        rules = "; ".join(dict.fromkeys(m[1] for m in members))
        text = f"{note} {', '.join(observed)}" if note else ""
        found.append(
            Finding(provider, members[0][0] or provider, service, rules, tuple(cited), text, observed=observed)
        )
    return found


def _dns(s: SiteMeasurement, providers: Providers) -> list[Finding]:
    m = s.dns
    if m.outcome != "ok" or not m.nameservers:
        return []
    shown = [e for e in m.evidence if e.question == f"NS {m.zone}" and e.outcome == "ok"] or list(m.evidence[:1])
    items = []
    for server in m.nameservers:
        found = classify_host(
            server.name, m.ascii, service="dns", site_soa=s.site_soa, host_soa=s.soa_of(server.domain),
            certificate_names=s.certificate_names, providers=providers,
        )  # fmt: skip
        evidence = (*shown, *(s.soa_shown(server.domain) if found.rule.startswith("soa-") else ()))
        items.append((_provider(found, m.ascii), found.name, found.explanation, evidence, server.name))
    return _group(items, "dns", "name servers")


def soa_questions(s: SiteMeasurement, providers: Providers | None = None) -> list[str]:
    """The provider domains whose SOA the rules would compare with the site's: those of its name servers
    and of its CA's OCSP responder that neither the site's domain nor a known third party's pattern decides.

    Examples
    --------
    >>> from kg.measure.dns import NameServer
    >>> servers = (NameServer("ns1.site.test", "site.test"), NameServer("ns-1.awsdns-07.org", "awsdns-07.org"),
    ...            NameServer("ns1.smalldns.example", "smalldns.example"))
    >>> soa_questions(SiteMeasurement(DnsResult("site.test", "site.test", "site.test", "ok", nameservers=servers)))
    ['smalldns.example']
    """
    table = providers if providers is not None else load_providers()
    m = s.dns
    hosts = [(server.name, "dns") for server in m.nameservers] if m.outcome == "ok" else []
    certificate = s.web.tls.certificate if s.web else None
    if certificate is not None and not certificate.self_signed:
        issuer = certificate.issuer_organization or certificate.issuer_common_name
        if not (issuer and table.match_name(issuer, "ca")):
            hosts += [(host, "ca") for host in (_host_of(url) for url in certificate.ocsp_urls[:1]) if host]
    wanted = []
    for host, service in hosts:
        domain = registered_domain(host)
        pattern = table.match_host(host, service)
        if domain == registered_domain(m.ascii) or (pattern is not None and pattern.party == "third"):
            continue
        if domain not in wanted:
            wanted.append(domain)
    return wanted


def hosted_name(m: DnsResult):
    """The name whose addresses host the site: the domain's (the end of its CNAME chain), else its
    ``www.`` name's; None when neither has an address."""
    for host in (m.apex, m.www):
        if host is not None and (host.ipv4 or host.ipv6):
            return host
    return None


def _address_evidence(m: DnsResult, name: str) -> tuple[Evidence, ...]:
    return tuple(e for e in m.evidence if e.question in (f"A {name}", f"AAAA {name}") and e.outcome == "ok")


def _hosting(s: SiteMeasurement, providers: Providers) -> list[Finding]:
    m = s.dns
    host = hosted_name(m)
    if m.outcome != "ok" or host is None:
        return []
    looked = {e.question.split(" ", 1)[1]: e for e in s.origin_evidence}
    answers = _address_evidence(m, host.canonical)
    items = []
    for address, found in s.origins:
        if found is None:
            continue
        organisation = found.organisation or found.as_name
        asn = f"AS{found.asn}"
        named = f"{organisation} ({asn})" if organisation else asn
        who = classify_name(organisation, m.ascii, service="hosting", providers=providers) if organisation else None
        if (who is None or who.party == "unknown") and found.as_name and found.as_name != organisation:
            who = classify_name(found.as_name, m.ascii, service="hosting", providers=providers)
        evidence = (*answers, *((looked[address],) if address in looked else ()))
        if who is not None and who.party != "unknown":
            rule = f"{who.rule}: {address} is routed from {named}; {who.reason}"
            items.append((_provider(who, m.ascii), who.name or organisation, rule, evidence, address))
        else:
            rule = f"origin-as: {address} is routed from {named}, which no provider pattern names"
            items.append((f"as{found.asn}", organisation or asn, rule, evidence, address))
    return _group(items, "hosting", "addresses")


def _cdn(s: SiteMeasurement, providers: Providers) -> list[Finding]:
    m = s.dns
    if m.outcome != "ok":
        return []
    items = []
    for host in (m.apex, m.www):
        if host is None:
            continue
        for target in host.chain:
            pattern = providers.match_host(target, "cdn")
            if pattern is None or pattern.service not in ("cdn", "*"):
                continue
            found = classify_host(
                target, m.ascii, service="cdn", certificate_names=s.certificate_names, providers=providers
            )
            if found.party == "unknown":
                continue
            shown = tuple(e for e in m.evidence if e.question.startswith("CNAME ") and target in "\n".join(e.answer))
            rule = f"{found.rule}: {host.name} is an alias of {target}; {found.reason}"
            items.append((_provider(found, m.ascii), found.name, rule, shown, target))
    if s.web is not None and s.web.landing.status is not None:
        page = next((e for e in reversed(s.web.landing.evidence) if e.question.startswith("GET ")), None)
        for pattern, header in providers.match_headers(s.web.landing.headers, "cdn"):
            provider = m.ascii if _own(pattern.provider, m.ascii) else pattern.provider
            rule = f"cdn-header: the landing page answered with {header!r}, which {pattern} names"
            items.append((provider, pattern.name, rule, (page,) if page else (), header.split(":", 1)[0]))
    return _group(items, "cdn", "seen in")


def _own(provider: str, site: str) -> bool:
    return registered_domain(provider) == registered_domain(site)


def _certificate_authority(s: SiteMeasurement, providers: Providers) -> list[Finding]:
    if s.web is None or s.web.tls.certificate is None:
        return []
    site = s.dns.ascii or s.web.domain
    tls = s.web.tls
    certificate = tls.certificate
    shown = tuple(e for e in tls.evidence if e.question.startswith("TLS ") and e.outcome == "ok")
    stapling = tuple(e for e in tls.evidence if e.question.startswith("OCSP "))
    issuer = certificate.issuer_organization or certificate.issuer_common_name
    notes = []
    if certificate.expired:
        notes.append("the certificate had expired")
    if not certificate.verified and certificate.verify_error:
        notes.append(f"not trusted: {certificate.verify_error}")
    if tls.stapled is not None:
        notes.append("staples OCSP responses" if tls.stapled else "no OCSP stapling")
    if certificate.self_signed:
        rule = f"self-signed: the certificate of {site} is signed by its own key (issuer {certificate.issuer})"
        return [
            Finding(site, site, "certificate-authority", rule, shown + stapling, "; ".join(notes), observed=(issuer,))
        ]
    found = classify_name(issuer, site, service="ca", providers=providers) if issuer else None
    ocsp_hosts = [h for h in (_host_of(url) for url in certificate.ocsp_urls) if h]
    if (found is None or found.party == "unknown") and ocsp_hosts:
        ocsp_domain = registered_domain(ocsp_hosts[0])
        by_host = classify_host(
            ocsp_hosts[0], site, service="ca", certificate_names=certificate.names, site_soa=s.site_soa,
            host_soa=s.soa_of(ocsp_domain), providers=providers,
        )  # fmt: skip
        if by_host.party != "unknown":
            found = by_host
            shown += s.soa_shown(ocsp_domain) if by_host.rule.startswith("soa-") else ()
    if found is not None and found.party != "unknown":
        provider, name = _provider(found, site), found.name or issuer
        rule = f"{found.rule}: the certificate's issuer is {issuer!r}; {found.reason}"
    elif ocsp_hosts:
        provider, name = registered_domain(ocsp_hosts[0]), issuer or ocsp_hosts[0]
        rule = f"ocsp-responder: the issuer {issuer!r} answers OCSP at {ocsp_hosts[0]}, which no pattern names"
    else:
        provider, name = slug(issuer) or slug(certificate.issuer), issuer or certificate.issuer
        rule = f"issuer-name: the issuer {issuer!r} has no OCSP responder and no pattern names it"
    effect = "channel" if tls.stapled and provider != site else ""
    return [
        Finding(provider, name, "certificate-authority", rule, shown + stapling, "; ".join(notes), effect, (issuer,))
    ]


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _registrar(s: SiteMeasurement, providers: Providers) -> list[Finding]:
    r = s.registration
    if r is None or not (r.registrar or r.registrar_iana_id):
        return []
    site = s.dns.ascii or r.domain
    shown = tuple(e for e in r.evidence if e.outcome == "ok")[-1:]
    iana = f" (IANA Registrar ID {r.registrar_iana_id})" if r.registrar_iana_id else ""
    found = classify_name(r.registrar, site, service="registrar", providers=providers) if r.registrar else None
    if found is not None and found.party != "unknown":
        provider, name = _provider(found, site), found.name or r.registrar
        rule = f"{found.rule}: the registry names {r.registrar!r}{iana} as registrar; {found.reason}"
    else:
        provider = f"iana-registrar-{r.registrar_iana_id}" if r.registrar_iana_id else slug(r.registrar)
        name = r.registrar or provider
        rule = f"rdap-registrar: the registry names {r.registrar or 'a registrar'!r}{iana}, which no pattern names"
    return [Finding(provider, name, "registrar", rule, shown, observed=(r.registrar or r.registrar_iana_id,))]


def _scripts(s: SiteMeasurement, providers: Providers) -> list[Finding]:
    if s.web is None or not s.web.landing.script_hosts:
        return []
    site = s.dns.ascii or s.web.domain
    shown = tuple(e for e in s.web.landing.evidence if e.question.startswith("SCRIPTS "))
    items: dict[str, list] = {"payments": [], "cdn": []}
    for host in s.web.landing.script_hosts:
        for service in items:
            pattern = providers.match_host(host, service)
            if pattern is None or pattern.service != service or pattern.party != "third":
                continue
            if _own(pattern.provider, site):
                continue
            rule = f"script-host: the landing page loads scripts from {host}, which {pattern} names"
            items[service].append((pattern.provider, pattern.name, rule, shown, host))
            break
    return _group(items["payments"], "payments", "scripts from") + _group(items["cdn"], "cdn", "scripts from")


def findings(measurement: SiteMeasurement, providers: Providers | None = None) -> list[Finding]:
    """The dependencies ``measurement`` shows, service by service (dns, hosting, cdn,
    certificate-authority, registrar, payments), by the module's rules.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.measure.dns import NameServer
    >>> t = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
    >>> answer = ("shop.test. 300 IN NS ns1.hostco.test.",)
    >>> ns = Evidence("shop.test", "dns", "NS shop.test", "127.0.0.1:53", t, "ok", answer)
    >>> result = DnsResult("shop.test", "shop.test", "shop.test", "ok", zone="shop.test",
    ...                    nameservers=(NameServer("ns1.hostco.test", "hostco.test"),), evidence=(ns,))
    >>> [(f.provider, f.service, f.rule.split(":")[0]) for f in findings(SiteMeasurement(result))]
    [('hostco.test', 'dns', 'no-rule')]
    """
    table = providers if providers is not None else load_providers()
    found = _dns(measurement, table)
    if measurement.dns.found_via:  # a provider's domain measured in turn: its DNS only
        return found
    scripts = _scripts(measurement, table)
    return (
        found
        + _hosting(measurement, table)
        + _merge(_cdn(measurement, table) + [f for f in scripts if f.service == "cdn"])
        + _certificate_authority(measurement, table)
        + _registrar(measurement, table)
        + [f for f in scripts if f.service == "payments"]
    )


def _merge(found: list[Finding]) -> list[Finding]:
    """Findings of one service, one per provider: rules, evidence and what showed it joined."""
    merged: dict[str, Finding] = {}
    for f in found:
        if f.provider not in merged:
            merged[f.provider] = f
            continue
        old = merged[f.provider]
        merged[f.provider] = Finding(
            f.provider,
            old.name,
            f.service,
            "; ".join(dict.fromkeys([*old.rule.split("; "), *f.rule.split("; ")])),
            tuple(dict.fromkeys(old.evidence + f.evidence)),
            "; ".join(filter(None, dict.fromkeys([old.note, f.note]))),
            old.effect,
            tuple(dict.fromkeys(old.observed + f.observed)),
        )
    return [merged[p] for p in sorted(merged)]
