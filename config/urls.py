from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from forgecrm.platform.security import csp_update

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("forgecrm.integrations.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (no inline script); Swagger UI brings one inline
    # <style> block, so this page alone allows inline style elements.
    path(
        "api/docs/",
        csp_update(style_src_elem=["'unsafe-inline'"])(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("", include("forgecrm.customers.urls")),
    path("catalog/", include("forgecrm.catalog.urls")),
    path("activities/", include("forgecrm.activities.urls")),
    path("integrations/", include("forgecrm.integrations.urls")),
    path("sales/", include("forgecrm.sales.urls")),
    path("partners/", include("forgecrm.partners.urls")),
    path("partner/", include("forgecrm.portals.partner_portal.urls")),
    path("", include("forgecrm.platform.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
