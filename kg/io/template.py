"""A starter dataset for ``kg import --template``: the interchange files with one worked row each.

Every file of the CSV interchange format (:data:`kg.io.csvdata.TABLES`, documented in ``data/README.md``) with
all its columns and a row taken from the bundled data, so that nothing in it is invented: AWS cutting
Parler's hosting off in January 2021 (the dependency, the cut-off and what was observed), an outage (Parler
had none: the Oracle data-centre power failure of January 2026), the entities they name and their owners,
and the sources they cite. The folder imports as it is; replace the rows with your own.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kg.errors import InputError, KGError, SourceLocation
from kg.io.csvdata import TABLES
from kg.model.resources import BUNDLED_CSV

__all__ = ["EXAMPLE", "template_rows", "write_template"]

#: The rows of the bundled data the template shows, by table: the values that pick each one out.
EXAMPLE = {
    "dependencies": {"id": "parler-aws-hosting"},
    "events": {"id": "aws-suspends-parler"},
    "availability": {"dependent": "parler", "start": "2021-01-11"},
    "outages": {"id": "oracle-data-center-power-outage"},
}
#: The columns of those tables that name an entity (which the template's entities.csv must then hold).
_ENTITY_COLUMNS = {
    "dependencies": ("dependent", "provider"),
    "events": ("issuer",),
    "availability": ("dependent",),
    "outages": ("actor", "issuer"),
}


def _bundled(table: str) -> list[dict[str, str]]:
    with (BUNDLED_CSV / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def template_rows() -> dict[str, list[dict[str, str]]]:
    """The template's rows by table (every table of the format, in conversion order), from the bundled data.

    >>> rows = template_rows()
    >>> [len(rows[name]) for name in rows], rows["dependencies"][0]["provider"]
    ([10, 4, 1, 1, 1, 1], 'aws')
    """
    chosen = {}
    for table, key in EXAMPLE.items():
        found = [row for row in _bundled(table) if all(row.get(k) == v for k, v in key.items())]
        if len(found) != 1:
            raise KGError(f"the bundled {table}.csv has {len(found)} rows {key}, not one")  # a packaging bug
        chosen[table] = found
    named = {row[c] for table, rows in chosen.items() for row in rows for c in _ENTITY_COLUMNS[table] if row.get(c)}
    entities = {row["id"]: row for row in _bundled("entities")}
    pending = sorted(named)
    while pending:  # their owners too, up the chain
        owner = entities[pending.pop()].get("owner")
        if owner and owner not in named:
            named.add(owner)
            pending.append(owner)
    chosen["entities"] = [row for row in entities.values() if row["id"] in named]
    cited = {s for rows in chosen.values() for row in rows for s in (row.get("source") or "").split(";") if s}
    chosen["sources"] = [row for row in _bundled("sources") if row["id"] in cited]
    return {name: chosen.get(name, []) for name in TABLES}


def write_template(folder: str | Path) -> list[Path]:
    """Write the template's CSV files into ``folder`` (made if missing) and return their paths.

    Each file has every column of its table in the format's order, also those the bundled file leaves out
    (``upstream``).
    Raises :class:`~kg.errors.InputError` if ``folder`` is a file or a folder that is not empty (nothing is
    overwritten), or cannot be written; then, as after Ctrl-C, what was written is removed.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     [path.name for path in write_template(Path(parent) / "my-cases")][:3]
    ['sources.csv', 'entities.csv', 'dependencies.csv']
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "a folder that is not empty" if folder.is_dir() else "not a folder"
        raise InputError(f"is {what}: the template goes into a new or empty folder", SourceLocation(str(folder)))
    contents = {}
    for name, rows in template_rows().items():
        text = io.StringIO()
        writer = csv.DictWriter(text, TABLES[name].columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        contents[folder / f"{name}.csv"] = text.getvalue()
    made = not folder.exists()
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in contents.items():
            with path.open("x", encoding="utf-8", newline="") as handle:  # "x": never over a file made meanwhile
                written.append(path)
                handle.write(text)
    except BaseException as error:  # a full disk, Ctrl-C: no half-written template is left
        for path in written:
            path.unlink(missing_ok=True)
        if made and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        if isinstance(error, OSError):
            where = SourceLocation(str(folder))
            raise InputError(f"cannot write the template: {error.strerror or error}", where) from None
        raise
    return written
