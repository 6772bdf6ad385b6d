"""Helpers shared by the test suite (importable by server processes the tests start)."""
