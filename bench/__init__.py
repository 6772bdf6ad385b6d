"""Benchmarks: run by `make bench`, never part of `make test`; each prints a table and JSON."""
