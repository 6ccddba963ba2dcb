"""The README and the docs stay true: the command reference is the current --help, CI runs the README's two
commands, every command and Python example they show runs, and the site builds without a warning.

Run this file directly (``python tests/test_docs.py``) to regenerate the command reference.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CLI_REFERENCE = DOCS / "reference" / "cli.md"
GETTING_STARTED = DOCS / "getting-started.md"
PYTHON_API = DOCS / "python-api.md"
EXIT_CODES = DOCS / "exit-codes.md"
#: Documents the docs pages include as they are (``{include}``): their commands are the docs' commands too.
INCLUDED = [ROOT / "data" / "README.md", ROOT / "queries" / "README.md"]
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"

#: Documented commands that need the network or a server, with the tests that run them against real ones.
RUN_ELSEWHERE = {
    "measure": "tests/test_measure_command.py",
    "serve": "tests/test_endpoint.py",
    "push": "tests/test_push.py",
    "--endpoint": "tests/test_remote.py",
}


def pages() -> list[Path]:
    """The README, then the docs pages (getting started first: later pages use the files its commands make)."""
    rest = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts and p != GETTING_STARTED)
    return [README, GETTING_STARTED, *rest]


def render_cli_reference() -> str:
    from kg.cli import main

    runner = CliRunner()
    parts = []
    for args in [[], *([name] for name in sorted(main.commands))]:
        output = runner.invoke(main, [*args, "--help"], prog_name="kg", terminal_width=100).output
        title = "kg" if not args else f"kg {args[0]}"
        parts.append(f"## `{title}`\n\n```\n{output.rstrip()}\n```\n")
    return "\n".join(parts)


def readme_commands() -> tuple[str, str]:
    commands = re.findall(r"^    (python3 -m venv .*)$", README.read_text(), re.M)
    assert len(commands) == 2, commands
    return commands[0], commands[1]


def code_blocks(path: Path, languages: set[str], indented: bool = False) -> list[str]:
    """The fenced code blocks of a page in these languages, and its indented code blocks if asked."""
    text = path.read_text(encoding="utf-8")
    fenced = re.findall(r"^```([^\n]*)\n(.*?)^```[ \t]*$", text, re.M | re.S)
    blocks = [body for info, body in fenced if (info.split() or [""])[0] in languages]
    if indented:
        unfenced = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
        runs = re.findall(r"(?:^    .*\n)+", unfenced, re.M)
        blocks += ["\n".join(re.findall(r"^    (.*)$", run, re.M)) for run in runs]
    return blocks


def documented_commands(path: Path) -> list[tuple[str, dict[str, str], list[str], str | None]]:
    """Each ``kg`` command line of a page's shell blocks: (the line, its environment, its arguments, and where it
    runs instead when it needs the network or a server; so do the lines after it in its block)."""
    found = []
    for block in code_blocks(path, {"sh", "console"}, indented=True):
        elsewhere = None
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            if not re.match(r"^(\$ )?([A-Z_]+=\S+ )*(\.venv/bin/)?kg ", line.strip()):
                continue
            words = shlex.split(line.strip().removeprefix("$ "), comments=True)
            env = {}
            while words and re.match(r"^[A-Z_]+=", words[0]):
                name, value = words.pop(0).split("=", 1)
                env[name] = value
            args = words[1:]
            named = [key for key in RUN_ELSEWHERE if key == args[0] or key in args]
            elsewhere = elsewhere or ("--endpoint" if "KG_ENDPOINT" in env else (named[0] if named else None))
            found.append((line.strip(), env, args, RUN_ELSEWHERE.get(elsewhere) if elsewhere else None))
    return found


def console_examples(path: Path) -> list[tuple[str, str]]:
    """The ``$ kg ...`` lines of a page's console blocks, each with the output shown under it."""
    examples = []
    for block in code_blocks(path, {"console"}):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = part.partition("\n")
            examples.append((command, output))
    return examples


def test_command_reference_is_current():
    text = CLI_REFERENCE.read_text()
    current = text[text.index(START) + len(START) : text.index(END)].strip()
    assert current == render_cli_reference().strip(), "run: python tests/test_docs.py"


def test_demo_and_test_commands_are_what_ci_runs():
    demo, tests = readme_commands()
    assert demo.endswith("kg demo") and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert demo in ci and tests in ci
    assert [demo, tests] == [b.strip() for b in code_blocks(GETTING_STARTED, {"sh"})[:2]]


def test_every_command_and_exit_code_is_documented():
    from kg.cli import main

    text = CLI_REFERENCE.read_text()
    for name in main.commands:
        assert f"## `kg {name}`" in text
    codes = EXIT_CODES.read_text()
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 130 |"):
        assert code in codes


def test_examples_name_only_files_a_clone_has():
    """Issue 20, item 14: the web examples named a folder outside the repository (../shared/...); every
    --webdep folder the README, the docs, data/README.md and the help give is in the clone, and no script,
    test or document reaches outside it."""
    from kg.cli import main

    documents = [*pages(), *INCLUDED, ROOT / ".ci" / "run"]
    scripts = [*(ROOT / "bench").glob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "kg").rglob("*.py")]
    for path in [p for p in documents + scripts if p != Path(__file__).resolve()]:
        text = path.read_text()
        assert "../shared" not in text and '"shared" / "data"' not in text, path
    help_text = CliRunner().invoke(main, ["import", "--help"]).output
    named = re.findall(r"--webdep (\S+)", "".join(p.read_text() for p in documents) + help_text)
    assert named and all((ROOT / folder).is_dir() for folder in named if not folder.isupper()), named  # not metavars


@pytest.mark.slow
def test_quick_start_starts_the_folder_it_imports(tmp_path, monkeypatch):
    """Issue 20, item 15: `kg import my-cases/` named a folder a new user does not have; the line before it
    makes one, and the two run as written."""
    from kg.cli import main

    lines = re.findall(r"^\.venv/bin/kg (import .*?my-cases.*?)(?:\s+#.*)?$", GETTING_STARTED.read_text(), re.M)
    commands = [shlex.split(line) for line in lines]
    assert [args[1] for args in commands] == ["--template", "my-cases/"], lines
    monkeypatch.chdir(tmp_path)
    (tmp_path / "output").mkdir()
    for args in commands:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "my-cases.ttl").read_text().startswith("@prefix")


def python_examples(path: Path) -> dict:
    """Run a page's Python blocks in order, in one namespace, from the clone's root; return the namespace."""
    namespace: dict = {}
    for block in code_blocks(path, {"python"}):
        exec(compile(block, str(path), "exec"), namespace)  # our own documentation, run as written
    return namespace


def test_python_example_runs_and_says_what_it_claims(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace = python_examples(PYTHON_API)
    assert [d.provider for d in namespace["profile"].depends_on if d.service == "hosting"] == ["aws", "skysilk"]
    assert (
        namespace["answer"]
        .impact.explain("parler")
        .startswith("Parler: offline since 2021-01-07: lost hosting; its only hosting provider, ")
    )
    assert (namespace["x"].status, namespace["x"].lost_essential) == ("offline", ("internet-access",))
    assert namespace["rank"].rows[0].provider == "aws" and namespace["dataset"].small


def test_the_readme_python_example_says_what_it_claims(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace = python_examples(README)
    assert namespace["answer"].impact.explain("parler").startswith("Parler: offline since 2021-01-07: lost hosting;")


@pytest.mark.parametrize("page", [p for p in pages() if code_blocks(p, {"python"})], ids=lambda p: p.name)
def test_every_python_example_runs(page, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert python_examples(page)


@pytest.mark.slow
def test_every_documented_command_runs(tmp_path, monkeypatch):
    """Every ``kg`` line of the README and the docs runs as written from a clone's root (exit 0), and a
    console example prints what the page shows under it; the lines that need the network or a server name
    the tests that run them against real ones."""
    from kg.cli import main

    for folder in ("data", "tests", "queries", "ontology", "bench"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    (tmp_path / "output").mkdir()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    ran, failed = [], []
    for page in pages() + INCLUDED:
        for line, env, args, elsewhere in documented_commands(page):
            if elsewhere:
                assert (ROOT / elsewhere).is_file(), elsewhere
                continue
            args = [os.path.expanduser(a) if a.startswith("~") else a for a in args]
            env = {k: os.path.expanduser(v) if v.startswith("~") else v for k, v in env.items()}
            result = CliRunner().invoke(main, args, env=env)
            ran.append(line)
            if result.exit_code != 0:
                failed.append(f"{page.name}: {line}: exit {result.exit_code}: {result.output[-500:]}")
        for command, output in console_examples(page):
            result = CliRunner().invoke(main, shlex.split(command)[1:])
            if result.stdout != output:
                failed.append(f"{page.name}: $ {command} printed:\n{result.stdout}")
    assert not failed, "\n".join(failed)
    assert len(ran) > 30, ran


@pytest.mark.slow
def test_the_docs_build_without_a_warning(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra: pip install -e '.[docs]'")
    pytest.importorskip("myst_parser", reason="the docs extra: pip install -e '.[docs]'")
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "index.html").is_file()


if __name__ == "__main__":  # regenerate the command reference
    text = CLI_REFERENCE.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    CLI_REFERENCE.write_text(f"{head}{START}\n{render_cli_reference()}\n{END}{tail}")
    print(f"updated {CLI_REFERENCE}")
