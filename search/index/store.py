"""Where the index lives on disk: generations of a Whoosh index and a ``current`` pointer.

Layout of the index folder::

    current -> gen-20260101T120000123456-1a2b   (a relative symlink, replaced atomically)
    gen-20260101T120000123456-1a2b/             (a complete Whoosh index)
    building-.../                               (a rebuild in progress; never read)
    write.lock                                  (held by whoever writes)

Readers follow ``current``; ``reindex`` builds a new generation beside it and swaps the link, so
a crash or Ctrl-C mid-way leaves the old generation serving. What a killed run leaves behind is
removed by the next run, which alone can tell that no one is using it (it holds the write lock).
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from whoosh.index import TOC

from search.interruptions import uninterrupted
from search.index.locking import ProcessLock, ProcessLockedStorage
from search.index.mapped import MappedStorage
from search.index.schema import build_schema

CURRENT = "current"
INDEX_NAME = "MAIN"
"""Whoosh's name for the index in a folder (its files are ``_MAIN_<n>.toc`` and ``MAIN_<segment>.*``)."""
WHOOSH_TEMPORARY = re.compile(rf"^(_{INDEX_NAME}_\d+\.toc\..+|{INDEX_NAME}\.tmp)$")
"""A table of contents being written, and a writer's scratch folder."""


class IndexBusy(Exception):
    """Another process is writing to the index."""


class DamagedIndex(Exception):
    """The index cannot be read (a table of contents missing or cut short, garbled files, a
    ``current`` pointing nowhere): only a rebuild mends it."""

    def __init__(self, root: Path, problem: str):
        super().__init__(f"the index in {root} is damaged ({problem}): rebuild it with "
                         f"'news-search reindex PATH --index {shlex.quote(str(root))}'")


@dataclass(frozen=True)
class Generation:
    """A generation of the index as a report names it."""

    name: str
    articles: int | None
    """None when its table of contents cannot be read (a damaged index)."""


class IndexStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.removed: list[str] = []
        """What the last ``writing()`` removed that a killed run had left behind (paths in the index folder)."""

    @property
    def pointer(self) -> Path:
        return self.root / CURRENT

    def exists(self) -> bool:
        """Whether the folder holds an index (a ``current`` entry, even one that is damaged): not
        when it is missing, empty or some other folder."""
        return os.path.lexists(self.pointer)

    def generation(self) -> Generation | None:
        """The current generation's name and number of articles; None when there is no index. A
        damaged one is named without a number rather than raising."""
        try:
            target = os.readlink(self.pointer)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            return Generation(CURRENT, None)
        try:
            articles = self.article_count()
        except DamagedIndex:
            articles = None
        return Generation(Path(target).name, articles)

    def current(self, *, dangling_ok: bool = False) -> Path | None:
        """The generation being served, or None when there is no index yet. Raises DamagedIndex when
        ``current`` points nowhere, unless ``dangling_ok`` (then that too is None)."""
        try:
            target = os.readlink(self.pointer)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            if dangling_ok:
                return None
            raise DamagedIndex(self.root, f"'{CURRENT}' is not a link to a generation") from None
        path = self.root / target
        if not path.is_dir():
            if dangling_ok:
                return None
            raise DamagedIndex(self.root, f"'{CURRENT}' points to {target}, which is missing")
        return path

    def open(self, path: Path | None = None, mapped: bool = True):
        """The Whoosh index of a generation (the current one by default); raises DamagedIndex when
        its table of contents cannot be read.

        Searches read the files through memory maps (``mapped``). The writer reads them with plain
        reads instead: the pages a map has touched count in the process's memory for as long as the
        reader is open, and a writer's look-ups touch every segment (at 1,000,000 articles, the copy
        look-ups of 300 articles touched 946 MB of the index's pages; read plainly, they cost
        nothing in memory and 1.4 ms a look-up instead of 0.8)."""
        path = path or self.current()
        with self.reading(path):
            storage = MappedStorage(str(path)) if mapped else ProcessLockedStorage(str(path), supports_mmap=False)
            return storage.open_index(INDEX_NAME)

    def article_count(self) -> int:
        """How many articles the current generation holds, from its table of contents alone (no
        segment is opened); 0 when there is no index. Raises DamagedIndex when it cannot be read."""
        current = self.current()
        if current is None:
            return 0
        with self.reading(current):
            return sum(segment.doc_count() for segment in TOC.read(MappedStorage(str(current)), INDEX_NAME).segments)

    @contextmanager
    def reading(self, path: Path) -> Iterator[None]:
        """Reading a generation's files: whatever that fails with is reported as DamagedIndex."""
        try:
            yield
        except DamagedIndex:
            raise
        except Exception as error:  # missing, cut short or garbled: Whoosh raises whatever its reading hits
            raise DamagedIndex(self.root, f"{path.name}: {type(error).__name__}: {error}") from error

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock: one indexing run at a time, and never two against each other.
        What a killed run left behind is removed first and listed in ``removed``; a run that fails
        or is stopped removes what its cancelled writer leaves."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = ProcessLock(self.root / "write.lock")
        if not lock.acquire():
            raise IndexBusy(f"another indexing run is writing to {self.root}")
        try:
            self.removed = self._remove_leftovers()
            yield
        except BaseException:
            self._remove_leftovers()
            raise
        finally:
            lock.release()

    def new_generation(self) -> Path:
        """A new, empty index in a ``building-`` folder, not yet visible to readers. Names sort by
        the time the build began."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.root / f"building-{stamp}-{secrets.token_hex(3)}"
        path.mkdir(parents=True)
        ProcessLockedStorage(str(path)).create_index(build_schema(), INDEX_NAME)
        return path

    def publish(self, building: Path) -> Path:
        """Make a built generation the current one, atomically; returns its final path."""
        final = building.with_name("gen-" + building.name.removeprefix("building-"))
        with uninterrupted():
            building.rename(final)
            temporary = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
            os.symlink(final.name, temporary)
            os.replace(temporary, self.pointer)
        descriptor = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return final

    def ensure_current(self) -> Path:
        """The current generation, creating an empty one when there is none."""
        return self.current() or self.publish(self.new_generation())

    def prune(self, keep_previous: Path | None = None) -> None:
        """Remove abandoned builds and old generations (keeping the current one and ``keep_previous``,
        which a reader may still have open)."""
        keep = {p for p in (self.current(dangling_ok=True), keep_previous) if p}
        for path in self.root.iterdir():
            if path.is_dir() and path.name.startswith(("gen-", "building-")) and path not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def _remove_leftovers(self) -> list[str]:
        """Remove what a killed run left: unfinished rebuilds, a rebuild finished but never switched
        to (newer than the current one), temporary links, and in the current generation Whoosh's
        temporary files and the files of segments no table of contents lists. Only called holding
        the write lock, so none of it belongs to a live run; readers use only what is listed."""
        current = self.current(dangling_ok=True)
        removed = []
        for path in sorted(self.root.iterdir()):
            if path.name.startswith(f".{CURRENT}-") and path.is_symlink():
                path.unlink()
            elif not path.is_dir() or path.is_symlink():
                continue
            elif path.name.startswith("building-") or (
                    path.name.startswith("gen-") and current is not None and path.name > current.name):
                shutil.rmtree(path)
            else:
                continue
            removed.append(path.name)
        if current is not None:
            for name in _uncommitted_files(current):
                target = current / name
                shutil.rmtree(target) if target.is_dir() else target.unlink()
                removed.append(f"{current.name}/{name}")
        return removed


def _uncommitted_files(generation: Path) -> list[str]:
    """Files of a generation that no committed state uses: Whoosh's temporary files, and the files
    of segments that no table of contents lists (a writer killed before its commit). Nothing is
    listed from a generation whose tables of contents cannot be read: that is damage, for a rebuild."""
    storage = ProcessLockedStorage(str(generation))
    names = sorted(storage.list())
    toc_name, segment_name = TOC._pattern(INDEX_NAME), TOC._segment_pattern(INDEX_NAME)
    try:
        used = {segment.segment_id()
                for name in names if (toc := toc_name.match(name))
                for segment in TOC.read(storage, INDEX_NAME, int(toc.group(1))).segments}
    except Exception:  # whatever Whoosh's reading hits: the index is damaged, not ours to tidy
        return []
    return [name for name in names
            if WHOOSH_TEMPORARY.match(name)
            or ((segment := segment_name.match(name)) and segment.group(1) not in used)]
