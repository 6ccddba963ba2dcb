"""The bad-input corpus (tests/bad_inputs/cases.toml): every case ends with its exact exit code and message,
never a traceback, and an output it must not touch is left as it was."""

from __future__ import annotations

import os
import shutil
import stat
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
FILES = CORPUS / "files"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
PREVIOUS = b"# a previous good output\n"


def _rdfxml(entities: list[str], body: str) -> str:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + '\n]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'<rdf:Description rdf:about="https://example.org/a"><rdfs:label>{body}</rdfs:label></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


def _make(kind: str, tmp: Path) -> None:
    """The inputs too big (or too odd) to commit."""
    if kind == "megabyte-field":  # its note: 1,000,000 characters
        shutil.copytree(HERE / "data" / "mini", tmp / "input")
        path = tmp / "input" / "dependencies.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[2] += ',"' + "x" * 1_000_000 + '"'
        lines[2] = lines[2].replace(",,,,news-1,", ",,,news-1,", 1)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif kind == "billion-laughs":
        entities = ['<!ENTITY lol "lol">']
        for level in range(1, 10):
            below = "lol" if level == 1 else f"lol{level - 1}"
            entities.append(f'<!ENTITY lol{level} "{("&" + below + ";") * 10}">')
        (tmp / "input.rdf").write_text(_rdfxml(entities, "&lol9;"), encoding="utf-8")
    elif kind == "wide-expansion":  # no nesting, but a 100 kB entity used 200 times: 20 MB
        entities = [f'<!ENTITY big "{"x" * 100_000}">']
        (tmp / "input.rdf").write_text(_rdfxml(entities, "&big;" * 200), encoding="utf-8")
    elif kind == "folder-of-ttl":
        (tmp / "input").mkdir()
        for name in ("truncated.ttl",):  # a good file made from the corpus's prefixes and pair of entities
            text = (FILES / name).read_text(encoding="utf-8")
            (tmp / "input" / "a.ttl").write_text(text[: text.index("entity:x")], encoding="utf-8")
        (tmp / "input" / "b.nt").write_text(
            '<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n', encoding="utf-8"
        )
    elif kind == "deep-rdfxml":  # the RDF/XML parser's time grows with the square of the depth
        depth = 200_000
        (tmp / "input.rdf").write_text(
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://e.example/">'
            + "<rdf:Description><e:p>" * depth
            + "</e:p></rdf:Description>" * depth
            + "</rdf:RDF>\n",
            encoding="utf-8",
        )
    elif kind == "late-doctype":  # entity declarations past the first MiB, where the scan of the head ends
        entities = ['<!ENTITY lol "lol">', '<!ENTITY lol1 "&lol;&lol;">']
        document = _rdfxml(entities, "&lol1;").split("\n", 1)[1]
        (tmp / "input.rdf").write_text(
            '<?xml version="1.0"?>\n<!-- ' + "x" * 1_100_000 + " -->\n" + document, encoding="utf-8"
        )
    elif kind == "deep-jsonld":
        (tmp / "input.jsonld").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    elif kind == "deep-turtle":  # valid: a list nested 100,000 deep is parsed in linear time
        depth = 100_000
        (tmp / "input.ttl").write_text(
            "<https://e.example/a> <https://e.example/p> " + "(" * depth + ")" * depth + " .\n", encoding="utf-8"
        )
    elif kind == "fifty-megabyte-literal":  # past the 16 MiB a parser holds of one term
        (tmp / "input.nt").write_text(
            '<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "' + "x" * 50_000_000 + '" .\n',
            encoding="utf-8",
        )
    elif kind == "first-and-last-day":  # a dependency from the first day there is to the last, cut on both
        folder = tmp / "input"
        folder.mkdir()
        (folder / "entities.csv").write_text("id,name,kind\na,A,platform\np,P,provider\n", encoding="utf-8")
        (folder / "dependencies.csv").write_text(
            "id,dependent,provider,service,start,end,ended_by,source\n"
            "a-p,a,p,hosting,0001-01-01T00:00Z,9999-12-31T12:00Z,provider,s\n",
            encoding="utf-8",
        )
        (folder / "events.csv").write_text(
            "id,kind,date,dependency,description,countries,issuer,source\n"
            "w,warning,0001-01-01,a-p,warned,,,s\nc,cut-off,9999-12-31,a-p,cut,,,s\n",
            encoding="utf-8",
        )
        (folder / "sources.csv").write_text(
            "id,publisher,date,title,url\ns,Test,2020-01-01,T,https://example.org/\n", encoding="utf-8"
        )
    elif kind == "read-only-out":
        os.chmod(tmp / "out.ttl", 0o444)
    else:
        raise AssertionError(f"unknown made input {kind}")


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    os.environ["KG_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    return CliRunner()


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 60
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(case, runner, tmp_path):
    out = tmp_path / "out.ttl"
    out.write_bytes(PREVIOUS)
    if "made" in case:
        _make(case["made"], tmp_path)
    args = [arg.replace("{files}", str(FILES)).replace("{tmp}", str(tmp_path)) for arg in case["args"]]
    cwd = os.getcwd()
    os.chdir(HERE.parent)  # so that relative paths in a case mean the same everywhere
    try:
        result = runner.invoke(main, args, catch_exceptions=True)
    finally:
        os.chdir(cwd)
        if out.exists():
            os.chmod(out, 0o644)
    where = result.stdout if case.get("stream") == "stdout" else result.stderr
    assert result.exit_code == case["exit"], (result.exit_code, result.stderr[-2000:], result.stdout[-500:])
    assert case["message"] in where, where[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr + result.stdout
    assert "\x1b" not in result.stderr + result.stdout and "\u202e" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    if case["exit"] == 2:
        assert len([line for line in result.stderr.splitlines() if line.startswith("Error")]) == 1
    if case.get("kept"):
        assert out.read_bytes() == PREVIOUS
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
