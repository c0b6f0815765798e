"""The index: the only code that knows Whoosh. Write with update_index / rebuild_index, read with SearchIndex
(searches) or stored_articles (every article)."""

from search.index.decoder import stored_articles
from search.index.prepare import PreparedArticle, prepare
from search.index.schema import TITLE_BOOST
from search.index.searcher import SearchIndex
from search.index.store import DamagedIndex, Generation, IndexBusy, IndexStore
from search.index.writer import Duplicate, EmptyRebuild, known_fingerprints, rebuild_index, update_index

__all__ = ["DamagedIndex", "Duplicate", "EmptyRebuild", "Generation", "IndexBusy", "IndexStore", "PreparedArticle", "SearchIndex",
           "TITLE_BOOST", "known_fingerprints", "prepare", "rebuild_index", "stored_articles", "update_index"]
