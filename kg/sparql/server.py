"""``kg serve``: the knowledge graph as a local, read-only SPARQL 1.1 endpoint.

The store a dataset is loaded into (:mod:`kg.store`) is an Oxigraph database, so the Oxigraph server
(the ``oxigraph`` program of the PyPI package of that name, the same version family as pyoxigraph) answers
the queries: ``oxigraph serve-read-only`` over the store, with the default graph as the union of the data and
the ontology (the graph our queries expect). Those servers are kept private: a pool of them listens on
127.0.0.1 ports of their own, each answering one request at a time, behind a front (:mod:`kg.sparql.front`)
on the address the user gave. The front refuses what must not run (``SERVICE`` calls to other servers,
updates) before anything runs, and stops a query that passes the time limit, or whose client has gone, by
killing the process running it (Oxigraph's own timeout does not interrupt a query while it computes), then
starts another in its place.
"""

from __future__ import annotations

import ctypes
import http.client
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError

if TYPE_CHECKING:
    from kg.sparql.front import Front

__all__ = ["DEFAULT_TIMEOUT", "Backend", "Backends", "Endpoint", "default_workers", "oxigraph_program", "serve"]

#: Seconds a request may take, from when it has been read to the end of its answer.
DEFAULT_TIMEOUT = 60


def default_workers() -> int:
    """Queries run at once by default: one per CPU this process may use, and at least two (so that one
    long query does not hold up every other)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, cpus)


def oxigraph_program() -> str:
    """The ``oxigraph`` server program: beside this Python's executable (a virtual environment), else on
    the PATH. Raises :class:`~kg.errors.InputError` when it is not installed."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise InputError("the oxigraph server program is not installed (pip install 'oxigraph>=0.5,<0.6')")
    return found


@dataclass(eq=False)
class Backend:
    """One ``oxigraph serve-read-only`` process of the pool, on ``127.0.0.1:port``."""

    process: subprocess.Popen
    port: int
    errors: object = field(repr=False)  # the file its standard error goes to

    def kill(self) -> None:
        """SIGKILL: a read-only server has nothing to save, and a query in progress stops at once."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.errors.close()


class Backends:
    """A pool of ``size`` backends over the Oxigraph database at ``location``.

    One thread (the keeper) starts every backend, the first ones and each replacement: the parent-death
    signal a backend asks for (:func:`_die_with_parent`) follows the thread that started it, and the keeper
    lives as long as the pool.
    """

    def __init__(self, location: Path, size: int, *, wait: float = 30) -> None:
        self.location, self.size, self.wait = location, size, wait
        self.failure: str | None = None  # why backends cannot be started, once that happens
        self.failed = threading.Event()
        self._idle: queue.Queue[Backend] = queue.Queue()
        self._orders: queue.Queue[bool] = queue.Queue()  # True: start one; False: stop keeping
        self._live: set[Backend] = set()
        self._lock = threading.Lock()
        self._stopping = False
        self._ready = threading.Event()
        self._keeper = threading.Thread(target=self._keep, name="kg serve backends", daemon=True)

    def start(self) -> None:
        """Start the pool; return once every backend answers. Raises :class:`~kg.errors.InputError` when
        they cannot be started."""
        self._keeper.start()
        self._ready.wait()
        if self.failure is not None:
            self.stop()
            raise InputError(self.failure)

    def take(self, deadline: float, gone) -> Backend | None:
        """An idle backend, waiting for one until ``deadline`` (``time.monotonic()``); ``None`` past it, or
        as soon as ``gone()`` says the client has left."""
        while not self.failed.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or gone():
                return None
            try:
                backend = self._idle.get(timeout=min(remaining, 0.25))
            except queue.Empty:
                continue
            if backend.process.poll() is None:
                return backend
            self.discard(backend)  # it died while idle (killed from outside, out of memory): replace it
        return None

    def give_back(self, backend: Backend) -> None:
        """Return a backend that answered its request completely."""
        if backend.process.poll() is None:
            self._idle.put(backend)
        else:
            self.discard(backend)

    def discard(self, backend: Backend) -> None:
        """Kill a backend (its query stops with it) and have another started in its place."""
        backend.kill()
        with self._lock:
            self._live.discard(backend)
        self._orders.put(True)

    def stop(self) -> None:
        """Kill every backend, and start no more."""
        with self._lock:
            self._stopping = True
            live, self._live = list(self._live), set()
        self._orders.put(False)
        for backend in live:
            backend.kill()

    def _keep(self) -> None:
        try:
            for _ in range(self.size):
                self._idle.put(self._start_one())
            self._ready.set()
            while self._orders.get():
                self._idle.put(self._start_one())
        except (InputError, OSError) as error:
            if not self._stopping:
                self.failure = str(error)
                self.failed.set()
            self._ready.set()

    def _start_one(self) -> Backend:
        """Start a backend and wait until it answers. A port taken between choosing it and the server
        binding it is retried on another; any other failure is an :class:`~kg.errors.InputError` with the
        server's own message."""
        for _attempt in range(5):
            port = _free_port()
            errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (open as long as the backend runs)
            command = [oxigraph_program(), "serve-read-only", "--location", str(self.location)]
            command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
            with self._lock:
                if self._stopping:
                    errors.close()
                    raise InputError("the endpoint is stopping")
                process = subprocess.Popen(  # in a process group of its own: Ctrl-C is for kg to handle
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    process_group=0,
                    preexec_fn=_die_with_parent(os.getpid()),
                )
                backend = Backend(process, port, errors)
                self._live.add(backend)
            said = _wait_until_it_answers(backend, self.wait)
            if said is None:
                return backend
            with self._lock:
                self._live.discard(backend)
            backend.kill()
            if "address already in use" not in said.lower():
                raise InputError(f"the SPARQL server (oxigraph) did not start: {said}")
        raise InputError("the SPARQL server (oxigraph) found no free port on 127.0.0.1")


@dataclass
class Endpoint:
    """A running endpoint: its query URL, the front and the backends (stop them with :meth:`stop`)."""

    url: str
    front: Front
    backends: Backends
    thread: threading.Thread

    def wait(self) -> None:
        """Block while the endpoint serves; raise :class:`~kg.errors.InputError` if it fails (backends
        that can no longer be started)."""
        self.backends.failed.wait()
        raise InputError(f"the SPARQL endpoint {self.url} stopped: {self.backends.failure}")

    def stop(self) -> None:
        """Stop answering, and kill every backend."""
        self.front.shutdown()
        self.front.server_close()
        self.backends.stop()


def serve(
    dataset,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    allow_service: bool = False,
    wait: float = 30,
) -> Endpoint:
    """Start a read-only SPARQL endpoint over ``dataset`` (a :class:`~kg.store.dataset.Dataset`) on
    ``host:port``; return the :class:`Endpoint` once it answers.

    ``timeout`` bounds each request in seconds (waiting for a free worker included): past it the query's
    process is killed and the client gets HTTP 503. ``workers`` queries run at once (default:
    :func:`default_workers`), each in an Oxigraph process of its own. ``SERVICE`` (a call to another
    server) is refused with HTTP 400 unless ``allow_service``. Raises :class:`~kg.errors.InputError` when
    the address cannot be listened on (the port is taken) or the Oxigraph server does not start.
    """
    from kg.sparql.front import Front

    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise InputError(f"cannot listen on {host}: {error.strerror}") from None
    backends = Backends(Path(dataset.folder) / "oxigraph", workers or default_workers(), wait=wait)
    try:
        front = Front(address, family, backends, timeout=timeout, allow_service=allow_service)
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    try:
        backends.start()
    except BaseException:  # not started, or interrupted while starting: never leave a backend running
        front.server_close()
        backends.stop()
        raise
    thread = threading.Thread(target=front.serve_forever, name="kg serve front", daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    return Endpoint(f"http://{shown}:{port}/query", front, backends, thread)


def _die_with_parent(parent: int):
    """What a backend runs before the server program: on Linux, ask for SIGKILL when the thread that
    started it ends (with kg, even by SIGKILL), so that no backend outlives kg; and end at once if kg has
    already gone."""
    prctl = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None  # looked up before fork

    def in_the_child() -> None:
        if prctl is not None:
            prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:
                os._exit(1)

    return in_the_child


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_it_answers(backend: Backend, wait: float) -> str | None:
    """``None`` once the backend answers a query as Oxigraph, else what it said when it ended (or that it
    did not answer within ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if backend.process.poll() is not None:
            backend.errors.seek(0)
            lines = backend.errors.read().strip().splitlines()
            return lines[-1] if lines else f"exit code {backend.process.returncode}"
        if _answers(backend.port):
            return None
        time.sleep(0.02)
    return f"no answer on 127.0.0.1:{backend.port} within {wait:.0f} s"


def _answers(port: int) -> bool:
    """Whether an Oxigraph server on the port answers a query (not some other program that took it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)  # never through a proxy
    try:
        connection.request("POST", "/query", b"ASK {}", {"Content-Type": "application/sparql-query"})
        response = connection.getresponse()
        return response.status == 200 and response.getheader("Server", "").startswith("Oxigraph")
    except OSError:
        return False
    finally:
        connection.close()
