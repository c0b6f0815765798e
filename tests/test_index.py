"""Writing the index: updates, rebuilds with an atomic switch, and what a failure leaves behind."""

import gc
import os
import re
import shutil
import signal
import sys
import weakref
from datetime import date

import pytest
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from search.article import Article
from search.index import EmptyRebuild, IndexBusy, IndexStore, SearchIndex, rebuild_index, update_index
from search.index import writer
from search.index.writer import known_fingerprints
from search.query import SearchRequest


def article(n: int, **fields) -> Article:
    values = dict(id=f"id{n}", title=f"Story {n}", text=f"Body of story number {n} about harbours.",
                  origin=f"f{n}.html", fingerprint=f"fp{n}", published=date(2020, 1, n))
    values.update(fields)
    return Article(**values)


def test_update_adds_and_replaces_by_id(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert update_index(store, [article(1), article(2)]) == 2
    update_index(store, [article(2, title="Story two, corrected", fingerprint="new")])
    search = SearchIndex(store.root)
    assert search.count() == 2
    assert search.article("id2").title == "Story two, corrected"
    assert known_fingerprints(store) == {"f1.html": "fp1", "f2.html": "new"}


def test_rebuild_switches_atomically_and_removes_what_is_gone(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    before = store.current()
    rebuild_index(store, [article(3)])
    after = store.current()
    assert after != before and os.path.islink(store.pointer)
    assert SearchIndex(store.root).count() == 1
    assert not any(p.name.startswith("building-") for p in store.root.iterdir())


def test_reindex_keeps_serving_old_index_until_swap(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1)])
    reader = SearchIndex(store.root)
    seen_during_build = []

    def articles():
        for n in (5, 6):
            seen_during_build.append(reader.search(SearchRequest()).total)
            yield article(n)

    rebuild_index(store, articles())
    assert seen_during_build == [1, 1]
    assert {h.id for h in reader.search(SearchRequest()).hits} == {"id5", "id6"}


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_a_crash_mid_rebuild_leaves_the_previous_index_serving(tmp_path, error):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    before = store.current()

    def articles():
        yield article(3)
        raise error

    with pytest.raises(type(error)):
        rebuild_index(store, articles())
    assert store.current() == before
    assert SearchIndex(store.root).count() == 2
    assert sorted(p.name for p in store.root.iterdir() if p.is_dir() and not p.is_symlink()) == [before.name]


def test_an_abandoned_build_from_a_killed_run_is_cleaned_up_by_the_next(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1)])
    store.new_generation()  # as a process killed mid-rebuild would leave it
    rebuild_index(store, [article(2)])
    assert [p.name.startswith("gen-") for p in store.root.iterdir() if p.is_dir() and not p.is_symlink()] == [True, True]


def test_an_empty_rebuild_can_be_refused(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1)])
    with pytest.raises(EmptyRebuild):
        rebuild_index(store, [], allow_empty=False)
    assert SearchIndex(store.root).count() == 1


def test_only_one_writer_at_a_time(tmp_path):
    store = IndexStore(tmp_path / "index")
    with store.writing():
        with pytest.raises(IndexBusy, match="another indexing run"):
            update_index(store, [article(1)])


def test_searching_before_any_index_exists_finds_nothing(tmp_path):
    search = SearchIndex(tmp_path / "nothing-here")
    assert search.count() == 0
    result = search.search(SearchRequest(q="anything"))
    assert result.total == 0 and result.hits == []
    assert search.article("id1") is None


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_undated_articles_come_last_in_either_date_order(tmp_path, sort):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2, published=None), article(3)])
    hits = SearchIndex(store.root).search(SearchRequest(sort=sort)).hits
    assert [h.id for h in hits][-1] == "id2"
    assert [h.id for h in hits][:2] == (["id3", "id1"] if sort == "newest" else ["id1", "id3"])


@pytest.mark.parametrize("write", [update_index, rebuild_index])
def test_two_inputs_with_the_same_id_leave_one_article_the_later(tmp_path, write):
    store = IndexStore(tmp_path / "index")
    assert write(store, [article(1), article(1, title="Later copy"), article(2)]) == 2
    search = SearchIndex(store.root)
    assert search.count() == 2 and search.article("id1").title == "Later copy"


def test_snippets_escape_markup_in_the_text(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1, text="Before <script>alert('x')</script> & after the harbour wall.")])
    search = SearchIndex(store.root)
    [matched] = search.search(SearchRequest(q="harbour")).hits
    [listed] = search.search(SearchRequest()).hits
    for snippet in (matched.snippet, listed.snippet):
        assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert "<mark" in matched.snippet and "<mark" not in listed.snippet


def test_an_open_search_index_sees_updates_and_their_facets(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1, places=["Minsk"])])
    search = SearchIndex(store.root)
    assert search.search(SearchRequest(places=("Minsk",))).total == 1
    update_index(store, [article(2, places=["Minsk", "Vilnius"])])
    result = search.search(SearchRequest(places=("Minsk",)))
    assert result.total == 2
    assert {f.value: f.count for f in result.facets["places"]} == {"Minsk": 2, "Vilnius": 1}


COMMITTED = re.compile(r"^(_MAIN_\d+\.toc|MAIN_\w+\.seg|MAIN_\w+\.col_\w+\.(npy|json)|MAIN_\w+\.arr_(data|format\.json)|MAIN_\w+\.copy_tokens\.npy|MAIN_WRITELOCK)$")
"""The files of a committed Whoosh index (compound segments, their table of contents, the lock file)."""


def write_interrupted(write, store: IndexStore, watched, at: int | None, monkeypatch) -> int:
    """``write`` articles 3 to 12, pressing Ctrl-C (SIGINT) at the ``at``-th line run within the
    ``watched`` method (class, name); returns how many lines ran there."""
    lines, inside = 0, False
    owner, name = watched
    method = getattr(owner, name)

    def watched_method(*args, **kwargs):
        nonlocal inside
        inside = True
        try:
            return method(*args, **kwargs)
        finally:
            inside = False

    def trace(frame, event, arg):
        nonlocal lines
        if inside and event == "line":
            lines += 1
            if lines == at:
                signal.raise_signal(signal.SIGINT)
        return trace

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, watched_method)
        # Ctrl-C as a terminal gives it (a shell's background job starts with it ignored), and no
        # garbage collection while counting: a finalizer it runs adds lines to one run and not to
        # the next
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        gc.collect()
        gc.disable()
        sys.settrace(trace)
        try:
            write(store, [article(n) for n in range(3, 13)])
        finally:
            sys.settrace(None)
            gc.enable()
            signal.signal(signal.SIGINT, previous)
    return lines


@pytest.mark.parametrize("write", [update_index, rebuild_index])
def test_a_ctrl_c_that_python_drops_inside_a_finalizer_still_stops_the_run(tmp_path, write):
    store = IndexStore(tmp_path / "ix")
    update_index(store, [article(1)])

    def articles():
        yield article(2)
        held = type("Held", (), {})()
        weakref.finalize(held, signal.raise_signal, signal.SIGINT)  # its KeyboardInterrupt is dropped
        del held
        for n in range(3, 6):
            yield article(n)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            write(store, articles())
    finally:
        signal.signal(signal.SIGINT, previous)
    served = [hit.id for hit in SearchIndex(store.root).export(SearchRequest(collapse=False))]
    assert served == ["id1"]


@pytest.mark.parametrize("write, watched", [(update_index, (SegmentWriter, "commit")),
                                            (rebuild_index, (SegmentWriter, "commit")),
                                            (rebuild_index, (IndexStore, "publish"))])
def test_ctrl_c_anywhere_in_a_commit_or_the_switch_leaves_one_whole_index_and_nothing_else(
        tmp_path, monkeypatch, write, watched):
    base = IndexStore(tmp_path / "base")
    update_index(base, [article(1), article(2)])
    probe = tmp_path / "probe"
    shutil.copytree(base.root, probe, symlinks=True)
    lines = write_interrupted(write, IndexStore(probe), watched, None, monkeypatch)
    old = ["id1", "id2"]
    new = sorted(({"id1", "id2"} if write is update_index else set()) | {f"id{n}" for n in range(3, 13)})
    for at in range(1, lines + 1, max(lines // 30, 1)):  # every line of the switch, thirty of a commit
        store = IndexStore(tmp_path / f"at-{at}")
        shutil.copytree(base.root, store.root, symlinks=True)
        with pytest.raises(KeyboardInterrupt):
            write_interrupted(write, store, watched, at, monkeypatch)
        where = f"Ctrl-C at line {at} of {lines} in {watched[1]}"
        served = [hit.id for hit in SearchIndex(store.root).export(SearchRequest(collapse=False))]
        assert sorted(served) in (old, new), where
        generations = {store.current().name, base.current().name}
        assert {p.name for p in store.root.iterdir()} <= {"current", "write.lock", *generations}, where
        for generation in generations & {p.name for p in store.root.iterdir()}:
            assert all(COMMITTED.match(name) for name in os.listdir(store.root / generation)), where
        update_index(store, [article(20)])  # the next writer is not kept out


def test_an_index_updated_by_many_small_runs_merges_their_segments(tmp_path):
    store = IndexStore(tmp_path / "index")
    for n in range(1, 9):  # Whoosh merges small segments once there are five
        update_index(store, [article(n, text=f"Story number {n} tells of harbour crews and ferry pay talks again.")])
    search = SearchIndex(store.root)
    assert search.count() == 8 and len(store.open()._segments()) < 8
    assert sorted(hit.id for hit in search.export(SearchRequest(q="ferry"))) == sorted(f"id{n}" for n in range(1, 9))


def long_story(n: int) -> Article:
    """An article long enough for a copy signature, telling a story of its own."""
    words = " ".join(f"w{n}x{i}" for i in range(80))
    return Article(id=f"id{n}", title=f"Story {n}", text=f"Story {n} opens here. {words}.", origin=f"f{n}.html",
                   fingerprint=f"fp{n}", published=date(2020, 1, 1 + n % 28))


def test_a_run_into_a_fresh_index_looks_up_neither_its_ids_nor_its_copy_tokens_in_every_segment(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BATCH_SIZE", 15)  # three segments (too few for Whoosh to merge)
    lookups = []
    for name in ("postings", "_find_unique"):
        owner = SegmentReader if name == "postings" else Searcher
        original = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda self, *a, _original=original, _name=name, **k:
                            lookups.append((_name, a[0])) or _original(self, *a, **k))
    store = IndexStore(tmp_path / "index")
    assert rebuild_index(store, [long_story(n) for n in range(1, 46)]) == 45
    assert [call for call in lookups if call[0] == "_find_unique" or call[1] == "copy_bands"] == []
    assert update_index(store, [long_story(3), long_story(50)]) == 2  # an index that holds articles: replaced by id
    assert SearchIndex(store.root).count() == 46 and any(call[0] == "_find_unique" for call in lookups)


def test_a_long_run_never_merges_its_batches_into_ever_larger_segments(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BATCH_SIZE", 10)  # Whoosh's own policy merges seven such into one of 70
    store = IndexStore(tmp_path / "index")
    assert rebuild_index(store, [long_story(n) for n in range(1, 91)]) == 90
    assert sorted(segment.doc_count_all() for segment in store.open()._segments()) == [10] * 9
    assert SearchIndex(store.root).count() == 90
