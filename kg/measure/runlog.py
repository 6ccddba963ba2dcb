"""A run in progress, kept on disk as it goes: what makes ``kg measure --resume`` carry on where an
interrupted run stopped, and what the run's tables are written from when it ends.

A run measuring into a folder keeps two files there until it ends:

* ``measuring.json``, the run's description (:class:`~kg.measure.assemble.RunInfo` and its start), written
  whole before the first question;
* ``measuring.jsonl``, an append-only log: one line per domain measured, written once the domain is done
  (its evidence, entities and dependencies in the interchange format's terms, and the name-server domains it
  leads to). A line is written with one ``write`` call; a line cut short by a kill is dropped on resuming.

When the run ends its tables (``runs.csv``, ``evidence.csv``, ``entities.csv``, ``dependencies.csv``) are
written from the log, one row at a time (memory flat in the number of domains), each file whole or not at
all, and the two files are removed. A domain is in the tables once: resuming measures only the domains the
log does not hold (a domain half-measured when the run was killed is measured again, from the start).
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.errors import InputError, SourceLocation
from kg.measure.evidence import instant_text

__all__ = [
    "COLUMNS",
    "LOG",
    "STATE",
    "Progress",
    "RunLog",
    "begin",
    "interrupted",
    "run_row",
    "state_of",
    "write_csv",
    "write_tables_from_log",
]

#: The run's description while it runs.
STATE = "measuring.json"
#: The run's log of finished domains.
LOG = "measuring.jsonl"

#: The columns of each table a run writes.
COLUMNS = {
    "runs.csv": ["id", "tool", "version", "start", "end", "country", "network", "resolvers", "contact", "note"],
    "evidence.csv": ["id", "run", "domain", "kind", "type", "name", "server", "time", "outcome", "answer", "detail"],
    "entities.csv": ["id", "name", "kind"],
    "dependencies.csv": [
        "id", "dependent", "provider", "service", "start", "end", "ended_by", "effect", "run", "evidence", "rule",
        "note",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Progress:
    """What an interrupted run's log holds: the domains done, the evidence numbered so far, and the
    name-server domains still to measure in turn (``(domain, found via, depth)``)."""

    done: frozenset[str]
    evidence: int
    followups: tuple[tuple[str, str, int], ...]


def begin(folder: Path, state: dict) -> None:
    """Start a run in ``folder``: its description written whole, its log empty."""
    from kg.io.outputs import write_output

    folder.mkdir(parents=True, exist_ok=True)
    write_output(folder / STATE, json.dumps(state, indent=1).encode("utf-8"))
    (folder / LOG).write_bytes(b"")


def interrupted(folder: Path) -> dict | None:
    """The description of the run interrupted in ``folder``, None when there is none."""
    path = folder / STATE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"cannot read the interrupted run's description: {error}", SourceLocation(str(path))) from None
    if not isinstance(state, dict) or not isinstance(state.get("info"), dict) or "start" not in state:
        raise InputError("not a run's description (info, start)", SourceLocation(str(path)))
    return state


def _records(folder: Path) -> Iterator[dict]:
    path = folder / LOG
    if not path.is_file():
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):
                return  # cut short by a kill: dropped (and truncated away before appending)
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"a damaged log line: {error.msg}", SourceLocation(str(path), number)) from None


def _whole_lines(path: Path) -> int:
    """The length of ``path`` up to its last complete line."""
    data_end = 0
    with path.open("rb") as handle:
        position = 0
        for line in handle:
            position += len(line)
            if line.endswith(b"\n"):
                data_end = position
    return data_end


class RunLog:
    """The append-only log of a run in ``folder``; :meth:`progress` reads what it holds."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOG
        self._handle = self.path.open("ab", buffering=0)
        try:  # one process at a time writes a run (released when it ends, however it ends)
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._handle.close()
            raise InputError("another kg measure is writing this run now", SourceLocation(str(self.path))) from None
        os.truncate(self.path, _whole_lines(self.path))  # a line cut short by a kill is dropped

    def progress(self, nameserver_depth: int, sites: set[str]) -> Progress:
        """The domains done, evidence so far, and the name-server domains to measure in turn still."""
        done: set[str] = set()
        evidence = 0
        wanted: dict[str, tuple[str, int]] = {}
        for record in _records(self.path.parent):
            done.add(record["ascii"] or record["domain"])
            evidence += len(record["evidence"])
            if record.get("depth", 0) < nameserver_depth:
                for domain in record.get("followups", ()):
                    wanted.setdefault(domain, (record["domain"], record.get("depth", 0) + 1))
        pending = tuple((d, via, depth) for d, (via, depth) in wanted.items() if d not in done and d not in sites)
        return Progress(frozenset(done), evidence, pending)

    def write(self, record: dict) -> None:
        """Append one finished domain, in one write."""
        self._handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")

    def close(self) -> None:
        if not self._handle.closed:
            os.fsync(self._handle.fileno())
            self._handle.close()


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    """Write ``rows`` (read as they are written) under ``columns`` to ``path``, whole or not at all
    (:func:`kg.io.outputs.output_file`); return how many."""
    from kg.io.outputs import output_file

    count = 0
    with output_file(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
    return count


def write_tables_from_log(folder: Path, run_row: dict) -> dict[str, int]:
    """Write the run's tables in ``folder`` from its log (and ``run_row``, its ``runs.csv`` row), then
    remove the log and the description. Returns the rows written per table."""
    kinds: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for record in _records(folder):
        for row in record["entities"]:
            known = kinds.setdefault(row["id"], [])
            for kind in row["kind"].split(";"):
                if kind not in known:
                    known.append(kind)
            if names.get(row["id"], row["id"]) == row["id"]:  # a provider's name over its domain's
                names[row["id"]] = row["name"]
    order = {"website": 0, "provider": 1}
    entities = (
        {"id": key, "name": names[key], "kind": ";".join(sorted(kinds[key], key=lambda k: order.get(k, 2)))}
        for key in sorted(kinds)
    )
    counts = {
        "runs.csv": write_csv(folder / "runs.csv", COLUMNS["runs.csv"], [run_row]),
        "evidence.csv": write_csv(
            folder / "evidence.csv", COLUMNS["evidence.csv"], (row for r in _records(folder) for row in r["evidence"])
        ),
        "entities.csv": write_csv(folder / "entities.csv", COLUMNS["entities.csv"], entities),
        "dependencies.csv": write_csv(
            folder / "dependencies.csv",
            COLUMNS["dependencies.csv"],
            (row for r in _records(folder) for row in r["dependencies"]),
        ),
    }
    (folder / LOG).unlink(missing_ok=True)
    (folder / STATE).unlink(missing_ok=True)
    return counts


def run_row(info, start: dt.datetime, end: dt.datetime) -> dict:
    """The ``runs.csv`` row of the run ``info`` (a :class:`~kg.measure.assemble.RunInfo`) from ``start`` to
    ``end``."""
    return {
        "id": info.identifier,
        "tool": info.tool,
        "version": info.version,
        "start": instant_text(start),
        "end": instant_text(end),
        "country": info.country,
        "network": info.network,
        "resolvers": ";".join(info.resolvers),
        "contact": info.contact,
        "note": info.note,
    }


def state_of(info, start: dt.datetime, settings: dict) -> dict:
    """A run's description for :func:`begin`: its info, start and the settings a resume must share."""
    return {"info": asdict(info), "start": start.isoformat(), "settings": settings}
