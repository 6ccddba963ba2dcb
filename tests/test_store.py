"""The persistent store: built once, reused while the files are unchanged, rebuilt when they change, and
never used half-built, whatever happens to a build (a killed process, a bad file)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.io.loading import load
from kg.model.facts import read_facts
from kg.model.resources import BUNDLED_CSV, BUNDLED_DATASET
from kg.store.dataset import open_dataset
from kg.store.tables import Tables

KG = str(Path(sys.executable).with_name("kg"))
MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE", str(folder))
    return folder


def write_dataset(folder: Path, sites: int) -> Path:
    """A CSV dataset of ``sites`` websites with hosting and DNS from a few providers."""
    folder.mkdir(parents=True, exist_ok=True)
    providers = [f"p{i}" for i in range(20)]
    with (folder / "entities.csv").open("w") as handle:
        handle.write("id,name,kind\n")
        handle.writelines(f"{p},Provider {p},provider\n" for p in providers)
        handle.writelines(f"s{i},site {i},website\n" for i in range(sites))
    with (folder / "dependencies.csv").open("w") as handle:
        handle.write("id,dependent,provider,service\n")
        for i in range(sites):
            handle.write(f"s{i}-hosting,s{i},{providers[i % 20]},hosting\n")
            handle.write(f"s{i}-dns,s{i},{providers[(i * 7) % 20]},dns\n")
    return folder


def test_a_store_is_built_once_and_reused_while_files_are_unchanged(cache):
    first = open_dataset([MINI])
    again = open_dataset([MINI])
    assert first.built and not again.built
    assert again.folder == first.folder and first.folder.parent == cache / "stores"
    assert again.facts == first.facts


@pytest.mark.slow
def test_a_changed_file_gives_a_new_store_with_the_change(cache, tmp_path):
    folder = write_dataset(tmp_path / "data", 10)
    before = open_dataset([folder])
    with (folder / "dependencies.csv").open("a") as handle:
        handle.write("s0-cdn,s0,p3,cdn\n")
    after = open_dataset([folder])
    assert after.built and after.folder != before.folder
    assert "s0-cdn" in after.facts.dependencies and "s0-cdn" not in before.facts.dependencies
    # Same size, same time stamp, different content: the content decides, not the stamp.
    text = (folder / "entities.csv").read_text()
    stamp = (folder / "entities.csv").stat()
    (folder / "entities.csv").write_text(text.replace("site 1,", "site X,"))
    os.utime(folder / "entities.csv", ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1))
    renamed = open_dataset([folder])
    assert renamed.built and renamed.facts.entities["s1"].name == "site X"


@pytest.mark.slow
def test_the_store_holds_the_same_records_as_rdflib_reads(cache):
    for paths in ([], [BUNDLED_CSV], [BUNDLED_DATASET], [MINI]):
        dataset = open_dataset(paths)
        assert dataset.facts == read_facts(load(paths, ontology=False)), paths


@pytest.mark.slow
def test_tables_survive_saving_and_loading(cache, tmp_path):
    tables = open_dataset([BUNDLED_CSV]).tables
    tables.save(tmp_path)
    assert Tables.load(tmp_path).to_facts() == tables.to_facts()


def test_a_bad_file_builds_nothing(cache, tmp_path):
    folder = write_dataset(tmp_path / "data", 5)
    with (folder / "dependencies.csv").open("a") as handle:
        handle.write("bad,s0,nobody,hosting\n")
    with pytest.raises(InputError, match=r"dependencies.csv:\d+: unknown entity 'nobody'"):
        open_dataset([folder])
    stores = cache / "stores"
    assert not [p for p in stores.iterdir() if p.is_dir()] if stores.exists() else True


def test_explicit_store_folder_and_environment_variable(tmp_path, invoke, monkeypatch):
    store = tmp_path / "store"
    result = invoke("load", MINI, "--store", store)
    assert result.exit_code == 0, result.output
    assert "built in" in result.output
    assert "unchanged, reused" in invoke("load", MINI, "--store", store).output
    ranked = invoke("rank", "--store", store, "--as-of", "2021-01-07", "--json")
    assert ranked.exit_code == 0, ranked.output
    direct = invoke("rank", "-d", MINI, "--as-of", "2021-01-07", "--json")
    assert json.loads(ranked.output) == json.loads(direct.output)
    monkeypatch.setenv("KG_STORE", str(store))
    assert json.loads(invoke("rank", "--as-of", "2021-01-07", "--json").output) == json.loads(direct.output)


def test_an_empty_store_folder_is_a_clear_usage_error(tmp_path, invoke):
    result = invoke("rank", "--store", tmp_path / "nothing")
    assert result.exit_code == 2
    assert "holds no loaded dataset" in result.output and result.output.count("\n") == 1


def _kill_during_build(command: list[str], watch: Path, env: dict) -> None:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if watch.exists() and any(p.name.startswith(".build-") for p in watch.iterdir()):
            time.sleep(0.3)  # well inside the build: the store is being written
            break
        time.sleep(0.01)
    assert process.poll() is None, "the build finished before it could be killed; make the input bigger"
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.slow
def test_a_killed_build_is_never_used_and_the_next_one_succeeds(tmp_path):
    data = write_dataset(tmp_path / "data", 60_000)
    cache = tmp_path / "cache"
    env = {**os.environ, "KG_CACHE": str(cache)}
    _kill_during_build([KG, "load", str(data), "--quiet"], cache / "stores", env)
    stores = cache / "stores"
    assert not [p for p in stores.iterdir() if not p.name.startswith(".")], "a half-built store was published"
    rerun = subprocess.run([KG, "load", str(data), "--quiet"], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "built in" in rerun.stdout
    assert not [p for p in stores.iterdir() if p.name.startswith(".build-")], "the killed build was not cleaned"


@pytest.mark.slow
def test_a_killed_reload_keeps_the_previous_store(tmp_path):
    store = tmp_path / "store"
    small, big = write_dataset(tmp_path / "small", 10), write_dataset(tmp_path / "big", 60_000)
    env = {**os.environ, "KG_CACHE": str(tmp_path / "cache")}
    subprocess.run([KG, "load", str(small), "--store", str(store), "--quiet"], env=env, check=True)
    _kill_during_build([KG, "load", str(big), "--store", str(store), "--quiet"], store, env)
    stats = subprocess.run([KG, "rank", "--store", str(store), "--json"], env=env, capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    direct = subprocess.run([KG, "rank", "-d", str(small), "--json"], env=env, capture_output=True, text=True)
    assert json.loads(stats.stdout) == json.loads(direct.stdout)
    shutil.rmtree(store)


@pytest.mark.slow
def test_rdflib_graphs_of_the_store_on_either_backend(cache):
    dataset = open_dataset([BUNDLED_CSV])
    memory, oxigraph = dataset.graph(), dataset.graph(backend="oxigraph")
    assert len(memory) == len(oxigraph) > 3000
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?d <https://w3id.org/pdkg/ontology#provider> ?p }"
    count = len(open_dataset([BUNDLED_CSV]).facts.dependencies)
    assert [int(row[0]) for row in memory.query(query)] == [int(row[0]) for row in oxigraph.query(query)] == [count]


@pytest.mark.slow
def test_small_stores_keep_their_facts_as_json(cache):
    dataset = open_dataset([BUNDLED_CSV])
    assert dataset.small and (dataset.folder / "facts.json").is_file()
    assert dataset.facts == dataset.tables.to_facts() == read_facts(load([BUNDLED_CSV], ontology=False))


@pytest.mark.parametrize(
    "args",
    [
        ("impact", "--as-of", "2021-01-07", "--remove", "aws", "--json"),
        ("impact", "--as-of", "2021-01-07", "--recorded-until", "2021-01-12", "--json"),
        ("impact", "--as-of", "2021-01-07", "--owner", "Alphabet", "--cut", "parler:aws", "--json"),
        ("spof", "parler", "--as-of", "2021-01-07", "--json"),
        ("cutsets", "parler", "--as-of", "2021-01-12", "--json"),
    ],
)
def test_the_array_path_for_big_data_answers_as_the_small_data_path(invoke, monkeypatch, args):
    from kg.store.dataset import Dataset

    whole = invoke(*args)
    monkeypatch.setattr(Dataset, "small", property(lambda self: False))
    focused = invoke(*args)
    assert whole.exit_code == focused.exit_code == 0, focused.output
    assert json.loads(focused.output) == json.loads(whole.output)


@pytest.mark.parametrize("data", ["bundled", "model"])
def test_the_records_about_one_entity_give_the_profile_every_record_gives(data):
    """Big stores answer kg show from a column scan (Tables.facts_about): the same profile, shown the same,
    for every entity, as from every record; owners, events, observations and outages included."""
    from kg.model.profile import entity_profile
    from kg.views.text import format_profile

    from .test_model_features import MODEL

    dataset = open_dataset([BUNDLED_CSV] if data == "bundled" else [MODEL])
    facts, tables = dataset.facts, dataset.tables
    assert facts.entities
    for identifier in facts.entities:
        whole, scanned = entity_profile(facts, identifier), entity_profile(tables.facts_about(identifier), identifier)
        fields = ("entity", "owners", "depends_on", "provides", "events", "observations", "timeline")
        assert [getattr(scanned, f) for f in fields] == [getattr(whole, f) for f in fields], identifier
        assert format_profile(scanned) == format_profile(whole), identifier


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("spof", "parler", "--as-of", "2021-01-07"),
        ("cutsets", "parler", "--as-of", "2021-01-07"),
        ("impact", "--remove", "aws", "--as-of", "2021-01-07"),
        ("show", "parler"),
    ],
)
def test_commands_on_small_data_start_without_numpy(args):
    """Small stores keep their facts as JSON so that these commands, on a store already built, never import
    numpy (about 0.1 s)."""
    assert subprocess.run([KG, "load", "-q"], capture_output=True, timeout=120).returncode == 0
    program = (
        "import sys\n"
        "from kg.cli import main\n"
        f"sys.argv = ['kg', *{list(args)!r}]\n"
        "try:\n"
        "    main(standalone_mode=False)\n"
        "finally:\n"
        "    print('numpy' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "False"


def test_the_records_about_one_entity_follow_its_owners_past_one_that_supplies_it():
    """An owner that is also a provider of the entity must not stop the ownership chain there."""
    from kg.model.profile import entity_profile
    from kg.store.tablebuilder import tables_from_facts

    from .builders import facts_of

    facts = facts_of(("site", "hostco", "hosting"), owners={"site": "hostco", "hostco": "parent"})
    scanned = entity_profile(tables_from_facts(facts).facts_about("site"), "site")
    assert [owner.identifier for owner in scanned.owners] == ["hostco", "parent"]
    assert scanned.owners == entity_profile(facts, "site").owners


def _damage(path: Path, how: str) -> None:
    if how == "emptied":
        path.write_bytes(b"")
    elif how == "garbled":  # the same size, other bytes: found when the file is read
        path.write_bytes(b"#" * path.stat().st_size)
    elif how == "removed":
        shutil.rmtree(path) if path.is_dir() else path.unlink()


DAMAGES = [
    ("meta.json", "emptied"),
    ("meta.json", "garbled"),
    ("facts.json", "emptied"),
    ("facts.json", "garbled"),
    ("records.json", "emptied"),
    ("records.json", "garbled"),
    ("tables.npz", "emptied"),
    ("tables.npz", "garbled"),
    ("oxigraph", "removed"),
]


def _command(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "how"), DAMAGES, ids=["-".join(d) for d in DAMAGES])
def test_a_damaged_cached_store_is_rebuilt(tmp_path, name, how):
    """Issue 20.7: an emptied facts.json in the cache gave exit 3 ("internal error") on every later command
    over those files, and was never rebuilt. A cached store that fails its checks is built again from the
    inputs; one whose damage shows only as it is read (a garbled file of the right size) is removed with
    one line, and the next run builds it again."""
    env = {"KG_CACHE": str(tmp_path / "cache")}
    question = ("spof", "parler", "--as-of", "2021-01-07", "-q")
    if name in ("records.json", "tables.npz"):  # the column tables: kg rank reads them on any data
        question = ("rank", "--as-of", "2021-01-07", "--json", "-q")
    if name == "oxigraph":
        question = ("query", "cut-offs", "-q")
    expected = _command(*question, env=env)
    assert expected.returncode == 0, expected.stderr
    (store,) = (tmp_path / "cache" / "stores").iterdir()
    _damage(store / name, how)
    first = _command(*question, env=env)
    assert first.returncode == (2 if how == "garbled" and name != "meta.json" else 0), first.stderr
    if first.returncode == 2:
        assert first.stderr.startswith(f"Error: {store}: the cached store was damaged ("), first.stderr
        assert name in first.stderr
        assert "and is removed: run the command again to rebuild it" in first.stderr
        assert first.stderr.count("\n") == 1
        assert not store.exists()
    again = _command(*question, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == expected.stdout
    if first.returncode == 0:  # found when opened: rebuilt at once
        assert first.stdout == expected.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("name", "how"), DAMAGES, ids=["-".join(d) for d in DAMAGES])
def test_a_damaged_explicit_store_is_refused_saying_what_to_do(tmp_path, name, how):
    """An explicit --store without files has nothing to rebuild from: one line, exit 2; loaded again, it
    answers."""
    folder = tmp_path / "store"
    loaded = _command("load", str(BUNDLED_DATASET), "--store", str(folder), "-q", env={})
    assert loaded.returncode == 0, loaded.stderr
    store = (folder / "current").resolve()
    question = ("spof", "parler", "--as-of", "2021-01-07", "--store", str(folder), "-q")
    if name in ("records.json", "tables.npz"):
        question = ("rank", "--as-of", "2021-01-07", "--json", "--store", str(folder), "-q")
    if name == "oxigraph":
        question = ("query", "cut-offs", "--store", str(folder), "-q")
    expected = _command(*question, env={})
    _damage(store / name, how)
    refused = _command(*question, env={})
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith(f"Error: {store}: the store is damaged: "), refused.stderr
    assert refused.stderr.endswith("; load it again (kg load FILES --store FOLDER) or remove it\n")
    assert refused.stderr.count("\n") == 1
    again = _command("load", str(BUNDLED_DATASET), "--store", str(folder), "-q", env={})
    assert again.returncode == 0, again.stderr
    assert _command(*question, env={}).stdout == expected.stdout


@pytest.mark.slow
def test_a_store_of_another_version_is_refused(tmp_path):
    folder = tmp_path / "store"
    assert _command("load", str(BUNDLED_DATASET), "--store", str(folder), "-q", env={}).returncode == 0
    meta = (folder / "current" / "meta.json").resolve()
    record = json.loads(meta.read_text())
    record["format"] = "pdkg-store-1"
    meta.write_text(json.dumps(record))
    refused = _command("stats", "--store", str(folder), env={})
    assert refused.returncode == 2
    assert "the store is damaged: made by another version of kg ('pdkg-store-1')" in refused.stderr


@pytest.mark.slow
def test_a_second_load_into_a_store_being_loaded_is_refused(tmp_path):
    """Issue 20.10: two concurrent kg load into one store both reported success and the last won."""
    import fcntl

    big = write_dataset(tmp_path / "big", 20_000)
    folder = tmp_path / "store"
    first = subprocess.Popen([KG, "load", str(big), "--store", str(folder), "-q"], stdout=subprocess.PIPE, text=True)
    try:
        held = False
        while first.poll() is None and not held:  # wait until the first load holds the store's lock
            try:
                handle = os.open(folder / ".lock", os.O_RDWR)
            except FileNotFoundError:
                time.sleep(0.01)
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
            except BlockingIOError:
                held = True
            finally:
                os.close(handle)
        assert held, "the first load ended before its lock was seen"
        second = subprocess.run(
            [KG, "load", str(BUNDLED_DATASET), "--store", str(folder), "-q"], capture_output=True, text=True, timeout=60
        )
        assert first.poll() is None, "the first load ended while the second ran: the test proves nothing"
    finally:
        assert first.wait(timeout=300) == 0
    assert second.returncode == 2
    assert second.stderr == (
        f"Error: {folder}: another kg process is loading data into this store; run this again once it is done\n"
    )
    # The store holds the first load's data, whole; and once it is done, a load goes through.
    stats = subprocess.run([KG, "stats", "--json", "--store", str(folder)], capture_output=True, text=True)
    assert json.loads(stats.stdout)["entities"] == 20_020, stats.stderr
    again = subprocess.run([KG, "load", str(BUNDLED_DATASET), "--store", str(folder), "-q"], capture_output=True)
    assert again.returncode == 0
