"""Layer 1: what — articles, comments, forums, polls and ballots, likes, notifications, timelines."""
