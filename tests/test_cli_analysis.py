"""The analysis commands: impact, spof, cutsets, rank, replay; output, JSON schema and error paths."""

from __future__ import annotations

import json
import re

import pytest

from kg.cli import EXIT_OK, EXIT_USAGE


def one_line_error(result, *fragments):
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.output.strip().count("\n") == 0, result.output
    for fragment in fragments:
        assert fragment in result.output


def test_impact_of_the_three_cuts(invoke):
    result = invoke(
        "impact",
        "--as-of",
        "2021-01-07",
        "--cut",
        "parler:google-play",
        "--cut",
        "Parler:Apple App Store",
        "--cut",
        "parler:aws",
    )
    assert result.exit_code == EXIT_OK
    assert "Parler  online -> offline  2021-01-07  hosting, app-store-android, app-store-ios" in result.output
    assert (
        "- Parler: offline since 2021-01-07: lost hosting; its only hosting provider, Amazon Web Services, "
        "is cut off in this scenario" in result.output
    )


def test_impact_json_schema(invoke):
    result = invoke(
        "impact", "--as-of", "2021-01-07", "--recorded-until", "2021-01-12", "--platform", "parler", "--json"
    )
    document = json.loads(result.output)
    assert document["schema"] == 1 and document["date"] == "2021-01-07"
    [parler] = document["affected"]
    assert parler["id"] == "parler" and parler["status"] == "offline" and parler["before"] == "online"
    assert parler["lost_essential"] == ["hosting"]
    hosting = next(loss for loss in parler["losses"] if loss["service"] == "hosting")
    assert hosting["causes"][0]["provider"] == "aws" and hosting["causes"][0]["how"] == "recorded"
    assert hosting["causes"][0]["sources"][0]["url"].startswith("https://")
    assert parler["explanation"].startswith("Parler: offline since 2021-01-11")
    assert all(a["provider"] != "aws" for a in parler["alternatives"]["hosting"])


def test_impact_of_an_owner_group_and_a_provider_to_provider_cascade(invoke):
    out = invoke("impact", "--as-of", "2021-01-07", "--owner", "Alphabet").output
    assert "everything Alphabet Inc. controls exits (Google Play)" in out
    assert re.search(r"^Google Play +online -> exited", out, re.M)
    assert re.search(r"^Parler +online -> degraded .* app-store-android$", out, re.M)
    out = invoke("impact", "--as-of", "2019-08-04", "--remove", "Voxility").output
    assert re.search(r"^BitMitigate +online -> offline +2019-08-04 +hosting$", out, re.M)
    assert "its only ddos-protection provider, BitMitigate, is offline (BitMitigate: offline" in out


def test_impact_errors(invoke):
    one_line_error(invoke("impact", "--cut", "parler"), "bad --cut 'parler'")
    one_line_error(invoke("impact", "--as-of", "2021-01-07", "--cut", "parlr:aws"), "unknown entity 'parlr'")
    one_line_error(
        invoke("impact", "--as-of", "2021-01-07", "--cut", "parler:aws:dns"),
        "has no dependency on Amazon Web Services for dns",
    )
    one_line_error(invoke("impact", "--as-of", "2021-01-07", "--cut", "parler:aws:hostng"), "unknown service 'hostng'")
    one_line_error(invoke("impact", "--as-of", "2021-13-07"), "bad date '2021-13-07' for --as-of")
    one_line_error(invoke("impact", "--as-of", "2021-01-07", "--country", "FJ"), "unknown country")
    one_line_error(invoke("impact", "--as-of", "2021-01-07", "--country", "XX"), "'XX' is not an ISO 3166-1 alpha-2")


def test_spof_and_cutsets(invoke):
    out = invoke("spof", "parler", "--as-of", "2021-01-07").output
    assert "- Amazon Web Services: Parler: offline since 2021-01-07: lost hosting" in out
    assert "- Google Play: app-store-android" in out
    document = json.loads(invoke("spof", "parler", "--as-of", "2021-03-01", "--json").output)
    assert [p["provider"] for p in document["offline"]] == ["aws", "epik", "skysilk"]
    document = json.loads(invoke("cutsets", "parler", "--as-of", "2021-03-01", "--max-order", "2", "--json").output)
    assert document["cut_sets"] == [["aws"], ["epik"], ["skysilk"], ["gtt", "sprint"]]
    assert (
        "{GTT Communications, Sprint (T-Mobile for Business)}"
        in invoke("cutsets", "parler", "--as-of", "2021-03-01").output
    )
    assert invoke("cutsets", "parler", "--max-order", "0").exit_code == EXIT_USAGE
    one_line_error(invoke("spof", "nobody"), "unknown entity 'nobody'")


@pytest.mark.slow
def test_cutsets_on_a_same_day_tie_do_not_depend_on_the_ids(invoke, tmp_path):
    """A tie: a cut-off and a departure of one service on the same day keep the need."""
    answers = []
    for first, second in (("x-a", "x-b"), ("x-b", "x-a")):
        folder = tmp_path / first
        folder.mkdir()
        (folder / "entities.csv").write_text("id,name,kind\nx,X,website\na,A,provider\nb,B,provider\n")
        (folder / "dependencies.csv").write_text(
            "id,dependent,provider,service,start,end,ended_by\n"
            f"{first},x,a,hosting,,2021-01-09,provider\n{second},x,b,hosting,,2021-01-09,dependent\n"
        )
        result = invoke("cutsets", "x", "--as-of", "2021-01-10", "--json", "-q", "-d", folder)
        answers.append(json.loads(result.output)["already_offline"])
    assert answers == [True, True]


def test_rank(invoke):
    document = json.loads(invoke("rank", "--as-of", "2021-01-07", "--json").output)
    aws = next(p for p in document["providers"] if p["provider"] == "aws")
    assert aws["total_offline"] >= aws["direct_offline"] >= 1
    out = invoke("rank", "--as-of", "2021-01-07", "--service", "app-store-ios").output
    assert "app-store-ios:" in out and "HHI" in out
    one_line_error(invoke("rank", "--service", "hostng"), "unknown service 'hostng'")


def test_replay(invoke):
    out = invoke("replay", "parler").output
    assert "Agreement with observations: 7 of 7" in out
    # AWS's cut at 23:59 Pacific is a step of its own, before the day's step
    assert "2021-01-11 07:59  offline (app-store-android" in out
    assert "2021-01-11        offline (app-store-android" in out
    document = json.loads(invoke("replay", "Parler", "--json").output)
    assert document["agreement"] == {"matched": 7, "compared": 7}
    timed = [step for step in document["steps"] if step["time"]]
    assert [(s["date"], s["time"], s["status"]) for s in timed][-1] == (
        "2021-01-11",
        "2021-01-11T07:59:00+00:00",
        "offline",
    )
    out = invoke("replay", "--all").output
    assert "Parler" in out and "7/7" in out and "all " in out
    one_line_error(invoke("replay"), "give a PLATFORM or --all")


def _regional_folder(tmp_path):
    """An app listed worldwide on a store, delisted in the US at 14:00 UTC on 2025-01-19, back on 02-13."""
    folder = tmp_path / "regional"
    folder.mkdir()
    (folder / "entities.csv").write_text(
        "id,name,kind,country\napp,App,app,\nstore,Store,provider,US\nus-court,A US court,authority,US\n"
    )
    (folder / "dependencies.csv").write_text(
        "id,dependent,provider,service,start,end,ended_by,effect,countries\n"
        "app-store,app,store,app-store-ios,2020-01-01,,,essential,\n"
        "app-store-us,app,store,app-store-ios,2020-01-01,2025-01-19T14:00:00Z,provider,essential,US\n"
        "app-store-us-2,app,store,app-store-ios,2025-02-13,,,essential,US\n"
    )
    (folder / "events.csv").write_text(
        "id,kind,date,dependency,description,countries,issuer\n"
        "delisted,cut-off,2025-01-19T14:00:00Z,app-store-us,The store delisted the app in the US.,US,us-court\n"
    )
    (folder / "availability.csv").write_text(
        "dependent,status,start,end,countries\napp,offline,2025-01-19T14:00:00Z,2025-02-13,US\n"
        "app,online,2020-01-01,,\n"
    )
    return folder


def test_status_region_and_time_of_day(invoke, tmp_path):
    folder = _regional_folder(tmp_path)

    def status(*args):
        result = invoke("status", "app", "-q", "-d", folder, "--json", *args)
        assert result.exit_code == EXIT_OK, result.output
        return json.loads(result.output)

    worldwide = status("--as-of", "2025-01-20")
    assert (worldwide["status"], worldwide["region"], worldwide["observed"]["status"]) == ("online", None, "online")
    us = status("--as-of", "2025-01-20", "--region", "us")
    assert (us["status"], us["region"], us["matches"]) == ("offline", "US", True)
    expected = {"service": "app-store-ios", "essential": True, "lost": True, "impaired": False, "providers": []}
    assert us["services"] == [expected]
    morning = status("--as-of", "2025-01-19T09:00:00-05:00", "--region", "US")  # 14:00 UTC: the cut's instant
    assert (morning["status"], morning["time"]) == ("offline", "2025-01-19T14:00:00+00:00")
    assert status("--as-of", "2025-01-19T13:59Z", "--region", "US")["status"] == "online"
    assert status("--as-of", "2025-02-13", "--region", "US")["status"] == "online"
    text = invoke("status", "app", "-q", "-d", folder, "--as-of", "2025-01-20", "--region", "US").output
    assert (
        text.startswith("App at 2025-01-20 in US: offline")
        and "Observed: offline from 2025-01-19 to 2025-02-13 (agrees)" in text
    )
    one_line_error(invoke("status", "app", "-d", folder, "--region", "USA"), "bad region 'USA' for --region")
    one_line_error(invoke("status", "app", "-d", folder, "--as-of", "2025-01-19T14:00"), "give its offset")


def test_replay_all_runs_worldwide_and_in_each_observed_country(invoke, tmp_path):
    folder = _regional_folder(tmp_path)
    documents = json.loads(invoke("replay", "--all", "-q", "-d", folder, "--json").output)
    assert [(d["platform"], d["region"], d["agreement"]) for d in documents] == [
        ("app", None, {"matched": 1, "compared": 1}),
        ("app", "US", {"matched": 2, "compared": 2}),
    ]
    us = documents[1]["steps"]
    assert [(s["date"], s["time"], s["status"], s["observed"]) for s in us] == [
        ("2020-01-01", None, "online", None),
        ("2025-01-19", "2025-01-19T14:00:00+00:00", "offline", "offline"),
        ("2025-01-19", None, "offline", "offline"),
        ("2025-02-13", None, "online", None),
    ]
    impact = json.loads(
        invoke(
            "impact", "-q", "-d", folder, "--as-of", "2025-01-20", "--region", "US", "--platform", "app", "--json"
        ).output
    )
    assert impact["platforms"] == [
        {
            "id": "app",
            "name": "App",
            "status": "offline",
            "before": "offline",
            "changed": False,
            "explanation": impact["platforms"][0]["explanation"],
        }
    ]
    assert "cut it on 2025-01-19" in impact["platforms"][0]["explanation"]


def test_status_says_why_it_disagrees_with_the_observation(invoke):
    """Issue 20, item 15: the README's `kg status parler --as-of 2021-01-10T23:30-08:00` printed
    "(DISAGREES)" with no word on why: the report of Parler offline is dated by day, not by the hour."""
    text = invoke("status", "parler", "--as-of", "2021-01-10T23:30-08:00").output
    assert (
        "Observed: offline from 2021-01-11 to 2021-02-15 (DISAGREES: predicted degraded, observed offline: the "
        "observation is dated 2021-01-11 with no time of day, so it holds from that day's start, before 07:30 UTC)"
    ) in text
    assert "\n  note: Offline after AWS cut at 07:59 UTC 11 Jan;" in text
    document = json.loads(invoke("status", "parler", "--as-of", "2021-01-10T23:30-08:00", "--json").output)
    assert document["matches"] is False and document["disagreement"].startswith("predicted degraded, observed offline:")
    assert document["observed"]["note"].startswith("Offline after AWS cut at 07:59 UTC")
    later = json.loads(invoke("status", "parler", "--as-of", "2021-01-11T08:30Z", "--json").output)
    assert (later["status"], later["matches"], later["disagreement"]) == ("offline", True, None)


def test_a_scenario_given_the_same_part_many_times_says_it_once(invoke):
    """Issue 20.10: 5,000 identical --cut flags repeated in the output."""
    cuts = [arg for _ in range(5000) for arg in ("--cut", "parler:aws")]
    result = invoke("impact", "--as-of", "2021-01-07", *cuts, "--cut", "Parler:Amazon Web Services", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["scenario"] == ["cut Parler off from Amazon Web Services"]


@pytest.mark.parametrize(
    "args",
    [
        ["show", "{name}"],
        ["spof", "{name}"],
        ["impact", "--remove", "{name}"],
        ["impact", "--cut", "{name}:aws"],
        ["query", "dependents-of", "-p", "provider={name}"],
        ["status", "parler", "--as-of", "{name}"],
        ["status", "parler", "--region", "{name}"],
    ],
    ids=["show", "spof", "remove", "cut", "query", "as-of", "region"],
)
def test_a_huge_name_is_not_echoed_whole(invoke, args):
    """Issue 20.10: a 100 kB name was echoed whole in the error."""
    name = "x" * 100_000
    result = invoke(*[arg.replace("{name}", name) for arg in args])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert len(result.stderr) <= 1_010, len(result.stderr)
