"""Where the index lives on disk: generations of a Whoosh index and a ``current`` pointer.

Layout of the index folder::

    current -> gen-20260101T120000-1a2b   (a relative symlink, replaced atomically)
    gen-20260101T120000-1a2b/             (a complete Whoosh index)
    building-.../                         (a rebuild in progress; never read)
    write.lock                            (held by whoever writes)

Readers follow ``current``; ``reindex`` builds a new generation beside it and swaps the link, so
a crash or Ctrl-C mid-way leaves the old generation serving.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index

from search.index.schema import build_schema

CURRENT = "current"


class IndexBusy(Exception):
    """Another process is writing to the index."""


class IndexStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def pointer(self) -> Path:
        return self.root / CURRENT

    def current(self) -> Path | None:
        """The generation being served, or None when there is no index yet."""
        try:
            target = os.readlink(self.pointer)
        except (FileNotFoundError, NotADirectoryError):
            return None
        path = self.root / target
        return path if path.is_dir() else None

    def open(self, path: Path | None = None):
        """The Whoosh index of a generation (the current one by default)."""
        return whoosh_index.open_dir(str(path or self.current()))

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock: one indexing run at a time, and never two against each other."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusy(f"another indexing run is writing to {self.root}") from None
            yield

    def new_generation(self) -> Path:
        """A new, empty index in a ``building-`` folder, not yet visible to readers."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = self.root / f"building-{stamp}-{secrets.token_hex(3)}"
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), build_schema())
        return path

    def publish(self, building: Path) -> Path:
        """Make a built generation the current one, atomically; returns its final path."""
        final = building.with_name("gen-" + building.name.removeprefix("building-"))
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
        keep = {p for p in (self.current(), keep_previous) if p}
        for path in self.root.iterdir():
            if path.is_dir() and path.name.startswith(("gen-", "building-")) and path not in keep:
                shutil.rmtree(path, ignore_errors=True)
