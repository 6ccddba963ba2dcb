"""Measured data read back from the interchange format as runs (:class:`kg.measure.periods.Run`): what each
run saw and how each domain's measurement ended, so that runs written by ``kg measure`` (or by hand) can be
compared (``kg changes``) and merged into periods.

A domain's outcome in a run is read off its evidence: ``nxdomain`` when the run asked for its name servers
(or SOA) and the name did not exist, a failure (``servfail``, ``refused``, ``timeout``, ``error``) when
such a question failed, else ``ok``. A dependent with no evidence of its own, seen in a run (a provider
whose record is named apart from its domain), counts as measured there.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from kg.errors import InputError, SourceLocation
from kg.measure.evidence import FAILURES, instant_text
from kg.measure.periods import Change, Run, Seen, StatusChange, changes, merge_runs

#: Where ``kg measure --into DIR`` keeps each run's own tables: ``DIR/runs/RUN-ID/``.
RUNS_FOLDER = "runs"

__all__ = ["RUNS_FOLDER", "Step", "interrupted_run", "merge_into", "read_names", "read_runs", "steps"]


def interrupted_run(folder: str | Path) -> Path | None:
    """The folder of the run interrupted in ``folder/runs/`` (one still holding its log), None when there
    is none."""
    from kg.measure.runlog import STATE

    found = sorted(p.parent for p in (Path(folder) / RUNS_FOLDER).glob(f"*/{STATE}"))
    return found[-1] if found else None


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"cannot read it: {error}", SourceLocation(str(path))) from None


def _instant(text: str, path: Path, line: int) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(f"bad instant {text[:40]!r}: expected 2026-12-01T10:00:00Z", SourceLocation(str(path), line))
    return moment


#: The questions (evidence kind, type) that measure each service besides DNS: a service whose questions
#: all failed in a run (or that the run did not ask) is a gap there, not a change.
_SERVICE_QUESTIONS = {
    ("asn", "ASN"): "hosting",
    ("tls", "TLS"): "certificate-authority",
    ("http", "GET"): "cdn",
    ("http", "SCRIPTS"): "payments",
    ("rdap", "GET"): "registrar",
    ("rdap", "RDAP"): "registrar",
}


def _service_outcome(outcomes: list[str]) -> str:
    """A service's outcome from its questions' in a run: ``ok`` if one got an answer (``nodata``: a looked-up
    address without a route is an answer too), ``nxdomain`` if the registry no longer has the domain, else
    the last failure."""
    if any(outcome in ("ok", "nodata") for outcome in outcomes):
        return "ok"
    return "nxdomain" if "nxdomain" in outcomes else outcomes[-1]


def read_runs(folders: Iterable[str | Path]) -> list[Run]:
    """Every run recorded in ``folders`` (each holding ``runs.csv``, ``evidence.csv`` and
    ``dependencies.csv``), sorted by their start. Raises :class:`~kg.errors.InputError` naming the file
    for a folder without runs or an instant that cannot be read.

    Examples
    --------
    >>> runs = read_runs(["tests/data/measured"])
    >>> [(run.identifier, run.outcomes["video.test"]) for run in runs]
    [('run-2026-12-01', 'ok'), ('run-2026-12-08', 'nxdomain')]
    """
    starts: dict[str, dt.datetime] = {}
    outcomes: dict[str, dict[str, str]] = defaultdict(dict)
    seen: dict[str, list[Seen]] = defaultdict(list)
    services: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for folder in map(Path, folders):
        runs_file = folder / "runs.csv"
        rows = _rows(runs_file)
        if not rows:
            raise InputError("holds no measurement runs (runs.csv)", SourceLocation(str(folder)))
        for line, row in enumerate(rows, start=2):
            starts[row["id"]] = _instant(row.get("start", ""), runs_file, line)
        asked: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in _rows(folder / "evidence.csv"):
            if row.get("kind") == "dns" and row.get("type") in ("NS", "SOA") and row.get("name") == row.get("domain"):
                asked[row["run"], row["domain"]].append(row.get("outcome", ""))
            service = _SERVICE_QUESTIONS.get((row.get("kind", ""), row.get("type", "")))
            if service is not None:
                services[row["run"]][row["domain"], service].append(row.get("outcome", ""))
        for (run, domain), found in asked.items():
            failure = next((o for o in found if o in FAILURES), None)
            outcomes[run][domain] = "nxdomain" if "nxdomain" in found else failure or "ok"
        for row in _rows(folder / "dependencies.csv"):
            evidence = tuple(e for e in row.get("evidence", "").split(";") if e)
            for run in (r for r in row.get("run", "").split(";") if r):
                seen[run].append(Seen(row["dependent"], row["provider"], row["service"], evidence))
    runs = []
    for identifier, start in starts.items():
        found = dict(outcomes[identifier])
        for sighting in seen[identifier]:
            found.setdefault(sighting.dependent, "ok")
        measured = {key: _service_outcome(found) for key, found in services[identifier].items()}
        runs.append(Run(identifier, start, found, tuple(seen[identifier]), measured))
    return sorted(runs, key=lambda run: (run.instant, run.identifier))


def read_names(folders: Iterable[str | Path]) -> dict[str, str]:
    """Each entity's name from the folders' ``entities.csv`` (identifier -> name)."""
    names: dict[str, str] = {}
    for folder in map(Path, folders):
        for row in _rows(folder / "entities.csv"):
            names.setdefault(row["id"], row.get("name") or row["id"])
    return names


@dataclass(frozen=True)
class Step:
    """What changed from one run to the next: providers that ended and began, and domains that stopped
    (or started again) answering."""

    old: Run
    new: Run
    changes: tuple[Change, ...]
    statuses: tuple[StatusChange, ...]


def steps(folders: Iterable[str | Path]) -> list[Step]:
    """The changes between each run in ``folders`` and the next (:func:`kg.measure.periods.changes`).

    Examples
    --------
    >>> (step,) = steps(["tests/data/measured"])
    >>> [c.sentence() for c in step.changes][0]
    'forum.test: dns moved from hostco to otherdns between 2026-12-01 and 2026-12-08'
    >>> [(s.dependent, s.status) for s in step.statuses]
    [('video.test', 'unreachable')]
    """
    runs = read_runs(folders)
    found = []
    for old, new in pairwise(runs):
        moved, statuses = changes(old, new)
        found.append(Step(old, new, tuple(moved), tuple(statuses)))
    return found


def merge_into(folder: str | Path) -> dict[str, int]:
    """Merge every run kept in ``folder/runs/*/`` into the tables of ``folder`` itself: all runs and all
    their evidence, every entity, and one dependency per period (:func:`kg.measure.periods.merge_runs`):
    from the first answer that showed it (``start``, it held no later than then) to the first run that measured
    its dependent and no longer saw it (``end``, ended by ``unknown``), citing every run that saw it and
    their evidence. Returns counts (runs, periods, ended). The runs' own folders are left as they are:
    they are the evidence.

    Examples
    --------
    >>> import shutil, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for run in ("2026-12-01", "2026-12-08"):  # the test sample, split into its two runs
    ...     _ = shutil.copytree("tests/data/measured", folder / "runs" / run)
    >>> merge_into(folder)["periods"] > 0
    True
    """
    from kg.measure.assemble import write_rows

    folder = Path(folder)
    kept = sorted(p for p in (folder / RUNS_FOLDER).glob("*") if p.is_dir() and (p / "runs.csv").is_file())
    if not kept:
        raise InputError(f"holds no runs to merge ({RUNS_FOLDER}/*/)", SourceLocation(str(folder)))
    runs = read_runs(kept)
    tables: dict[str, dict[str, dict]] = {name: {} for name in ("runs.csv", "evidence.csv", "entities.csv")}
    latest: dict[tuple[str, str, str], dict] = {}  # each dependency's row in the latest run that has it
    started: dict[tuple[str, str, str, str], str] = {}  # (dependency, run) -> the instant of its first answer
    for run_folder in kept:
        for name, rows in tables.items():
            for row in _rows(run_folder / name):
                rows.setdefault(row["id"], row)
        for row in _rows(run_folder / "dependencies.csv"):
            key = (row["dependent"], row["provider"], row["service"])
            latest[key] = row
            for run in row.get("run", "").split(";"):
                started.setdefault((*key, run), row.get("start", ""))
    evidence_of: dict[tuple[str, str, str, str], tuple[str, ...]] = {}
    for run in runs:
        for sighting in run.seen:
            evidence_of[(*sighting.key, run.identifier)] = sighting.evidence
    periods = merge_runs(runs)
    numbers: dict[tuple[str, str, str], int] = {}
    dependencies = []
    for period in periods:
        key = (period.dependent, period.provider, period.service)
        numbers[key] = numbers.get(key, 0) + 1
        row = latest.get(key, {})
        cited = []
        for run in period.runs:
            cited += [e for e in evidence_of.get((*key, run), ()) if e not in cited]
        identifier = f"{period.dependent}-{period.provider}-{period.service}"
        dependencies.append(
            {
                "id": identifier if numbers[key] == 1 else f"{identifier}-{numbers[key]}",
                "dependent": period.dependent,
                "provider": period.provider,
                "service": period.service,
                "start": started.get((*key, period.runs[0])) or instant_text(period.first_seen),
                "end": instant_text(period.ended_at) if period.ended_at else "",
                "ended_by": "unknown" if period.ended_at else "",
                "effect": row.get("effect", ""),
                "run": ";".join(period.runs),
                "evidence": ";".join(cited),
                "rule": row.get("rule", ""),
                "note": f"seen in {len(period.runs)} run(s), last {instant_text(period.last_seen)}",
            }
        )
    write_rows(
        {
            "runs.csv": list(tables["runs.csv"].values()),
            "evidence.csv": list(tables["evidence.csv"].values()),
            "entities.csv": sorted(tables["entities.csv"].values(), key=lambda row: row["id"]),
            "dependencies.csv": dependencies,
        },
        folder,
    )
    return {"runs": len(runs), "periods": len(periods), "ended": sum(1 for p in periods if p.ended_at)}
