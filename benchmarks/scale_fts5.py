"""The anchor of benchmarks/scale.py: the same archive in SQLite FTS5 (Python's own sqlite3), doing
per query the work a search page does: match, BM25 top 10 with snippets and each hit's names,
facet counts (the 15 commonest people, organisations, places, sources and authors among all matches,
by ``GROUP BY`` over an entity table) and the matches per day, week, month or year."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path

from scale_queries import Query

from search.index.ranking import QUESTION_STOP_WORDS
from search.timeline import choose_interval

FACETS = ("people", "orgs", "places", "sources", "authors")
FACET_LIMIT = 15
TITLE_WEIGHT = 2.0
"""bm25() weight of the headline against the text (1.0)."""
SCHEMA = """
CREATE TABLE articles(id INTEGER PRIMARY KEY, url TEXT, source TEXT, title TEXT, text TEXT);
CREATE TABLE days(id INTEGER PRIMARY KEY, day INTEGER, ordinal INTEGER);
CREATE TABLE entities(article_id INTEGER, kind TEXT, name TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, text, content='articles', content_rowid='id',
                                    tokenize='porter unicode61');
"""
INDEXES = """
CREATE INDEX days_by_day ON days(day);
CREATE INDEX entities_by_name ON entities(kind, name COLLATE NOCASE, article_id);
CREATE INDEX entities_by_article ON entities(article_id, kind, name);
"""
BUCKETS = {"day": "d.day", "week": "(d.ordinal - 1) / 7", "month": "d.day / 100", "year": "d.day / 10000"}
"""SQL for each interval's period of an article (weeks start on Mondays, as ISO weeks do). Days are a
table of their own: read from the articles' rows, beside their text, they cost a page read each."""


def available() -> str | None:
    """Why FTS5 cannot be used here, or None when it can."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError as error:
        return f"SQLite {sqlite3.sqlite_version} has no FTS5 ({error})"
    return None


def build(corpus: Path, path: Path) -> None:
    """The twin of the corpus in ``path`` (built under another name, then renamed: a twin there is complete)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    with open(corpus, encoding="utf-8") as lines:
        batch: list[tuple[int, dict]] = []
        for number, line in enumerate(lines, start=1):
            batch.append((number, json.loads(line)))
            if len(batch) == 2000:
                _insert(db, batch)
                batch = []
        _insert(db, batch)
    db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
    db.executescript(INDEXES + "ANALYZE;")
    db.commit()
    db.close()
    os.replace(partial, path)


def _insert(db: sqlite3.Connection, batch: list[tuple[int, dict]]) -> None:
    rows, days, names = [], [], []
    for number, record in batch:
        day = date.fromisoformat(record["published"])
        rows.append((number, record["url"], record["source"], record["title"], record["text"]))
        days.append((number, _day(day), day.toordinal()))
        names.extend((number, kind, name) for kind in ("people", "orgs", "places", "authors") for name in record[kind])
        names.append((number, "sources", record["source"]))
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO days VALUES (?, ?, ?)", days)
    db.executemany("INSERT INTO entities VALUES (?, ?, ?)", names)
    db.commit()


def match_expression(query: Query) -> str | None:
    """The FTS5 query for the words typed: every word, the phrase, or (a description) any content word."""
    if not query.words:
        return None
    if query.phrase:
        return '"' + " ".join(query.words) + '"'
    if query.description:
        return " OR ".join(f'"{w}"' for w in query.words if w.casefold() not in QUESTION_STOP_WORDS)
    return " ".join(f'"{w}"' for w in query.words)


class Twin:
    """An open FTS5 twin, answering Queries as a search page needs them."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TEMP TABLE hits(id INTEGER PRIMARY KEY)")

    def search(self, query: Query) -> int:
        """Runs the query's whole page of work; returns how many articles it matched."""
        db, match = self.db, match_expression(query)
        conditions, values = [], []
        if query.date_from:
            conditions.append("+rowid IN (SELECT id FROM days WHERE day BETWEEN ? AND ?)")
            values += [_day(query.date_from), _day(query.date_to)]
        if query.entity:
            conditions.append("+rowid IN (SELECT article_id FROM entities WHERE kind = ? AND name = ? COLLATE NOCASE)")
            values += list(query.entity)
        where = "".join(f" AND {c}" for c in conditions)
        db.execute("DELETE FROM hits")
        if match:
            db.execute(f"INSERT INTO hits SELECT rowid FROM fts WHERE fts MATCH ?{where}", [match, *values])
        else:
            db.execute(f"INSERT INTO hits SELECT rowid FROM days WHERE 1{where}", values)
        total = db.execute("SELECT count(*) FROM hits").fetchone()[0]
        self._top(query, match, filtered=bool(conditions))
        # CROSS JOIN keeps the matches outermost: otherwise SQLite walks the whole entity table
        db.execute("""SELECT kind, name, n FROM (
                        SELECT kind, name, n, row_number() OVER (PARTITION BY kind ORDER BY n DESC) AS place FROM (
                          SELECT e.kind, e.name, count(*) AS n FROM hits CROSS JOIN entities e
                          ON e.article_id = hits.id GROUP BY e.kind, e.name))
                      WHERE place <= ?""", [FACET_LIMIT]).fetchall()
        self._histogram(query)
        return total

    def _top(self, query: Query, match: str | None, filtered: bool) -> None:
        """The page of hits with snippets and their names. The page is chosen first, and only its
        ten snippets made: SQLite computes a result column before it sorts the rows."""
        offset = (query.page - 1) * 10
        if match and query.sort == "relevance":
            among = " AND +rowid IN (SELECT id FROM hits)" if filtered else ""
            ids = [row[0] for row in self.db.execute(
                f"SELECT rowid FROM fts WHERE fts MATCH ?{among} ORDER BY bm25(fts, {TITLE_WEIGHT}, 1.0) "
                "LIMIT 10 OFFSET ?", [match, offset])]
        else:
            ids = [row[0] for row in self.db.execute(
                "SELECT d.id FROM hits CROSS JOIN days d ON d.id = hits.id ORDER BY d.day DESC LIMIT 10 OFFSET ?",
                [offset])]
        marks = ",".join("?" * len(ids))
        if match:
            self.db.execute(f"SELECT rowid, snippet(fts, 1, '<mark>', '</mark>', ' … ', 24) FROM fts "
                            f"WHERE fts MATCH ? AND rowid IN ({marks})", [match, *ids]).fetchall()
        self.db.execute(f"SELECT a.id, a.title, a.url, a.source, d.day, substr(a.text, 1, 240) FROM articles a "
                        f"JOIN days d ON d.id = a.id WHERE a.id IN ({marks})", ids).fetchall()
        self.db.execute(f"SELECT article_id, kind, name FROM entities WHERE article_id IN ({marks})", ids).fetchall()

    def _histogram(self, query: Query) -> None:
        if query.date_from:
            first, last = query.date_from, query.date_to
        else:
            low, high = self.db.execute(
                "SELECT min(d.ordinal), max(d.ordinal) FROM hits CROSS JOIN days d ON d.id = hits.id").fetchone()
            if low is None:
                return
            first, last = date.fromordinal(low), date.fromordinal(high)
        bucket = BUCKETS[choose_interval(first, last)]
        self.db.execute(f"SELECT {bucket}, count(*) FROM hits CROSS JOIN days d ON d.id = hits.id GROUP BY 1").fetchall()

    def close(self) -> None:
        self.db.close()


def _day(day: date) -> int:
    return int(day.strftime("%Y%m%d"))
