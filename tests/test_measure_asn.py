"""kg.measure.asn: an address's origin AS and organisation from the user's routing table and as2org file
(issue 21). Small literal tables in the real files' formats; a property test against a brute-force
longest-prefix match."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import ipaddress
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.measure.asn import file_source, load_as_organisations, load_routing_table, origin

# As pyasn_util_convert.py writes them from a RouteViews dump.
IPASN = """\
; IP-ASN32-DAT file
; Original source:\trib.20260101.0000.bz2
; Converted on:\tThu Jan  1 02:00:00 2026
; Prefixes-v4:\t5
; Prefixes-v6:\t2
;
1.0.0.0/24\t13335
8.0.0.0/9\t3356
8.8.4.0/24\t15169
8.8.8.0/24\t15169
8.8.8.0/25\t64496
2001:db8::/32\t64500
2001:db8:1::/48\t64501
"""

# As ip-location-db's asn-ipv4.csv (no header; organisations with commas quoted).
RANGES_V4 = """\
1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
1.0.4.0,1.0.7.255,38803,Wirefreebroadband Pty Ltd
192.0.2.0,192.0.2.99,64496,TEST-NET ONE
"""
RANGES_V6 = """\
2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project
"""

# CAIDA as2org, text format: organisations first, then ASes, each after its format line.
AS2ORG = """\
# name: AS Org
# description: AS to Organization mappings derived from WHOIS
# format:org_id|changed|org_name|country|source
CLOUD14-ARIN|20231115|Cloudflare, Inc.|US|ARIN
GOGL-ARIN|20230911|Google LLC|US|ARIN
# format:aut|changed|aut_name|org_id|opaque_id|source
13335|20170217|CLOUDFLARENET|CLOUD14-ARIN|d7b8b6a9_ARIN|ARIN
15169|20120307|GOOGLE|GOGL-ARIN|f5a2fbc2_ARIN|ARIN
64500|20200101|NO-ORG-LISTED|MISSING-ORG||ARIN
"""


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ipasn(tmp_path):
    return load_routing_table(write(tmp_path / "ipasn_20260101.dat", IPASN))


@pytest.mark.parametrize(
    ("address", "asn", "prefix"),
    [
        ("8.8.8.8", 64496, "8.8.8.0/25"),  # the most specific of three nested routes
        ("8.8.8.200", 15169, "8.8.8.0/24"),  # past the /25, inside the /24
        ("8.8.9.1", 3356, "8.0.0.0/9"),  # past the /24, inside the /9
        ("8.8.4.4", 15169, "8.8.4.0/24"),
        ("8.127.255.255", 3356, "8.0.0.0/9"),  # the /9's last address
        ("1.0.0.0", 13335, "1.0.0.0/24"),
        ("2001:db8:1::53", 64501, "2001:db8:1::/48"),
        ("2001:db8:2::53", 64500, "2001:db8::/32"),
        ("::ffff:8.8.8.8", 64496, "8.8.8.0/25"),  # an IPv4 address written as IPv6 is looked up as IPv4
    ],
)
def test_the_longest_prefix_wins(ipasn, address, asn, prefix):
    found = ipasn.lookup(address)
    assert (found.asn, found.prefix) == (asn, prefix)


@pytest.mark.parametrize("address", ["8.128.0.0", "1.0.1.0", "9.9.9.9", "2001:db9::1", "0.0.0.0"])
def test_an_address_no_route_covers_has_no_origin(ipasn, address):
    assert ipasn.lookup(address) is None


def test_a_text_that_is_no_address_is_a_value_error(ipasn):
    with pytest.raises(ValueError, match=r"'gab\.com' is no IP address"):
        ipasn.lookup("gab.com")


def test_ranges_carry_their_organisation_and_several_files_make_one_table(tmp_path):
    table = load_routing_table([write(tmp_path / "v4.csv", RANGES_V4), write(tmp_path / "v6.csv", RANGES_V6)])
    cloudflare = table.lookup("1.0.0.1")
    assert (cloudflare.asn, cloudflare.prefix, cloudflare.organisation) == (13335, "1.0.0.0/24", "Cloudflare, Inc.")
    assert table.lookup("1.0.5.5").prefix == "1.0.4.0/22"
    assert table.lookup("192.0.2.50").prefix == "192.0.2.0-192.0.2.99"  # a range that is no prefix
    assert table.lookup("192.0.2.100") is None
    assert table.lookup("2001:200::1").organisation == "WIDE Project"
    assert table.routes == 4 and len(table.sources) == 2


def test_a_header_row_is_skipped(tmp_path):
    text = "ip_range_start,ip_range_end,as_number,as_organization\n" + RANGES_V4
    assert load_routing_table(write(tmp_path / "asn.csv", text)).lookup("1.0.0.1").asn == 13335


def test_gzip_files_are_read(tmp_path):
    path = tmp_path / "ipasn.dat.gz"
    path.write_bytes(gzip.compress(IPASN.encode()))
    assert load_routing_table(path).lookup("8.8.8.8").asn == 64496


def test_a_prefix_listed_twice_keeps_its_first_origin(tmp_path):
    table = load_routing_table(write(tmp_path / "t.dat", "10.0.0.0/8\t64496\n10.0.0.0/8\t64497\n"))
    assert table.lookup("10.1.2.3").asn == 64496


def test_sibling_routes_inside_one_route(tmp_path):
    text = "10.0.0.0/8\t1\n10.0.0.0/24\t2\n10.0.1.0/24\t3\n10.0.3.0/24\t4\n"
    table = load_routing_table(write(tmp_path / "t.dat", text))
    assert [table.lookup(f"10.0.{i}.1").asn for i in range(5)] == [2, 3, 1, 4, 1]


def test_ranges_that_overlap_without_nesting_are_refused(tmp_path):
    text = "10.0.0.0,10.0.0.200,1,A\n10.0.0.100,10.0.1.0,2,B\n"
    with pytest.raises(InputError) as caught:
        load_routing_table(write(tmp_path / "r.csv", text))
    assert str(caught.value) == (
        f"{tmp_path / 'r.csv'}:2: 10.0.0.100-10.0.1.0 overlaps 10.0.0.0-10.0.0.200 ({tmp_path / 'r.csv'}:1) "
        "without either containing the other"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.0.0.0/24\t13335\n1.0.0.0/33\t1\n", ":2: '1.0.0.0/33' is no IPv4 or IPv6 prefix"),
        ("1.0.0.0/24 13335\n1.0.0.1/24\t1\n", ":2: '1.0.0.1/24' has bits set after its length"),
        ("1.0.0.0/24\tAS13335\n", ":1: 'AS13335' is no AS number (0 to 4294967295)"),
        ("1.0.0.0/24\t4294967296\n", ":1: '4294967296' is no AS number"),
        ("1.0.0.0/24\t13335\n1.0.1.0/24\n", ":2: expected 'prefix/length<TAB>AS number', found '1.0.1.0/24'"),
        ("; comment\n1.0.0.0\t13335\n", ":2: expected 'prefix/length<TAB>AS number' (pyasn) or"),
        ("16777216,16777471,13335,X\n", ":1: '16777216'-'16777471' is no address range (numbers: give the file"),
        ("1.0.0.9,1.0.0.0,13335,X\n", ":1: 1.0.0.9-1.0.0.0 is no range"),
        ("1.0.0.0,2001:db8::,13335,X\n", ":1: 1.0.0.0-2001:db8:: is no range"),
        ("1.0.0.0,1.0.0.255\n", ":1: expected 'start,end,AS number[,organisation]'"),
    ],
)
def test_a_malformed_routing_table_is_one_line_naming_file_and_line(tmp_path, text, message):
    path = write(tmp_path / "table.txt", text)
    with pytest.raises(InputError) as caught:
        load_routing_table(path)
    assert str(caught.value).startswith(str(path) + message)
    assert "\n" not in str(caught.value)


def test_an_unreadable_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"absent\.dat: cannot read it"):
        load_routing_table(tmp_path / "absent.dat")
    (tmp_path / "latin1.dat").write_bytes("; Zürich\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.dat: cannot read it as gzip or UTF-8 text"):
        load_routing_table(tmp_path / "latin1.dat")


def test_the_sources_are_described_for_provenance(tmp_path):
    path = tmp_path / "ipasn.dat.gz"
    data = gzip.compress(IPASN.encode())
    path.write_bytes(data)
    os.utime(path, (0, 1_767_225_600))  # 2026-01-01T00:00:00Z
    source = load_routing_table(path).sources[0]
    assert source == file_source(path)
    assert (source.path, source.size, source.sha256) == (str(path), len(data), hashlib.sha256(data).hexdigest())
    assert source.modified == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert str(source).startswith(f"{path} ({len(data):,} bytes, modified 2026-01-01T00:00:00Z, sha256 ")


# ------------------------------------------------------------------------------------------- as2org


def test_caida_text_format_maps_ases_to_organisations(tmp_path):
    organisations = load_as_organisations(write(tmp_path / "20260101.as-org2info.txt", AS2ORG))
    google = organisations.get(15169)
    assert (google.as_name, google.org_id, google.name, google.country, google.registry) == (
        "GOOGLE",
        "GOGL-ARIN",
        "Google LLC",
        "US",
        "ARIN",
    )
    assert organisations.get(64500).name == ""  # its organisation is not in the file
    assert organisations.get(1) is None
    assert len(organisations) == 3
    assert organisations.source.path.endswith("20260101.as-org2info.txt")


def test_caida_older_text_format(tmp_path):
    text = (
        "# format: aut|changed|name|org_id|source\n1|20120224|LVLT-1|LVLT-ARIN|ARIN\n"
        "# format: org_id|changed|name|country|source\nLVLT-ARIN|20120130|Level 3 Communications, Inc.|US|ARIN\n"
    )
    record = load_as_organisations(write(tmp_path / "old.txt", text)).get(1)
    assert (record.as_name, record.name) == ("LVLT-1", "Level 3 Communications, Inc.")


def test_caida_json_lines_format(tmp_path):
    text = (
        '{"changed":"20220418","country":"US","name":"BGPKIT LLC","organizationId":"BL-1057-ARIN",'
        '"source":"ARIN","type":"Organization"}\n'
        '{"asn":"400644","changed":"20220418","name":"BGPKIT-LLC","opaqueId":"059b_ARIN",'
        '"organizationId":"BL-1057-ARIN","source":"ARIN","type":"ASN"}\n'
    )
    path = tmp_path / "as-org2info.jsonl.gz"
    path.write_bytes(gzip.compress(text.encode()))
    record = load_as_organisations(path).get(400644)
    assert (record.as_name, record.name, record.country) == ("BGPKIT-LLC", "BGPKIT LLC", "US")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("13335|20170217|CLOUDFLARENET|CLOUD14-ARIN||ARIN\n", ":1: a record before any '# format:' line"),
        ("# format:aut|changed|aut_name|org_id|opaque_id|source\n13335|x|y\n", ":2: expected 6 fields"),
        ("# format:aut|changed|aut_name|org_id|opaque_id|source\nAS1|x|y|z||ARIN\n", ":2: 'AS1' is no AS number"),
        ("# format:something|else\n", ":1: a format line with neither 'aut' nor 'org_id'"),
        ('{"type": "ASN", "asn": \n', ":1: not a JSON record"),
        ('{"type": "Peer"}\n', ":1: a record of type 'Peer': expected 'ASN' or 'Organization'"),
        ("[1, 2]\n# format:aut|changed|aut_name|org_id|opaque_id|source\n", ":1: a record before any"),
    ],
)
def test_a_malformed_as2org_file_is_one_line_naming_file_and_line(tmp_path, text, message):
    path = write(tmp_path / "as2org.txt", text)
    with pytest.raises(InputError) as caught:
        load_as_organisations(path)
    assert str(caught.value).startswith(str(path) + message)


# ------------------------------------------------------------------------------------------- origin


def test_origin_names_the_organisation_from_as2org_first(tmp_path):
    table = load_routing_table(write(tmp_path / "v4.csv", RANGES_V4 + "8.8.8.0,8.8.8.255,15169,\n"))
    organisations = load_as_organisations(write(tmp_path / "as2org.txt", AS2ORG))
    cloudflare = origin("1.0.0.1", table, organisations)
    assert (cloudflare.asn, cloudflare.as_name, cloudflare.organisation, cloudflare.org_id, cloudflare.country) == (
        13335,
        "CLOUDFLARENET",
        "Cloudflare, Inc.",
        "CLOUD14-ARIN",
        "US",
    )
    assert origin("8.8.8.8", table, organisations).organisation == "Google LLC"  # the range names none
    assert origin("1.0.5.5", table, organisations).organisation == "Wirefreebroadband Pty Ltd"  # not in as2org
    assert origin("1.0.5.5", table).organisation == "Wirefreebroadband Pty Ltd"
    assert origin("9.9.9.9", table, organisations) is None


# ------------------------------------------------------------------------------------------- a property


def _brute_force(routes, address):
    """The reference: every route over the address, the longest prefix first, the first listed on a tie."""
    covering = [(net, asn) for net, asn in routes if address in net]
    if not covering:
        return None
    longest = max(net.prefixlen for net, _ in covering)
    return next((net, asn) for net, asn in covering if net.prefixlen == longest)


prefixes = st.builds(
    lambda value, length, asn: (ipaddress.ip_network((value >> (16 - length) << (16 - length), length + 16)), asn),
    st.integers(0, 2**16 - 1),
    st.integers(0, 16),
    st.integers(1, 99),
)


@pytest.mark.fuzz
@settings(max_examples=60, deadline=None)
@given(routes=st.lists(prefixes, min_size=1, max_size=40), probes=st.lists(st.integers(0, 2**16 - 1), max_size=40))
def test_lookups_match_a_brute_force_longest_prefix_match(tmp_path_factory, routes, probes):
    """Random nested and disjoint prefixes inside 0.0.0.0/16 (so probes land in them often)."""
    path = tmp_path_factory.mktemp("lpm") / "t.dat"
    path.write_text("".join(f"{net}\t{asn}\n" for net, asn in routes))
    table = load_routing_table(path)
    edges = [int(address) + step for net, _ in routes for address in (net[0], net[-1]) for step in (-1, 0, 1)]
    for value in probes + edges:
        address = ipaddress.ip_address(max(0, value))
        expected = _brute_force(routes, address)
        found = table.lookup(str(address))
        assert (found and (found.prefix, found.asn)) == (expected and (str(expected[0]), expected[1]))
