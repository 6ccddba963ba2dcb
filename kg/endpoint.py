"""``kg serve``: the knowledge graph as a local, read-only SPARQL 1.1 endpoint.

The store a dataset is loaded into (:mod:`kg.store`) is an Oxigraph database, so the Oxigraph server
(the ``oxigraph`` program of the PyPI package of that name, the same version family as pyoxigraph) serves
it as it is: read-only, with the default graph as the union of the data and the ontology (the graph our
queries expect), on ``/query`` (SPARQL 1.1 Protocol) and ``/store`` (Graph Store Protocol, reads only).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

__all__ = ["Endpoint", "oxigraph_program", "serve"]


@dataclass
class Endpoint:
    """A running endpoint: its query URL and the server process (stop it with :meth:`stop`)."""

    url: str
    process: subprocess.Popen

    def stop(self, timeout: float = 10) -> None:
        """Stop the server (terminate, then kill if it does not stop within ``timeout`` seconds)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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


def serve(dataset, *, host: str = "127.0.0.1", port: int = 7878, timeout: float | None = None, wait: float = 30):
    """Start a read-only SPARQL endpoint over ``dataset`` (a :class:`~kg.store.dataset.Dataset`) on
    ``host:port``; return the :class:`Endpoint` once it answers (within ``wait`` seconds).

    ``timeout`` bounds each query, in seconds. Raises :class:`~kg.errors.InputError` when the server does
    not start (the port is taken, the program is missing), with the server's own message.
    """
    _check_free(host, port)
    command = [
        oxigraph_program(),
        "serve-read-only",
        "--location",
        str(Path(dataset.folder) / "oxigraph"),
        "--bind",
        f"{host}:{port}",
        "--union-default-graph",
    ]
    if timeout is not None:
        command += ["--timeout-s", str(max(1, int(timeout)))]
    # A file, not a pipe (a chatty server never blocks on it), open as long as the server runs.
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, preexec_fn=_die_with_parent)
    endpoint = Endpoint(f"http://{host}:{port}/query", process)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                errors.seek(0)
                message = errors.read().strip().splitlines()
                said = message[-1] if message else f"exit code {process.returncode}"
                raise InputError(f"the SPARQL server did not start on {host}:{port}: {said}")
            if _answers(endpoint.url):
                return endpoint
            time.sleep(0.1)
        raise InputError(f"the SPARQL server did not answer on {host}:{port} within {wait:.0f} s")
    except BaseException:  # not started, or interrupted while starting: never leave it running
        endpoint.stop()
        raise


def _die_with_parent() -> None:
    """In the server's process, before it runs: on Linux, ask for SIGTERM when the parent dies (even by
    SIGKILL), so a server never outlives the command that started it."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _check_free(host: str, port: int) -> None:
    """Refuse a port something already listens on (else that other server would seem to be ours)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise InputError(f"cannot listen on {host}: {error.strerror}") from None
    family, kind, _, _, address = infos[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: old connections don't count
        try:
            probe.bind(address)
        except OSError as error:
            raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _answers(url: str) -> bool:
    request = urllib.request.Request(
        url, data=b"ASK {}", headers={"Content-Type": "application/sparql-query", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
