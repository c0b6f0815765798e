"""News search: ingest news pages, index them with Whoosh, and query the index."""

import os

# One BLAS thread, unless asked otherwise, set before numpy loads. numpy's OpenBLAS otherwise starts
# a pool of threads as it loads, for work this engine never gives it (it counts, and spaCy's small
# model multiplies small matrices). Worse, a process that has once had a second thread stays
# "threaded" for the C library's allocator, and so do the extraction workers it forks: every malloc
# then takes the locked path, and the model reads an article about a fifth slower (37 ms against 30).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
