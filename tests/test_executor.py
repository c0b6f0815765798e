"""Ranking, folding and paging over arrays: the order of a full sort, without sorting everything."""

import numpy as np
import pytest

from search.index.executor import folded, ranked


class Stories:
    def __init__(self, copy_ids):
        self.copy_ids = copy_ids


@pytest.mark.parametrize("seed", range(20))
def test_the_first_results_are_those_of_a_full_sort_ties_by_document_number(seed):
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(10_000, size=2_000, replace=False))
    keys = rng.integers(0, 30, size=len(ids)).astype(float)  # many ties
    full = np.lexsort((ids, keys))
    for wanted in (1, 10, 37, 2_000, 5_000):
        assert ranked(keys, ids, wanted).tolist() == full[:wanted].tolist()


@pytest.mark.parametrize("seed", range(20))
def test_folded_results_are_each_storys_best_copy_in_order(seed):
    rng = np.random.default_rng(seed)
    ids = np.arange(3_000)
    keys = rng.integers(0, 50, size=len(ids)).astype(float)
    snapshot = Stories(rng.integers(0, 400, size=len(ids)))
    seen, expected = set(), []
    for position in np.lexsort((ids, keys)).tolist():
        if snapshot.copy_ids[position] not in seen:
            seen.add(snapshot.copy_ids[position])
            expected.append(position)
    for wanted in (1, 10, 100, 400, 1_000):
        assert folded(snapshot, keys, ids, wanted).tolist() == expected[:wanted]
