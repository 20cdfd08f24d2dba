"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area adds its own paths here; every new
route needs its row in tests/authz/policy.yaml."""

from django.urls import URLPattern, URLResolver

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []
