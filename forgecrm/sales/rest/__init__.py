"""The sales app's API (DRF serializers and viewsets over scoped querysets from queries.py), one module per area.

Nothing is served yet: the first area that has viewsets registers them in `integrations/api_urls.py`, as the
other apps do, and adds that import to the import-linter contract's `ignore_imports` in pyproject.toml.
"""
