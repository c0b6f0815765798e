"""The index folder: who holds the write lock, what a killed run leaves and the next removes, and
what a damaged index reads as."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from search.article import Article
from search.index import DamagedIndex, Generation, IndexBusy, IndexStore, SearchIndex, rebuild_index, update_index

from conftest import ROOT


def article(n: int) -> Article:
    return Article(id=f"id{n}", title=f"Story {n}", text=f"Body of story number {n} about harbours.",
                   origin=f"f{n}.html", fingerprint=f"fp{n}", published=date(2020, 1, n))


def test_a_forked_child_holds_neither_the_write_lock_nor_whooshs_writer_lock(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1)])
    release, hold = os.pipe()
    with store.writing():
        writer = store.open().writer(timeout=0)
        child = os.fork()  # as the extraction pool's workers are forked during a run
        if child == 0:
            os.close(hold)
            os.read(release, 1)
            os._exit(0)
        writer.cancel()
    try:
        with store.writing():  # the child lives on, as a killed run's worker would
            store.open().writer(timeout=0).cancel()
    finally:
        os.close(hold)
        os.waitpid(child, 0)
        os.close(release)


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from datetime import date
    from pathlib import Path
    from search.article import Article
    from search.index import IndexStore, rebuild_index, update_index
    from search.index import store as store_module

    def articles():
        for n in range(2, 9):
            yield Article(id=f"id{n}", title=f"Story {n}", text=f"Body of story {n} about ships.",
                          origin=f"f{n}.html", fingerprint=f"fp{n}", published=date(2020, 2, n))
        os.kill(os.getpid(), signal.SIGKILL)  # killed before the commit

    def killed(*args):
        os.kill(os.getpid(), signal.SIGKILL)  # killed between renaming the build and the switch

    store = IndexStore(Path(sys.argv[1]))
    if sys.argv[2] == "switch":
        store_module.os.replace = killed
        rebuild_index(store, [Article(id="id9", title="Nine", text="Nine ships.", origin="f9.html")])
    else:
        (update_index if sys.argv[2] == "index" else rebuild_index)(store, articles())
""")


@pytest.mark.parametrize("killed_in", ["index", "reindex", "switch"])
def test_what_a_killed_run_left_is_removed_by_the_next_and_listed(tmp_path, killed_in):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1)])
    served = store.current()
    run = subprocess.run([sys.executable, "-c", KILLED_RUN, str(store.root), killed_in], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert store.current() == served and SearchIndex(store.root).count() == 1
    before = {p.relative_to(store.root).as_posix() for p in store.root.rglob("*")}

    update_index(store, [article(3)])

    assert store.removed, "a killed run leaves something behind"
    assert set(store.removed) <= before
    left = {p.name for p in store.root.iterdir()}
    assert left == {"current", "write.lock", served.name}
    # a table of contents, segments and their columns (search.index.columns)
    assert {name.split(".")[-1] for name in os.listdir(served)} <= {"toc", "seg", "npy", "json", "arr_data", "MAIN_WRITELOCK"}
    search = SearchIndex(store.root)
    assert search.count() == 2 and search.article("id1").title == "Story 1"


def test_a_run_that_is_stopped_removes_what_its_writer_left(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1)])
    files = sorted(os.listdir(store.current()))

    def articles():
        yield article(2)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        update_index(store, articles())
    assert sorted(os.listdir(store.current())) == files


def test_a_second_writer_in_the_same_process_is_refused(tmp_path):
    store = IndexStore(tmp_path / "index")
    with store.writing():
        with pytest.raises(IndexBusy):
            with IndexStore(tmp_path / "index").writing():
                pass
    with store.writing():  # released
        pass


def damage_without_table_of_contents(store):
    for toc in store.current().glob("_MAIN_*.toc"):
        toc.unlink()


def damage_by_cutting_the_table_of_contents(store):
    toc = next(store.current().glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])


def damage_with_garbage_segment(store):
    segment = next(store.current().glob("*.seg"))
    segment.write_bytes(b"\x00garbage" * 1000)


def damage_by_removing_the_generation(store):
    shutil.rmtree(store.current())


def damage_by_replacing_the_link(store):
    store.pointer.unlink()
    store.pointer.write_text("not a link")


@pytest.mark.parametrize("damage", [damage_without_table_of_contents, damage_by_cutting_the_table_of_contents,
                                    damage_with_garbage_segment, damage_by_removing_the_generation,
                                    damage_by_replacing_the_link])
def test_a_damaged_index_is_reported_as_such_and_a_rebuild_mends_it(tmp_path, damage):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    damage(store)
    with pytest.raises(DamagedIndex, match="damaged .*: rebuild it with 'news-search reindex PATH --index .+'"):
        SearchIndex(store.root).count()
    with pytest.raises(DamagedIndex):
        update_index(store, [article(3)])
    rebuild_index(store, [article(3)])
    assert SearchIndex(store.root).count() == 1


def _mapped_files() -> set[str]:
    with open("/proc/self/maps") as maps:
        return {line.split(maxsplit=5)[-1].strip() for line in maps if len(line.split()) > 5}


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps (Linux)")
def test_the_writer_reads_the_index_without_memory_maps(tmp_path):
    # A map's touched pages count in the process's memory while it is open: the writer's look-ups
    # into every segment made it grow with the archive (1.5 GB at a million articles)
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(n) for n in range(1, 4)])
    segment_files = {str(p) for p in store.current().glob("*.seg")}
    for mapped in (True, False):
        with store.open(mapped=mapped).reader() as reader:
            assert sorted(reader.lexicon("title"))
            assert bool(segment_files & _mapped_files()) is mapped


def test_a_folder_holds_an_index_once_a_run_has_written_one_there(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("not an index")
    for name in ("missing", "empty", "other"):
        store = IndexStore(tmp_path / name)
        assert not store.exists() and store.generation() is None
    assert not (tmp_path / "missing").exists()
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    name = store.current().name
    assert store.exists() and store.generation() == Generation(name, 2)
    damage_by_removing_the_generation(store)
    assert store.exists() and store.generation() == Generation(name, None)
