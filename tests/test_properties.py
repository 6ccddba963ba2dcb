"""Property-based tests: any well-formed CSV dataset, whatever text it holds, converts deterministically
and survives every export format unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kg.io.csvdata import csv_to_graph, read_csv_dataset
from kg.io.export import serialize
from kg.io.loading import load
from kg.model.vocabulary import OPERATION, vocabulary

SERVICES = sorted(set(vocabulary().services) - {OPERATION})  # no provider supplies an actor's own operation
identifiers = st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,8}[a-z0-9])?", fullmatch=True).filter(lambda s: ".." not in s)
# Free text as a user might type it, including quotes, commas, line breaks, markup and non-ASCII.
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(list("\n,\"'<>&")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s.strip())
# Names are one line (the importer refuses control characters in them); notes may run over lines.
names = text.filter(lambda s: "\n" not in s)
dates = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def datasets(draw):
    ids = draw(st.lists(identifiers, min_size=2, max_size=6, unique=True))
    entities = [
        [i, draw(names), draw(st.sampled_from(["provider", "website", "social-network;app", "company"]))] for i in ids
    ]
    deps = []
    for n in range(draw(st.integers(0, 8))):
        start, end = sorted(draw(st.lists(dates, min_size=2, max_size=2, unique=True)))  # a period is never empty
        ended = draw(st.booleans())
        deps.append(
            [
                f"d{n}",
                draw(st.sampled_from(ids)),
                draw(st.sampled_from(ids)),
                draw(st.sampled_from(SERVICES)),
                start.isoformat() if draw(st.booleans()) else "",
                end.isoformat() if ended else "",
                draw(st.sampled_from(["provider", "dependent", "unknown"])) if ended else "",
                draw(st.sampled_from(["", "essential", "channel"])),
                "s1",
                draw(text),
            ]
        )
    return entities, deps


def write(folder: Path, entities, deps) -> Path:
    with (folder / "sources.csv").open("w", newline="") as h:
        csv.writer(h).writerows(
            [
                ["id", "publisher", "date", "title", "url"],
                ["s1", 'Example, "Quoted" News', "2021-01-09", "A <b>title</b>", "https://e.example/?a=1&b=2"],
            ]
        )
    with (folder / "entities.csv").open("w", newline="") as h:
        csv.writer(h).writerows([["id", "name", "kind"], *entities])
    with (folder / "dependencies.csv").open("w", newline="") as h:
        csv.writer(h).writerows(
            [["id", "dependent", "provider", "service", "start", "end", "ended_by", "effect", "source", "note"], *deps]
        )
    return folder


@pytest.mark.fuzz
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_any_dataset_round_trips_through_every_format(dataset):
    entities, deps = dataset
    with tempfile.TemporaryDirectory() as name:
        folder = write(Path(name), entities, deps)
        graph = csv_to_graph(read_csv_dataset([folder]))
        reversed_folder = Path(name) / "reversed"
        reversed_folder.mkdir()
        write(reversed_folder, entities[::-1], deps[::-1])
        assert serialize(graph, "turtle") == serialize(csv_to_graph(read_csv_dataset([reversed_folder])), "turtle")
        for rdf_format, suffix in (("turtle", ".ttl"), ("nt", ".nt"), ("jsonld", ".jsonld"), ("xml", ".rdf")):
            path = Path(name) / f"out{suffix}"
            path.write_bytes(serialize(graph, rdf_format))
            assert isomorphic(load([path], ontology=False), graph), rdf_format
