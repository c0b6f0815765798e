import hashlib
import tracemalloc

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.index.schema import build_schema
from search.index.segment_writer import LeanSegmentWriter

WORDS = "harbour strike crews ferry pay union talks minister port wages council vote".split()


def document(n: int) -> dict:
    text = " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] + ("s" if i % 5 == n % 5 else "") for i in range(60))
    return dict(id=f"id{n}", origin=f"f{n}", title=f"Story {n} {WORDS[n % len(WORDS)]}", text=text,
                published=20200100 + n % 28 + 1, copies=f"k{n % 3}", people="Ann Lee\nBo Chen" if n % 2 else "")


def write(folder, writer_class, batches, merge_at_end=False):
    """Write documents 0.. in batches, one segment each; with ``merge_at_end`` the last commit
    merges every segment into one (as a merge policy does)."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    n = 0
    for number, size in enumerate(batches):
        writer = writer_class(ix)
        for _ in range(size):
            writer.add_document(**document(n))
            n += 1
        writer.commit(optimize=merge_at_end and number == len(batches) - 1)
    return ix


def _value(matcher):
    try:
        return matcher.value()
    except IndexError:  # a format that keeps no values (Whoosh reads past its empty tuple)
        return None


def digest(ix) -> str:
    """Every term's postings (each by its document's id, with weight and value; a spelling word's
    only by their number), stored field and length: what a merge keeps, in any document order."""
    summary = hashlib.sha256()
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for fieldname, text in reader.all_terms():
            if fieldname == "spell_text":
                summary.update(repr((text, reader.doc_frequency(fieldname, text))).encode())
                continue
            matcher, postings = reader.postings(fieldname, text), []
            while matcher.is_active():
                postings.append((ids[matcher.id()], matcher.weight(), _value(matcher)))
                matcher.next()
            summary.update(repr((fieldname, text, sorted(postings))).encode())
        for docnum, fields in sorted(reader.iter_docs(), key=lambda item: item[1]["id"]):
            summary.update(repr(sorted(fields.items())).encode())
            summary.update(repr([reader.doc_field_length(docnum, f) for f in ("title", "text")]).encode())
    return summary.hexdigest()


def test_the_lean_writer_writes_the_index_whoosh_writes_and_merges_it(tmp_path):
    expected = digest(write(tmp_path / "whoosh", SegmentWriter, [40, 25, 30]))
    assert digest(write(tmp_path / "lean", LeanSegmentWriter, [40, 25, 30])) == expected
    merged = write(tmp_path / "merged", LeanSegmentWriter, [40, 25, 30], merge_at_end=True)
    assert len(merged._segments()) == 1 and digest(merged) == expected


def segment_files(folder, writer_class, count: int) -> dict[str, bytes]:
    """The files of one segment of ``count`` documents, by what follows the segment's random name."""
    folder.mkdir()
    writer = writer_class(whoosh_index.create_in(str(folder), build_schema()), compound=False)
    for n in range(count):
        writer.add_document(**document(n))
    writer.commit()
    return {path.name.split(".", 1)[1]: path.read_bytes() for path in folder.iterdir() if path.name.startswith("MAIN_")
            and "." in path.name}


class OneByOne(LeanSegmentWriter):
    """The lean writer giving its postings to Whoosh's postings writer one call each, as Whoosh does."""

    _flush_segment = SegmentWriter._flush_segment


def test_postings_given_a_block_at_a_time_are_written_as_whoosh_writes_them_one_by_one(tmp_path):
    # 300 documents: common words' postings fill several blocks, rare ones one, spelling words both
    ours, whooshs = segment_files(tmp_path / "lean", LeanSegmentWriter, 300), segment_files(tmp_path / "whoosh", OneByOne, 300)
    assert {"pst", "trm", "_text_len.col"} <= set(whooshs) <= set(ours)  # and the term arrays
    for suffix in sorted(whooshs):
        assert ours[suffix] == whooshs[suffix], suffix


def test_a_field_without_lengths_is_looked_for_on_disk_once_not_once_a_posting(tmp_path, monkeypatch):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    checks = []
    original = type(ix.storage).file_exists
    monkeypatch.setattr(type(ix.storage), "file_exists", lambda self, name: checks.append(name) or original(self, name))
    writer = LeanSegmentWriter(ix)
    for n in range(200):
        writer.add_document(**document(n))
    writer.commit()
    assert len(checks) < 50  # Whoosh's own writer: one a posting of the spelling and keyword fields, some 3,000


def held_while_adding(folder, writer_class) -> int:
    """Bytes a writer holds once 300 documents are added, before its commit."""
    folder.mkdir()
    writer = writer_class(whoosh_index.create_in(str(folder), build_schema()), limitmb=1024)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(300):
            writer.add_document(**document(n))
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        writer.cancel()


def test_the_pooled_postings_take_a_third_of_the_memory_of_whooshs_pool(tmp_path):
    ours, whooshs = held_while_adding(tmp_path / "lean", LeanSegmentWriter), held_while_adding(tmp_path / "whoosh", SegmentWriter)
    assert ours < whooshs / 3, (ours, whooshs)


def test_small_blocks_are_written_uncompressed_and_read_back(tmp_path):
    import io
    import pickle

    ix = write(tmp_path / "lean", LeanSegmentWriter, [300])
    levels = {}
    with ix.reader() as reader:
        for fieldname, term in [("id", b"id7"), ("text", b"harbour")]:
            info = reader._terms.term_info(fieldname, term)
            postfile = reader._terms._postfile
            start = info.extent()[0] + 4  # after the postings' header
            length = abs(postfile.get_int(start))
            _, _, _, levels[fieldname], _, _ = pickle.load(io.BytesIO(postfile.get(start + 4, length)))
    assert levels == {"id": 0, "text": 3}  # one posting: not compressed; 128 of a common word: compressed
    assert digest(ix) == digest(write(tmp_path / "whoosh", SegmentWriter, [300]))
