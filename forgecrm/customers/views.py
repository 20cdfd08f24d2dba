"""Filled in by this app's entry points."""
