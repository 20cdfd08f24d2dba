"""The sales app's API: one module per area registers its viewsets on the /api/v1/ router.

`forgecrm/integrations/api_urls.py` calls `register_api(router)` once; an area adds its viewsets in its own
module's `register(router)` (leads.py, pipeline.py, ...), so parallel work never edits the same lines.
"""

from rest_framework.routers import BaseRouter

from . import commissions, leads, orders, pipeline, planning, quotes

AREAS = (leads, pipeline, quotes, orders, planning, commissions)


def register_api(router: BaseRouter) -> None:
    for area in AREAS:
        area.register(router)
