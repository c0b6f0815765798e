"""Reading a term's postings as arrays: the same documents and weights Whoosh reads."""

from search.index import IndexStore
from search.index.postings import read_postings


def test_every_term_reads_as_whoosh_reads_it(varied_index):
    reader = IndexStore(varied_index).open().reader()
    multi_block = 0
    for segment, _ in reader.leaf_readers():
        for fieldname in ("title", "text", "people", "source", "published", "copy_bands"):
            for term in segment.lexicon(fieldname):
                # the segment's own postings, deleted documents included
                leaf = segment._terms.matcher(fieldname, term, segment.schema[fieldname].format)
                postings = read_postings(leaf._postfile, leaf._baseoffset)
                ids, weights = [], []
                while leaf.is_active():
                    ids.append(leaf.id())
                    weights.append(leaf.weight())
                    leaf.next()
                assert postings.ids.tolist() == ids and postings.weights.tolist() == weights, (fieldname, term)
                multi_block += len(ids) > 128
    assert multi_block > 10  # terms of several blocks were read, not only single blocks
