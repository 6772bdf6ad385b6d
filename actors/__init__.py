"""Layer 1: who — members, chapters and their hierarchy, memberships, roles, follows, keys."""
