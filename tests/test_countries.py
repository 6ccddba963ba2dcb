"""Country codes: the list is ISO 3166-1's, and codes of the right shape that name no country are refused
everywhere a country is given (issue 20, item 10: --region ZZ, EU and UK gave the worldwide answer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.model.countries import ISO_3166_ALPHA2, country_code, not_a_country

MINI = Path(__file__).resolve().parent / "data" / "mini"


def test_the_codes_are_iso_3166_1_alpha_2():
    import pycountry

    assert {country.alpha_2 for country in pycountry.countries} == ISO_3166_ALPHA2


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("ZZ", "no country has it"),
        ("EU", "the European Union is not a country"),
        ("UK", "the United Kingdom is GB"),
        ("el", "Greece is GR"),
        ("USA", "expected two letters such as US"),
        ("U1", "expected two letters such as US"),
        ("ÜS", "expected two letters such as US"),
    ],
)
def test_what_is_not_a_country_is_refused_saying_what_was_meant(given, said):
    assert said in not_a_country(given)
    with pytest.raises(InputError, match=said):
        country_code(given)


def test_every_assigned_code_is_taken_in_any_case():
    assert all(country_code(code.lower()) == code for code in ISO_3166_ALPHA2)


@pytest.mark.parametrize("region", ["ZZ", "EU", "UK", "XK"])
def test_a_region_that_is_no_country_is_refused_by_every_analysis(invoke, region):
    for command in (
        ["status", "tiktok", "--as-of", "2025-01-20"],
        ["impact", "--remove", "aws", "--as-of", "2021-01-07"],
        ["rank", "--as-of", "2021-01-07"],
        ["spof", "parler", "--as-of", "2021-01-07"],
        ["replay", "parler"],
    ):
        result = invoke(*command, "--region", region)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(f"Error: bad region '{region}' for --region: not an ISO 3166-1 alpha-2 code")
        assert result.stderr.count("\n") == 1


def test_a_country_that_is_no_country_is_refused_in_scenarios_and_csv(invoke, tmp_path):
    import shutil

    result = invoke("impact", "--country", "EU", "--as-of", "2021-01-07")
    assert result.exit_code == 2
    assert "country 'EU' is not an ISO 3166-1 alpha-2 code: the European Union is not a country" in result.stderr
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "entities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("country")] = "UK"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    result = invoke("import", folder, "--out", tmp_path / "out.ttl")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}:2: country 'UK' is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB\n"
    )
