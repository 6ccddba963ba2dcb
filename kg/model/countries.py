"""Country codes: the ISO 3166-1 alpha-2 codes the data and the command line take, and what is meant by the
codes people often give instead (``UK``, ``EU``, ``EL``...).

Regions, government orders and a provider's country are all named by these codes (``pd:appliesIn``,
``pd:countryCode``, ``--region``, ``--country``). A code of the right shape that names no country
(``ZZ``) would silently match nothing and give the worldwide answer; it is refused instead.

The list is ISO 3166-1's 249 officially assigned codes; ``tests/test_countries.py`` checks it against
pycountry's copy of the standard.
"""

from __future__ import annotations

from kg.errors import InputError, SourceLocation, quoted

__all__ = ["ISO_3166_ALPHA2", "country_code", "not_a_country"]

#: The officially assigned ISO 3166-1 alpha-2 codes.
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR
    IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 (249 codes read better as a block than as a list of strings)
)

#: Codes that are not ISO 3166-1 alpha-2 country codes but are often given for one, with what to use.
_MEANT = {
    "UK": "the United Kingdom is GB",
    "EL": "Greece is GR (EL is the European Union's code for it)",
    "EU": "the European Union is not a country: give one of its member states (a dependency may list several)",
    "XK": "Kosovo has no ISO 3166-1 code (XK is user-assigned)",
    "AN": "the Netherlands Antilles were dissolved in 2010: BQ, CW or SX",
    "CS": "Serbia and Montenegro split in 2006: RS or ME",
    "SU": "the Soviet Union is no longer a country",
    "YU": "Yugoslavia is no longer a country",
    "TP": "East Timor is TL",
    "ZR": "Zaire is CD",
}


def country_code(text: str, what: str = "country", location: SourceLocation | None = None) -> str:
    """The ISO 3166-1 alpha-2 code ``text`` gives (spaces trimmed, any case); raises
    :class:`~kg.errors.InputError` naming ``what`` for anything else, saying what was meant where a common
    non-code is given (:func:`not_a_country`).

    >>> country_code(" us ")
    'US'
    >>> country_code("UK", "region")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: region 'UK' is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB
    """
    problem = not_a_country(text)
    if problem is None:
        return text.strip().upper()
    raise InputError(f"{what} {quoted(text, 20)} is not an ISO 3166-1 alpha-2 code: {problem}", location)


def not_a_country(text: str) -> str | None:
    """Why ``text`` is not an ISO 3166-1 alpha-2 code (``None`` when it is one, in any case).

    >>> not_a_country("br"), not_a_country("ZZ"), not_a_country("USA")
    (None, 'no country has it (e.g. US, GB, BR)', 'expected two letters such as US')
    """
    code = text.strip().upper()
    if code in ISO_3166_ALPHA2:
        return None
    if code in _MEANT:
        return _MEANT[code]
    if len(code) == 2 and code.isascii() and code.isalpha():
        return "no country has it (e.g. US, GB, BR)"
    return "expected two letters such as US"
