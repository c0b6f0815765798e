"""Errors raised while reading and extracting documents."""


class UnreadableDocument(Exception):
    """A document that cannot be turned into an article; the message says why."""


class ClusterUnavailable(Exception):
    """A Dask cluster that cannot do the work: no scheduler at the address, no workers, workers
    that cannot run news-search, or a scheduler lost during the run. The message says which."""
