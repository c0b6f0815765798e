"""Index files read through memory maps: the same bytes as Whoosh's own files, nothing copied."""

import io
import tracemalloc

from search.index import IndexStore
from search.index.locking import ProcessLockedStorage
from search.index.mapped import MappedFile, MappedStorage


def test_a_mapped_file_reads_as_a_file_does():
    data = bytes(range(256)) * 3 + b"line one\nline two\n"
    mapped, plain = MappedFile(memoryview(data)).file, io.BytesIO(data)
    for reader in (mapped, plain):
        reader.seek(5)
    assert mapped.read(10) == plain.read(10) and mapped.tell() == plain.tell()
    mapped.seek(-18, 2), plain.seek(-18, 2)
    assert mapped.readline() == plain.readline() and mapped.read() == plain.read() and mapped.read(4) == b""
    part = MappedFile(memoryview(data)).subset(256, 20)
    assert part.get(3, 4) == data[259:263] and part.read(2) == data[256:258]


def test_opening_a_reader_copies_none_of_the_index_into_memory(varied_index):
    generation = IndexStore(varied_index).current()
    size = sum(p.stat().st_size for p in generation.glob("*.seg"))
    copied = {}
    for storage in (ProcessLockedStorage, MappedStorage):
        tracemalloc.start()
        reader = storage(str(generation)).open_index("MAIN").reader()
        copied[storage] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert reader.doc_count() == 1000
    assert copied[ProcessLockedStorage] > size / 2  # Whoosh's own storage copies every part it opens
    assert copied[MappedStorage] < size / 10
