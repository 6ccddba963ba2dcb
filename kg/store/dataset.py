"""The one loading interface: :func:`open_dataset` gives a :class:`Dataset` every command works from.

A dataset is a store (see :mod:`kg.store`) found by the content of the input files, built on first
use. Commands ask it only for what they need: the column tables or :class:`~kg.model.facts.Facts` for
analysis, SPARQL answers from the store for queries, an :class:`rdflib.Graph` for the tools that
want one (validation with pySHACL, export).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from kg.errors import InputError, SourceLocation
from kg.store.build import BuildReport, Progress, publish
from kg.store.keys import cache_root, content_key

__all__ = ["STORE_ENV", "DamagedStore", "Dataset", "input_files", "open_dataset", "temporary_root"]

#: Environment variable naming a store folder, as ``--store`` does.
STORE_ENV = "KG_STORE"


def input_files(paths: Sequence[str | Path] | None) -> list[tuple[str, Path]]:
    """The files behind ``paths`` with their role (``csv:<name>`` or ``rdf:<syntax>``), checked to exist.

    No paths means the bundled dataset. A folder stands for the data files in it
    (:func:`kg.io.loading.data_files`).
    """
    from kg.io.loading import data_files
    from kg.model.resources import BUNDLED_DATASET

    return [
        (f"csv:{path.name.lower()}", path) if rdf_format == "csv" else (f"rdf:{rdf_format}", path)
        for rdf_format, path in data_files(paths or [BUNDLED_DATASET])
    ]


class DamagedStore(InputError):
    """A store that is not as its build left it (a file emptied, cut short, removed or garbled, or a store of
    another version). A cached store is rebuilt from its inputs; an explicit one is refused with this
    one-line error saying what to do."""

    def __init__(self, folder: Path, what: str) -> None:
        self.folder, self.what = Path(folder), what
        super().__init__(
            f"the store is damaged: {what}; load it again (kg load FILES --store FOLDER) or remove it",
            SourceLocation(str(folder)),
        )


class Dataset:
    """A loaded dataset: a complete store folder and what can be read from it."""

    #: For the part of a remote graph a scenario needs: who supplies each service across the whole
    #: remote graph (:class:`kg.store.remote.Market`); ``None`` for files.
    market = None

    def __init__(
        self,
        folder: Path,
        inputs: Sequence[tuple[str, Path]],
        report: BuildReport | None = None,
        *,
        cached: bool = False,
    ) -> None:
        self.folder = folder
        self.inputs = list(inputs)
        self.report = report  # how the store was built, when this call built it
        self.cached = cached  # a store of the cache (made again from the inputs when damaged)

    @cached_property
    def meta(self) -> dict:
        """What the build recorded: inputs, triple, dependency and actor counts, seconds taken."""
        with self._reading("meta.json"):
            meta = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
            return meta

    def check(self) -> None:
        """Raise :class:`DamagedStore` unless the store looks as its build left it: ``meta.json`` readable
        and of this version's store format, every file the build wrote there with the size it had, the
        Oxigraph database in place. Cheap (no file is read but ``meta.json``); damage inside a file of the
        right size is found when the file is read, with the same error."""
        from kg.store.keys import STORE_FORMAT

        meta = self.meta
        if meta.get("format") != STORE_FORMAT:
            raise DamagedStore(self.folder, f"made by another version of kg ({meta.get('format')!r})")
        files = meta.get("files")
        if not isinstance(files, dict):
            raise DamagedStore(self.folder, "meta.json lists no files")
        for name, size in sorted(files.items()):
            try:
                found = (self.folder / name).stat().st_size
            except OSError:
                raise DamagedStore(self.folder, f"{name} is missing") from None
            if found != size:
                raise DamagedStore(self.folder, f"{name} has {found:,} bytes, not the {size:,} it was written with")
        current = self.folder / "oxigraph" / "CURRENT"
        if not current.is_file() or current.stat().st_size == 0:
            raise DamagedStore(self.folder, "its Oxigraph database is missing or damaged")

    @contextlib.contextmanager
    def _reading(self, name: str):
        """Turn a file of the store that cannot be read as it was written into :class:`DamagedStore`."""
        import zipfile

        try:
            yield
        except DamagedStore:
            raise
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
            what = f"{name} cannot be read ({type(error).__name__}: {str(error)[:120]})"
            if not self.cached:
                with contextlib.suppress(OSError):  # so that loading it again builds it anew
                    os.replace(self.folder / "meta.json", self.folder / "meta.json.damaged")
                raise DamagedStore(self.folder, what) from None
            shutil.rmtree(self.folder, ignore_errors=True)  # the next run builds it again
            raise InputError(
                f"the cached store was damaged ({what}) and is removed: run the command again to rebuild it",
                SourceLocation(str(self.folder)),
            ) from None

    @property
    def built(self) -> bool:
        """Whether opening the dataset built its store (rather than reusing one)."""
        return self.report is not None

    @cached_property
    def tables(self):
        """The column tables (:class:`~kg.store.tables.Tables`)."""
        from kg.store.tables import Tables

        with self._reading("records.json or tables.npz"):
            return Tables.load(self.folder)

    def check_analysable(self) -> None:
        """Raise :class:`~kg.errors.InputError` when the data holds what an analysis would read wrongly: a
        dependency without dependent, provider or known service, an ill-formed date, a dependency with two
        providers (:func:`kg.store.extract.find_faults`)."""
        from kg.model.facts import refuse_unanalysable, unanalysable

        first, count = self.meta.get("faults", ("", 0))
        more, extra = unanalysable(self.facts.dependencies.values()) if self.small else self.tables.unanalysable()
        refuse_unanalysable(first or more, count + extra)

    @property
    def small(self) -> bool:
        """Whether the store keeps its facts as JSON (small data: analysed without arrays or numpy)."""
        return (self.folder / "facts.json").is_file()

    @cached_property
    def facts(self):
        """Every record as :class:`~kg.model.facts.Facts`."""
        if self.small:
            from kg.store.factsjson import load_facts

            with self._reading("facts.json"):
                return load_facts(self.folder / "facts.json")
        return self.tables.to_facts()

    def facts_about(self, name: str):
        """The records about the entity called ``name`` (identifier or name, any case: see
        :class:`kg.model.names.NameIndex`) as :class:`~kg.model.facts.Facts`, enough for its profile: everything for
        small data, a column scan for big data (:meth:`kg.store.tables.Tables.facts_about`). Raises
        :class:`~kg.errors.UnknownNameError` for an unknown name."""
        from kg.model.names import NameIndex

        if self.small or "facts" in self.__dict__:
            return self.facts
        return self.tables.facts_about(NameIndex(self.entities).resolve(name).identifier)

    @cached_property
    def entities(self):
        """The entities (identifier -> :class:`~kg.model.facts.Entity`), made as they are looked up."""
        from kg.store.tables import EntityTable

        if "facts" in self.__dict__ or self.small:
            return self.facts.entities
        return EntityTable(self.tables)

    @cached_property
    def store(self):
        """The pyoxigraph store, read-only: the data in the default graph, the ontology in its own graph."""
        import pyoxigraph

        with self._reading("oxigraph"):
            return pyoxigraph.Store.read_only(str(self.folder / "oxigraph"))

    def query(self, sparql: str, *, union: bool = True):
        """Run SPARQL on the store; ``union`` lets the query see the ontology beside the data."""
        return self.store.query(sparql, use_default_graph_as_union=union)

    def graph(self, *, ontology: bool = True, backend: str = "memory"):
        """The data (and with ``ontology``, the ontology) as a new :class:`rdflib.Graph`.

        ``backend="memory"`` gives rdflib's own in-memory graph (what pySHACL and the serialisers use);
        ``backend="oxigraph"`` gives rdflib's API over a pyoxigraph store (oxrdflib): about five times
        faster to fill and tens of times faster to query for big data.
        """
        import pyoxigraph
        from rdflib import Graph

        from kg.model.namespace import ONTOLOGY_IRI, PREFIXES

        if backend not in ("memory", "oxigraph"):
            raise ValueError(f"unknown graph backend {backend!r}")
        graph = Graph(store="Oxigraph") if backend == "oxigraph" else Graph()
        syntax = "ox-nt" if backend == "oxigraph" else "nt"
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        graphs = [pyoxigraph.DefaultGraph()]
        if ontology:
            graphs.append(pyoxigraph.NamedNode(str(ONTOLOGY_IRI)))
        for name in graphs:
            data = self.store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=name)
            if data:
                graph.parse(data=data.decode("utf-8") if syntax == "nt" else data, format=syntax)
        return graph


_TEMPORARY: list[Path] = []


def temporary_root() -> Path:
    """A folder for this process's temporary stores (where the cache cannot be written, and for the
    parts of remote graphs), removed when the process exits."""
    if not _TEMPORARY:
        from kg.io.outputs import private_folder

        _TEMPORARY.append(private_folder("pdkg-store"))
        atexit.register(shutil.rmtree, _TEMPORARY[0], True)
    return _TEMPORARY[0]


def _point_current(folder: Path, key: str) -> None:
    """Make ``folder/current`` name the store ``key`` (atomically), and drop older stores there."""
    link = folder / "current"
    temporary = folder / f".current-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(key, temporary)
    os.replace(temporary, link)
    for other in folder.iterdir():
        stale = other.is_dir() and not other.is_symlink() and other.name not in (key, "current")
        if stale and not other.name.startswith(".") and (other / "meta.json").is_file():
            shutil.rmtree(other, ignore_errors=True)


def open_dataset(
    paths: Sequence[str | Path] | None = None,
    *,
    store: str | Path | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Open the dataset of ``paths`` (default: the bundled one), building its store when needed.

    Parameters
    ----------
    paths : files or folders (CSV interchange files, Turtle, N-Triples, JSON-LD, RDF/XML).
    store : a folder to keep the store in (default: ``$KG_STORE``, else a cache keyed by content under
        :func:`~kg.store.keys.cache_root`). With a store folder and no paths, the dataset last loaded
        into it is opened.
    progress : called as a build advances.

    Raises :class:`~kg.errors.InputError` for a missing or unreadable input, or a store folder that
    holds no dataset.

    Examples
    --------
    >>> dataset = open_dataset()
    >>> "parler" in dataset.facts.entities
    True
    """
    from kg.model.resources import ONTOLOGY

    explicit = store if store is not None else os.environ.get(STORE_ENV) or None
    if explicit is not None and not paths:
        folder = Path(explicit)
        current = folder / "current"
        if not (current / "meta.json").is_file():
            raise InputError(
                "holds no loaded dataset; run kg load FILES --store FOLDER first", SourceLocation(str(folder))
            )
        meta_inputs: list[tuple[str, Path]] = []
        dataset = Dataset(current.resolve(), meta_inputs)
        dataset.check()  # nothing to rebuild it from: a damaged one is refused, saying what to do
        return dataset
    inputs = input_files(paths)
    key = content_key(inputs, ONTOLOGY)
    if explicit is not None:
        folder = Path(explicit)
        if folder.exists() and not folder.is_dir():
            raise InputError("is not a folder", SourceLocation(str(folder)))
        with _loading(folder):
            target, report = _publish_sound(inputs, folder, key, progress)
            try:
                _point_current(folder, key)
            except OSError as error:
                raise InputError(
                    f"cannot update the store: {error.strerror or error}", SourceLocation(str(folder))
                ) from None
        return Dataset(target, inputs, report)
    try:
        root = cache_root() / "stores"
        root.mkdir(parents=True, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise PermissionError
    except OSError:
        root = temporary_root()
    target, report = _publish_sound(inputs, root, key, progress)
    return Dataset(target, inputs, report, cached=True)


@contextlib.contextmanager
def _loading(folder: Path):
    """Hold the store folder's lock (``FOLDER/.lock``, an advisory lock the system drops with the process)
    while data is loaded into it: a second load at the same time is refused, so that two loads never
    both report success while the last one wins. Readers never wait for it."""
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise InputError(f"cannot create the store: {error.strerror or error}", SourceLocation(str(folder))) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                "another kg process is loading data into this store; run this again once it is done",
                SourceLocation(str(folder)),
            ) from None
        yield
    finally:
        os.close(handle)


def _publish_sound(inputs, root: Path, key: str, progress: Progress | None) -> tuple[Path, BuildReport | None]:
    """:func:`~kg.store.build.publish`, and a store found damaged (:meth:`Dataset.check`) is removed and
    built again from the inputs (they are what its key was made from)."""
    target, report = publish(inputs, root, key, progress)
    if report is None:
        try:
            Dataset(target, inputs).check()
        except DamagedStore:
            shutil.rmtree(target, ignore_errors=True)
            target, report = publish(inputs, root, key, progress)
    return target, report
