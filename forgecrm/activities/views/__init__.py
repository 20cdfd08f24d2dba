"""HTML entry points of the activities app (split by page family)."""
