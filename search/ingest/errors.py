"""Errors raised while reading and extracting documents."""


class UnreadableDocument(Exception):
    """A document that cannot be turned into an article; the message says why."""
