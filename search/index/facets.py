"""Facet counts over multi-valued exact-value fields, counted in bulk over columns of value ids.

Each segment's columns (search.index.columns) number the values of the segment; here they are
merged once per snapshot into one numbering of case-folded values ("OPEC" and "Opec" are one value,
shown in the spelling most articles use), in alphabetical order so that equal counts list
alphabetically. A search's counts are then one ``np.bincount`` over its matches' value ids.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Iterable, Sequence

import numpy as np
from whoosh import query as wq

from search.index.columns import FacetColumn

FACET_SIZE = 15


class FacetIndex:
    """One facet field over the whole index: each document's values (``values[offsets[d]:offsets[d + 1]]``,
    ids of case-folded values) and how each value is shown."""

    def __init__(self, field: str, parts: Sequence[tuple[FacetColumn, np.ndarray]]):
        """``parts``: each segment's column of the field and its deleted documents, in document order."""
        self.field = field
        spelling_ids: dict[str, int] = {}
        local_spellings = [np.fromiter((spelling_ids.setdefault(s, len(spelling_ids)) for s in column.spellings),
                                       dtype=np.int64, count=len(column.spellings)) for column, _ in parts]
        self._spellings = list(spelling_ids)
        folded_spellings = [s.casefold() for s in self._spellings]
        self.folded = sorted(set(folded_spellings))
        self.ids = {folded: number for number, folded in enumerate(self.folded)}
        self._fold_of_spelling = np.fromiter((self.ids[f] for f in folded_spellings), dtype=np.int64,
                                             count=len(folded_spellings))
        articles = np.zeros(len(self._spellings), dtype=np.int64)
        offsets, values, start = [np.zeros(1, dtype=np.int64)], [], 0
        for (column, deleted), local in zip(parts, local_spellings):
            column_values = np.asarray(column.values)
            column_offsets = np.asarray(column.offsets, dtype=np.int64)
            owners = np.repeat(np.arange(len(deleted)), np.diff(column_offsets))
            articles += np.bincount(local[column_values[~deleted[owners]]], minlength=len(articles))
            values.append(self._fold_of_spelling[local[column_values]].astype(np.int32) if len(local)
                          else column_values.astype(np.int32))
            offsets.append(column_offsets[1:] + start)
            start += len(column_values)
        self.offsets = np.concatenate(offsets)
        self.values = np.concatenate(values) if values else np.zeros(0, dtype=np.int32)
        self.owners = np.repeat(np.arange(len(self.offsets) - 1, dtype=np.int32), np.diff(self.offsets))
        self.shown = self._shown(articles)
        self._by_fold: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def _shown(self, articles: np.ndarray) -> list[str]:
        """Each folded value's spelling: the one most articles use (the greatest when as many use two)."""
        if not len(articles):
            return []
        order = np.lexsort((articles, self._fold_of_spelling))  # by value, then by articles
        folds = self._fold_of_spelling[order]
        ends = np.flatnonzero(np.append(folds[1:] != folds[:-1], True)) + 1
        starts = np.append(0, ends[:-1]) if len(ends) else ends
        shown = [self._spellings[i] for i in order[ends - 1].tolist()]
        tied = np.flatnonzero((ends - starts > 1) & (articles[order[ends - 2]] == articles[order[ends - 1]]))
        for fold in tied.tolist():  # as many articles for two spellings: the greatest spelling
            members = order[starts[fold]:ends[fold]].tolist()
            shown[fold] = self._spellings[max(members, key=lambda i: (articles[i], self._spellings[i]))]
        return shown

    def spellings(self) -> dict[str, list[str]]:
        """Each folded value's spellings as written, in index order (read on first use)."""
        with self._lock:
            if self._by_fold is None:
                by_fold: dict[str, list[str]] = {}
                for spelling in self._spellings:
                    by_fold.setdefault(spelling.casefold(), []).append(spelling)
                self._by_fold = by_fold
        return self._by_fold

    def counts(self, documents: np.ndarray) -> np.ndarray:
        """How many of the documents (ascending numbers) hold each value, by value id."""
        size = len(self.folded)
        if len(documents) * 8 > len(self.owners):  # many documents: one pass over every value of every document
            chosen = np.zeros(len(self.offsets) - 1, dtype=bool)
            chosen[documents] = True
            return np.bincount(self.values[chosen[self.owners]], minlength=size)
        starts = self.offsets[documents]
        lengths = self.offsets[documents + 1] - starts
        total = int(lengths.sum())
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return np.bincount(self.values[positions], minlength=size)

    def top(self, counts: np.ndarray, selected: Iterable[str] = (), size: int = FACET_SIZE) -> list[tuple[str, int]]:
        """The most frequent values (ties in alphabetical order), plus every selected value."""
        present = np.flatnonzero(counts)
        if len(present) > size:
            kth = np.partition(counts[present], len(present) - size)[len(present) - size]
            above, tied = present[counts[present] > kth], present[counts[present] == kth]
            present = np.concatenate([above, tied[: size - len(above)]])
        ranked = present[np.lexsort((present, -counts[present]))].tolist()
        top = [(self.shown[number], int(counts[number])) for number in ranked]
        listed = set(ranked)
        for value in selected:
            number = self.number(value)
            if number is None:
                top.append((value, 0))
            elif number not in listed:
                top.append((self.shown[number], int(counts[number])))
                listed.add(number)
        return top

    def number(self, value: str) -> int | None:
        """The id of ``value`` whatever its case, and whether its accents are typed composed or not;
        None when no document holds it."""
        folded = value.strip().casefold()
        forms = (folded, *(unicodedata.normalize(form, folded) for form in ("NFC", "NFD")))
        return next((self.ids[form] for form in forms if form in self.ids), None)

    def holding(self, value: str) -> np.ndarray:
        """Whether each document (deleted ones included) has ``value`` whatever its case (a mask)."""
        mask = np.zeros(len(self.offsets) - 1, dtype=bool)
        number = self.number(value)
        if number is not None:
            mask[self.owners[self.values == number]] = True
        return mask

    def value_query(self, value: str) -> wq.Query:
        """Documents whose field holds ``value`` whatever its case, or a value naming it in full
        words ("lukashenko" finds "Alexander Lukashenko", "european union" finds "European Union")."""
        wanted = value.strip().casefold().split()
        if not wanted:
            return wq.NullQuery
        n = len(wanted)
        spellings = [s for folded, values in self.spellings().items()
                     if any(folded.split()[i:i + n] == wanted for i in range(len(folded.split()) - n + 1))
                     for s in values]
        return wq.Or([wq.Term(self.field, s) for s in spellings]) if spellings else wq.NullQuery
