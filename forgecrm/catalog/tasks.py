"""Celery entry points of the catalog."""

from celery import shared_task

from forgecrm.platform.search import reindex_entity


@shared_task(acks_late=True)
def reindex_catalog_task() -> dict[str, int]:
    """Rebuild the search documents of every product and partner product number (idempotent: a rerun rewrites
    the same rows). For after bulk loads (demo data, ERP imports) that write rows without indexing them."""
    return {entity: reindex_entity(entity) for entity in ("product", "partner_product")}
