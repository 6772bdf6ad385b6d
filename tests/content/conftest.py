"""Fixtures of the content tests: the fake fediverse, the app wired to it, local actors."""

from tests.inbox.fediverse import fed_client, fediverse, local, registry

__all__ = ["fed_client", "fediverse", "local", "registry"]
