"""Crash safety: real `kg` processes killed (SIGKILL, SIGTERM) at moments spread over their run leave every
output either as it was or complete, and the next run removes what the killed one left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))
OLD = b"# the previous output\n"
KILLS = 5  # per command and signal


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "3000", str(folder / "data")],
        check=True,
        capture_output=True,
    )
    return folder


def _environment(work: Path) -> dict:
    temporary = work / "tmp"
    temporary.mkdir(exist_ok=True)
    return {**os.environ, "KG_CACHE": str(work / "cache"), "TMPDIR": str(temporary)}


COMMANDS = {
    "export": ["export", "{data}", "--out", "{out}"],
    "import": ["import", "{data}", "--out", "{out}"],
    "render": ["render", "--data", "{data}", "--out", "{out}", "--quiet"],
}


def _command(name: str, work: Path, out: Path) -> list[str]:
    return [KG, *(arg.format(data=work / "data", out=out) for arg in COMMANDS[name])]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.suffix == ".tmp")


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("number", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_writes_leave_the_old_output_or_the_new_one(name, number, work, tmp_path):
    environment = _environment(work)
    reference = tmp_path / f"reference-{name}"
    subprocess.run(_command(name, work, reference), env=environment, check=True, capture_output=True)
    started = time.monotonic()  # timed again with the store built, as the killed runs will find it
    subprocess.run(_command(name, work, reference), env=environment, check=True, capture_output=True)
    duration = time.monotonic() - started
    complete = reference.read_bytes()
    out = tmp_path / f"out-{name}"
    outcomes = []
    for kill in range(KILLS):
        out.write_bytes(OLD)
        process = subprocess.Popen(
            _command(name, work, out), env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(duration * (kill + 0.5) / KILLS)
        process.send_signal(number)
        _, error = process.communicate(timeout=120)
        content = out.read_bytes()
        assert content in (OLD, complete), f"kill {kill}: a partial output of {len(content)} bytes"
        outcomes.append("old" if content == OLD else "new")
        if number == signal.SIGTERM:
            # Stopped while writing, a command removes its temporary file and says so (130); at any other
            # moment SIGTERM ends it at once; one that had finished exits 0.
            assert process.returncode in (0, 130, -signal.SIGTERM), (process.returncode, error[-500:])
            if process.returncode == 130:
                assert b"stopped" in error and b"Traceback" not in error
                assert not _leftovers(out)
        else:
            assert process.returncode in (0, -signal.SIGKILL)
    assert "old" in outcomes, outcomes  # the kills did land before the end
    # The next run completes and removes the temporary files and work folders the killed runs left.
    subprocess.run(_command(name, work, out), env=environment, check=True, capture_output=True)
    assert out.read_bytes() == complete
    assert not _leftovers(out)
    stale = [p.name for p in (work / "tmp").iterdir() if p.name.startswith(("pdkg-import-", "pdkg-store-"))]
    assert not stale, stale


def test_a_killed_store_build_leaves_the_previous_store(work, tmp_path):
    environment = _environment(work)
    store = tmp_path / "store"
    mini = ROOT / "tests" / "data" / "mini"
    subprocess.run([KG, "load", str(mini), "--store", str(store)], env=environment, check=True, capture_output=True)
    started = time.monotonic()
    check = subprocess.run(
        [KG, "load", str(work / "data"), "--store", str(tmp_path / "timed")], env=environment, capture_output=True
    )
    assert check.returncode == 0
    duration = time.monotonic() - started
    for kill in range(KILLS):
        process = subprocess.Popen(
            [KG, "load", str(work / "data"), "--store", str(store)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * (kill + 0.5) / KILLS)
        process.kill()
        process.wait(timeout=60)
        stats = subprocess.run([KG, "stats", "--store", str(store), "--json"], env=environment, capture_output=True)
        assert stats.returncode == 0, stats.stderr
        assert b'"dependencies"' in stats.stdout
        if (store / "current" / "meta.json").is_file():
            break  # the new store went in whole: later kills would only replay this
    subprocess.run([KG, "load", str(work / "data"), "--store", str(store)], env=environment, check=True)
    assert not [p.name for p in store.iterdir() if p.name.startswith(".build-")]


def _small_files():
    """A file size limit of 20 KB for the child: its writes past it fail as on a full disk (EFBIG)."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_full_disk_leaves_the_old_output_and_no_temporary_file(name, work, tmp_path):
    environment = _environment(work)
    out = tmp_path / f"out-{name}"
    subprocess.run(_command(name, work, tmp_path / "first"), env=environment, check=True, capture_output=True)
    out.write_bytes(OLD)
    result = subprocess.run(
        _command(name, work, out), env=environment, capture_output=True, text=True, preexec_fn=_small_files
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.count("\n") == 1 and "File too large" in result.stderr, result.stderr
    assert out.read_bytes() == OLD
    assert not _leftovers(out)
    assert not [p.name for p in (work / "tmp").iterdir() if p.name.startswith("pdkg-import-")]


def test_a_full_disk_while_building_a_store_leaves_no_half_store(tmp_path):
    environment = {**os.environ, "KG_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [KG, "stats", str(ROOT / "tests" / "data" / "mini")],
        env=environment,
        capture_output=True,
        text=True,
        preexec_fn=_small_files,
    )
    assert result.returncode == 2 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    stores = tmp_path / "cache" / "stores"
    assert not (list(stores.iterdir()) if stores.exists() else [])
    again = subprocess.run([KG, "stats", str(ROOT / "tests" / "data" / "mini")], env=environment, capture_output=True)
    assert again.returncode == 0


@pytest.fixture
def full_disk(tmp_path):
    """A real file system of 256 KB (tmpfs; mounting needs root, as CI has), unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        message = f"cannot mount a small file system here: {mounted.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_real_full_file_system_leaves_the_old_output(name, work, full_disk):
    """The output goes to a file system that fills up while the new output is written (ENOSPC): one line
    naming the path, exit 2, the old output as it was and no temporary file."""
    environment = _environment(work)
    subprocess.run(_command(name, work, work / f"first-{name}"), env=environment, check=True, capture_output=True)
    assert (work / f"first-{name}").stat().st_size > 300_000  # more than the file system holds
    out = full_disk / f"out-{name}"
    out.write_bytes(OLD)
    result = subprocess.run(_command(name, work, out), env=environment, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr == f"Error: {out}: no space left on the device; nothing was replaced\n"
    assert out.read_bytes() == OLD
    assert not _leftovers(out)


def test_a_store_built_on_a_full_file_system_is_not_left_half_built(full_disk, work):
    environment = {**os.environ, "KG_CACHE": str(full_disk / "cache")}
    result = subprocess.run([KG, "stats", str(work / "data")], env=environment, capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "No space left on device" in result.stderr or "no space left" in result.stderr, result.stderr
    stores = full_disk / "cache" / "stores"
    assert not (list(stores.iterdir()) if stores.exists() else [])
