"""What the tool does beside answering: importing files, a starter folder, serving and pushing the graph,
measuring providers live, and what changed between measurement runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.model.progress import Progress
from kg.store.importing import import_data  # the question itself: files in, validated, one RDF file out

if TYPE_CHECKING:
    from kg.measure.run import RunSummary


from kg.api.sources import load

__all__ = [
    "ChangesAnswer",
    "MeasureAnswer",
    "changes",
    "import_data",
    "measure",
    "push",
    "serve",
    "write_template",
]


def write_template(folder: str | Path) -> list[Path]:
    """A starter CSV folder: every interchange file with one sourced row from the bundled data."""
    from kg.io.template import write_template as write

    return write(folder)


def serve(data=None, *, host: str = "127.0.0.1", port: int = 7878, timeout: float = 60, workers=None, **options):
    """Start a read-only SPARQL 1.1 endpoint over the data (ontology included) and return it once it
    answers (:class:`~kg.sparql.server.Endpoint`: ``wait()``, ``stop()``); see
    :func:`kg.sparql.server.serve` for the options."""
    from kg.sparql.server import serve as start

    return start(load(data), host=host, port=port, timeout=timeout, workers=workers, **options)


def push(data=None, *, endpoint: str, store_url: str | None = None, update_url: str | None = None, **options):
    """Upload the ontology and the data into a named graph of the SPARQL server at ``endpoint`` (its base
    or query URL), replacing it at once: a :class:`~kg.sparql.push.PushReport`. Without ``store_url`` and
    ``update_url`` the server is laid out as Oxigraph's (``/store``, ``/update``, bulk loading); see
    :func:`kg.sparql.push.push` for the options."""
    from kg.sparql.push import push as upload

    base = endpoint.rstrip("/").removesuffix("/query")
    return upload(
        load(data, progress=options.get("progress")),
        store_url=store_url or f"{base}/store",
        update_url=update_url or f"{base}/update",
        bulk=store_url is None,
        query_url=f"{base}/query" if store_url is None and update_url is None else endpoint,
        **options,
    )


@dataclass(frozen=True)
class MeasureAnswer:
    """A measurement run: its :class:`~kg.measure.run.RunSummary`, the folder its tables went to, and,
    with ``into``, the counts of the merge into periods (else ``None``)."""

    summary: RunSummary
    folder: Path
    merged: dict | None = None


def measure(
    domains: Sequence[str],
    *,
    out: str | Path | None = None,
    into: str | Path | None = None,
    shard: str = "1/1",
    progress: Progress | None = None,
    **options,
) -> MeasureAnswer:
    """Measure ``domains``' providers live into ``out`` (one run), or into ``into`` (successive runs, each
    in a folder of its own, merged into dated periods; an interrupted run there carries on). ``options``
    are those of :func:`kg.measure.run.measure` (``resolver`` and ``country`` are required)."""
    from kg.measure.run import measure as run
    from kg.measure.run import new_run_identifier, parse_shard
    from kg.measure.runfiles import RUNS_FOLDER, interrupted_run, merge_into

    if (out is None) == (into is None):
        raise InputError("give --out DIR (this run) or --into DIR (successive runs merged), one of them")
    if not domains:
        raise InputError("no domains to measure: give DOMAINS or --from FILE")
    parts = parse_shard(shard)
    identifier = None
    if into is not None:
        folder = interrupted_run(into)
        if folder is None:
            identifier = new_run_identifier(parts)
            folder = Path(into) / RUNS_FOLDER / identifier
    else:
        folder = Path(out)
    summary = run(list(domains), folder, identifier=identifier, shard=parts, progress=progress, **options)
    return MeasureAnswer(summary, folder, merge_into(into) if into is not None else None)


@dataclass(frozen=True)
class ChangesAnswer:
    """What changed between successive runs (:class:`~kg.measure.runfiles.Step` each), and the names of the
    providers and domains they mention (identifier -> name)."""

    steps: list
    names: dict

    def name(self, identifier: str) -> str:
        """The name of ``identifier``, or the identifier when no run names it."""
        return self.names.get(identifier, identifier)


def changes(folders: Iterable[str | Path]) -> ChangesAnswer:
    """What changed between successive measurement runs in ``folders``: per domain and service, the
    providers it stopped and started using, and the domains that stopped answering or answer again."""
    from kg.measure.runfiles import read_names, steps

    folders = list(folders)
    return ChangesAnswer(steps(folders), read_names(folders))
