"""The index: the only code that knows Whoosh. Write with update_index / rebuild_index, read with SearchIndex."""

from search.index.prepare import PreparedArticle, prepare
from search.index.searcher import SearchIndex
from search.index.store import DamagedIndex, IndexBusy, IndexStore
from search.index.writer import Duplicate, EmptyRebuild, known_fingerprints, rebuild_index, update_index

__all__ = ["DamagedIndex", "Duplicate", "EmptyRebuild", "IndexBusy", "IndexStore", "PreparedArticle", "SearchIndex", "known_fingerprints",
           "prepare", "rebuild_index", "update_index"]
