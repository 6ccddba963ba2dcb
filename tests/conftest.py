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
