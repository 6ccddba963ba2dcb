"""Writing output files: the whole new file or the old one, never half of one, and never over the wrong thing.

What ``--out`` names decides how it is written:

* ``-``: standard output.

Whatever is written to a file or a pipe is the data byte for byte; what goes to a terminal (standard output
or a device that is one) has every character a terminal would act on escaped (:func:`for_terminal`), so
names from the data cannot move the cursor, retitle the window or reorder a line.
* a regular file, or a name that does not exist yet: a temporary file beside it, renamed into place once
  complete (after SIGKILL, a full disk or Ctrl-C the old file is still there, whole);
* a symbolic link: followed, and what it points to is written as above (the link itself stays);
* a device or a pipe (``/dev/null``, ``/dev/stdout``, a FIFO): written straight into, never replaced;
* a read-only file, a folder, a socket or a folder that cannot be written: refused with an
  :class:`~kg.errors.InputError` naming it, and nothing is written;
* one of the command's own inputs (the same file, by device and inode, whatever the name or link it is
  reached by; or a file in an input folder): refused the same way (:func:`refuse_inputs`).

Temporary files are named ``.NAME.kg-PID-RANDOM.tmp``. One left behind by a killed run is removed by the next
write to the same file, once its process is gone; nothing else is ever removed. Work folders
(:func:`private_folder`) are cleaned up the same way.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError, SourceLocation

__all__ = [
    "STDOUT",
    "for_terminal",
    "output_file",
    "private_folder",
    "process_alive",
    "refuse_inputs",
    "remove_orphans",
    "remove_stale_temporaries",
    "write_output",
]

#: The ``--out`` value that means standard output.
STDOUT = "-"


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_orphans(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove the entries of ``folder`` named by ``pattern`` (its first group a process id) whose process is
    gone: files, or folders with what they hold. Nothing of a live process, nor of this one, is touched."""
    removed = []
    try:
        entries = [(entry, pattern.fullmatch(entry.name)) for entry in os.scandir(folder)]
    except OSError:
        return removed
    for entry, match in entries:
        if match is None or entry.is_symlink():
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or process_alive(pid):
            continue
        if entry.is_dir():
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
        removed.append(Path(entry.path))
    return removed


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files of earlier writes to ``target`` whose process is gone; return them.

    Only names of this module's own pattern (``.NAME.kg-PID-RANDOM.tmp``) are considered.
    """
    return remove_orphans(target.parent, re.compile(rf"\.{re.escape(target.name)}\.kg-(\d+)-[A-Za-z0-9_]+\.tmp"))


def private_folder(prefix: str) -> Path:
    """A new folder for this process's work files, ``PREFIX-PID-RANDOM`` in the system's temporary folder.

    Folders of the same prefix left by processes that are gone (killed mid-way) are removed first; the
    caller removes its own when done.
    """
    root = Path(tempfile.gettempdir())
    remove_orphans(root, re.compile(rf"{re.escape(prefix)}-(\d+)-[A-Za-z0-9_]+"))
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=root))


def _failure(error: OSError, path: Path) -> InputError:
    reason = {
        errno.ENOSPC: "no space left on the device; nothing was replaced",
        errno.EACCES: "permission denied: cannot write here",
        errno.EPERM: "permission denied: cannot write here",
        errno.EROFS: "read-only file system",
        errno.ENOENT: "cannot create a file in this folder",
    }.get(error.errno, error.strerror or str(error))
    return InputError(reason, SourceLocation(str(path)))


class Terminated(KeyboardInterrupt):
    """SIGTERM received while an output file was being written: raised there, so that the temporary file is
    removed, and handled as Ctrl-C is."""


@contextlib.contextmanager
def _terminate_as_interrupt():
    """While a temporary file exists, SIGTERM raises :class:`Terminated` instead of ending the process at
    once (the temporary file is then removed). Elsewhere SIGTERM keeps its default, immediate effect: a
    handler written in Python would wait for long native work (a parser) to return."""
    import signal

    previous = None
    with contextlib.suppress(ValueError):  # only the main thread may set handlers

        def terminated(_number, _frame):
            raise Terminated

        previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def for_terminal(data: bytes) -> bytes:
    r"""``data`` as a terminal may be shown it: every character a terminal would act on (escape sequences,
    bidirectional overrides, a carriage return that is not part of a line end) written as its escape
    (:func:`kg.model.text.terminal_safe`). Files and pipes get the data as it is, byte for byte.

    >>> for_terminal("a\x1b[2Jb\r\nc\rd".encode())
    b'a\\x1b[2Jb\r\nc\\rd'
    """
    from kg.model.text import terminal_safe

    text = data.decode("utf-8", "backslashreplace")
    return "\r\n".join(terminal_safe(part) for part in text.split("\r\n")).encode("utf-8")  # CSV's line ends


def _write_stream(path: Path, data: bytes) -> None:
    """Write into something that is not a regular file (a device, a pipe): as it is, never replaced (a
    terminal gets :func:`for_terminal`)."""
    try:
        with open(path, "wb", buffering=0) as stream:
            if os.isatty(stream.fileno()):
                data = for_terminal(data)
            view = memoryview(data)
            while view:
                view = view[stream.write(view) :]
    except OSError as error:
        raise _failure(error, path) from None


def _write_stdout(data: bytes) -> None:
    if sys.stdout.isatty():
        data = for_terminal(data)
    stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if stream is None:  # a text-only stream (as in tests capturing output)
        sys.stdout.write(data.decode("utf-8"))
    else:
        stream.write(data)
    sys.stdout.flush()


def refuse_inputs(path: str | Path, inputs: Iterable[str | Path]) -> None:
    """Raise :class:`~kg.errors.InputError` naming ``path`` when it is one of ``inputs``: the same file (by
    device and inode: another name, a hard link or a symbolic link to it count), or a file anywhere in an
    input folder (give a data folder as the files read from it where the folder holds other files too).
    Call it before the work, so that nothing is done for an output that will be refused.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "entities.csv").write_text("id,name,kind\\n")
    13
    >>> refuse_inputs(folder / "out.ttl", [folder])  # a new file: nothing to overwrite
    >>> refuse_inputs(folder / "entities.csv", [folder])
    Traceback (most recent call last):
    ...
    kg.errors.InputError: .../entities.csv: is one of this command's inputs; not replaced
    """
    if str(path) == STDOUT:
        return
    try:
        target = os.stat(path)
    except OSError:
        return  # nothing there yet (or not reachable: write_output says why)
    if not stat.S_ISREG(target.st_mode):
        return  # a device or pipe is written into, never replaced
    key = (target.st_dev, target.st_ino)
    for given in inputs:
        if str(given) == STDOUT:
            continue
        try:
            info = os.stat(given)
        except OSError:
            continue
        found = _in_folder(Path(given), key) if stat.S_ISDIR(info.st_mode) else (info.st_dev, info.st_ino) == key
        if found:
            raise InputError("is one of this command's inputs; not replaced", SourceLocation(str(path)))


def _in_folder(folder: Path, key: tuple[int, int]) -> bool:
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                info = os.stat(os.path.join(root, name))
                if (info.st_dev, info.st_ino) == key:
                    return True
    return False


def write_output(path: str | Path, data: bytes, *, inputs: Iterable[str | Path] = ()) -> Path:
    """Write ``data`` to ``path`` as the module docstring says; return the path written (``-``: stdout).

    Raises :class:`~kg.errors.InputError` naming the path when it cannot or must not be written (``inputs``:
    the files and folders the output was made from, which it must not replace); the file that was there
    is then left as it was.
    """
    with output_file(path, inputs=inputs) as stream:
        stream.write(data)
    return Path(STDOUT) if str(path) == STDOUT else Path(path)


@contextlib.contextmanager
def output_file(path: str | Path, *, inputs: Iterable[str | Path] = ()) -> Iterator[BinaryIO]:
    """:func:`write_output` for data written as it is made (too big to hold): a binary stream to write
    into, which becomes ``path`` when the block ends, whole, or not at all when it raises.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "rows.csv"
    >>> with output_file(target) as stream:
    ...     _ = stream.write(b"id\\n")
    ...     target.exists()
    False
    >>> target.read_bytes()
    b'id\\n'
    """
    if str(path) == STDOUT:
        buffer = io.BytesIO()
        yield buffer
        _write_stdout(buffer.getvalue())
        return
    refuse_inputs(path, inputs)
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _failure(error, given) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder, not a file", SourceLocation(str(given)))
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode) or stat.S_ISBLK(info.st_mode):
            buffer = io.BytesIO()
            yield buffer
            _write_stream(target, buffer.getvalue())
            return
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is neither a regular file nor a device or pipe", SourceLocation(str(given)))
        if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise InputError("is read-only; not replaced", SourceLocation(str(given)))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("output folder does not exist", SourceLocation(str(folder)))
    remove_stale_temporaries(target)
    with _terminate_as_interrupt():
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.kg-{os.getpid()}-", suffix=".tmp", dir=folder)
        except OSError as error:
            raise _failure(error, given) from None
        try:
            with os.fdopen(handle, "wb") as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, info.st_mode & 0o7777 if info is not None else 0o666 & ~_umask())
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise _failure(error, given) from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
