"""Shared fixtures, and the rule that under CI=true a skipped test is a failure."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

_skipped: list[str] = []


def pytest_configure(config):
    """Keep the tests' stores out of the user's cache: one fresh cache folder per test session."""
    if "KG_CACHE" not in os.environ:
        import tempfile

        os.environ["KG_CACHE"] = tempfile.mkdtemp(prefix="pdkg-test-cache-")
    os.environ.pop("KG_STORE", None)


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") == "true" and _skipped:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("CI") == "true" and _skipped:
        terminalreporter.write_line(f"FAILED: {len(_skipped)} test(s) skipped under CI=true: {', '.join(_skipped)}")


# The quick suite (issue 22): pytest -m "not slow".
QUICK_SUITE_LEAVES_OUT = ("server", "browser", "fuzz")
SLOW_DOCTESTS = ("validate", "single_exit_sets")  # doctests, by the name they document


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that starts a server, drives the browser or fuzzes is slow too, and so are the slow doctests:
    ``pytest -m "not slow"`` is the quick suite. Markers only select: plain ``pytest`` (CI) runs every test."""
    for item in items:
        if item.get_closest_marker("slow"):
            continue
        doctest = type(item).__name__ == "DoctestItem" and item.name.rsplit(".", 1)[-1] in SLOW_DOCTESTS
        if doctest or any(item.get_closest_marker(name) for name in QUICK_SUITE_LEAVES_OUT):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def bundled_graph():
    from kg.io.loading import load

    return load()


@pytest.fixture(scope="session")
def bundled_facts(bundled_graph):
    from kg.model.facts import read_facts

    return read_facts(bundled_graph)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run ``kg`` with arguments; return the click Result (stdout and stderr kept apart)."""
    from kg.cli import main

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run
