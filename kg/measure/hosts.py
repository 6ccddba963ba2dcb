"""Host names as ``kg measure`` asks and compares them: their ASCII form on the wire, their Unicode form
for people, and their registered domain (the name under its public suffix).

Internationalised names follow IDNA 2008 with UTS 46 mapping (``faß.de`` is ``xn--fa-hia.de``, not
``fass.de``), the same in every module. The Public Suffix List is the snapshot in the tldextract package:
never fetched, never cached on disk.
"""

from __future__ import annotations

import contextlib
import functools
import re
import socket

import dns.exception
import dns.name
import idna
import tldextract

__all__ = ["ascii_domain", "idna_forms", "is_address", "is_host_name", "normalise_host", "registered_domain"]

_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_IDNA = dns.name.IDNA_2008_Practical


def ascii_domain(domain: str) -> str:
    """``domain`` as asked on the wire: lower case, A-labels for internationalised labels.

    Raises ``ValueError`` for a name no DNS label can spell.

    Examples
    --------
    >>> ascii_domain("Bücher.Example."), ascii_domain("gab.com")
    ('xn--bcher-kva.example', 'gab.com')
    """
    try:
        return idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"{domain!r} is not a domain name: {error}") from None


def idna_forms(domain: str) -> tuple[str, str]:
    """The ASCII (IDNA) form of a host name, as asked, and its Unicode form; ``ValueError`` if it is none
    (a label that is no host name label: DNS would carry it, a resolver would not find it).

    Examples
    --------
    >>> idna_forms("Bücher.example."), idna_forms("XN--BCHER-KVA.example")
    (('xn--bcher-kva.example', 'bücher.example'), ('xn--bcher-kva.example', 'bücher.example'))
    >>> idna_forms("bad!.test")
    Traceback (most recent call last):
    ...
    ValueError: label 'bad!' is not a host name label
    """
    text = domain.strip().removesuffix(".")
    if not text:
        raise ValueError("empty name")
    if text.isascii():
        text = text.lower()
    try:
        name = dns.name.from_text(text, idna_codec=_IDNA)
        ascii_form = name.to_text(omit_final_dot=True).lower()
        unicode_form = name.to_unicode(omit_final_dot=True, idna_codec=_IDNA)
    except (dns.exception.DNSException, UnicodeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    for label in ascii_form.split("."):
        if not _LABEL.fullmatch(label):
            raise ValueError(f"label {label!r} is not a host name label")
    return ascii_form, unicode_form


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: the package's own snapshot, never a download or a cache file.
    # The reserved test names (RFC 2606, RFC 6761) are suffixes too, so gab.test is measured as gab.com is.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, extra_suffixes=("test", "example", "invalid", "localhost")
    )


def normalise_host(host: str) -> str:
    """A host name as names are compared: lower case, no final dot, each internationalised label in its
    ASCII form (a label IDNA cannot spell is kept as given).

    >>> normalise_host("NS1.Bücher.DE.")
    'ns1.xn--bcher-kva.de'
    """
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        if not label.isascii():
            with contextlib.suppress(idna.IDNAError, UnicodeError):
                label = idna.encode(label, uts46=True, transitional=False).decode("ascii")
        labels.append(label)
    return ".".join(labels)


def registered_domain(host: str) -> str:
    """The registered domain of ``host``: the name under its public suffix.

    Names under the reserved test suffixes (``.test``, ``.example``) have registered domains as real ones
    do; a name under a suffix the list lacks keeps its last two labels; an IP address is its own.
    Internationalised names are compared in their ASCII form.

    Examples
    --------
    >>> registered_domain("ns-1024.awsdns-47.co.uk."), registered_domain("ns1.gab.test")
    ('awsdns-47.co.uk', 'gab.test')
    >>> registered_domain("ns.Bücher.de"), registered_domain("ns1.corp.internal"), registered_domain("192.0.2.1")
    ('xn--bcher-kva.de', 'corp.internal', '192.0.2.1')
    """
    host = normalise_host(host)
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    if is_address(host):
        return host
    return ".".join(host.split(".")[-2:])


def is_address(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address (its own registered domain).

    >>> is_address("192.0.2.1"), is_address("2001:db8::1"), is_address("gab.com")
    (True, True, False)
    """
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, text)
        except (OSError, ValueError):
            continue
        return True
    return False


_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def is_host_name(name: str) -> bool:
    """Whether ``name`` (in ASCII) is a host name the interchange format can name: letters, digits and
    inner hyphens in labels of 1 to 63 characters, at most 253 in all, in lower case (an underscore or a
    leading hyphen can be in DNS, not in a host name).

    >>> is_host_name("xn--bcher-kva.example"), is_host_name("-x.test"), is_host_name("_dmarc.gab.com")
    (True, False, False)
    """
    return 0 < len(name) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in name.split("."))
