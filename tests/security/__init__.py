"""Security tests: hostile input through every rendering path."""
