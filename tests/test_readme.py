"""README.md stays true: its command reference is the current --help, and CI runs its two commands.

Run this file directly (``python tests/test_readme.py``) to regenerate the command reference.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def render_cli_reference() -> str:
    from kg.cli import main

    runner = CliRunner()
    parts = []
    for args in [[], *([name] for name in sorted(main.commands))]:
        output = runner.invoke(main, [*args, "--help"], prog_name="kg", terminal_width=100).output
        title = "kg" if not args else f"kg {args[0]}"
        parts.append(f"### `{title}`\n\n```\n{output.rstrip()}\n```\n")
    return "\n".join(parts)


def readme_commands() -> tuple[str, str]:
    commands = re.findall(r"^    (python3 -m venv .*)$", README.read_text(), re.M)
    assert len(commands) == 2, commands
    return commands[0], commands[1]


def test_command_reference_is_current():
    text = README.read_text()
    current = text[text.index(START) + len(START) : text.index(END)].strip()
    assert current == render_cli_reference().strip(), "run: python tests/test_readme.py"


def test_demo_and_test_commands_are_what_ci_runs():
    demo, tests = readme_commands()
    assert demo.endswith("kg demo") and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert demo in ci and tests in ci


def test_every_command_and_exit_code_is_documented():
    from kg.cli import main

    text = README.read_text()
    for name in main.commands:
        assert f"### `kg {name}`" in text
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in text


def test_examples_name_only_files_a_clone_has():
    """Issue 20, item 14: the web examples named a folder outside the repository (../shared/...); every
    --webdep folder the README, data/README.md and the help give is in the clone, and no script, test or
    document reaches outside it."""
    from kg.cli import main

    documents = [README, ROOT / "data" / "README.md", ROOT / ".ci" / "run"]
    scripts = [*(ROOT / "bench").glob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "kg").rglob("*.py")]
    for path in [p for p in documents + scripts if p != Path(__file__).resolve()]:
        text = path.read_text()
        assert "../shared" not in text and '"shared" / "data"' not in text, path
    help_text = CliRunner().invoke(main, ["import", "--help"]).output
    named = re.findall(r"--webdep (\S+)", README.read_text() + (ROOT / "data" / "README.md").read_text() + help_text)
    assert named and all((ROOT / folder).is_dir() for folder in named if not folder.isupper()), named  # not metavars


def test_quick_start_starts_the_folder_it_imports(tmp_path, monkeypatch):
    """Issue 20, item 15: `kg import my-cases/` named a folder a new user does not have; the line before it
    makes one, and the two run as written."""
    import shlex

    from kg.cli import main

    lines = re.findall(r"^    \.venv/bin/kg (import .*?my-cases.*?)(?:\s+#.*)?$", README.read_text(), re.M)
    commands = [shlex.split(line) for line in lines]
    assert [args[1] for args in commands] == ["--template", "my-cases/"], lines
    monkeypatch.chdir(tmp_path)
    (tmp_path / "output").mkdir()
    for args in commands:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "my-cases.ttl").read_text().startswith("@prefix")


def test_python_example_runs_and_says_what_it_claims():
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # our own documentation, run as written
    assert [d.provider for d in namespace["parler"].depends_on if d.service == "hosting"] == ["aws", "skysilk"]
    assert (
        namespace["impact"]
        .explain("parler")
        .startswith("Parler: offline since 2021-01-07: lost hosting; its only hosting provider, ")
    )


if __name__ == "__main__":  # regenerate the command reference
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{render_cli_reference()}\n{END}{tail}")
    print(f"updated {README}")
