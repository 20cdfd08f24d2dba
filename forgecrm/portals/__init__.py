"""The portals: presentation only, over the domain apps' operations and queries (ARCHITECTURE.md)."""
