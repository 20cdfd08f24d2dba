"""Sales API for this area: viewsets over scoped querysets from queries.py (platform.api base classes)."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this area's viewsets, e.g. `router.register("...", ...ViewSet, basename="...")`."""
