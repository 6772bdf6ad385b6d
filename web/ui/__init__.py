"""The server-rendered HTML pages."""
