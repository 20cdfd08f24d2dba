"""The product's URLs plus the floor views under /_floor/ (bench only; never in config.urls)."""

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from . import floor_views

urlpatterns = [
    path("_floor/ping/", floor_views.ping),
    path("_floor/contacts/", floor_views.contact_page),
    path("_floor/accounts/<int:pk>/", floor_views.account_by_pk),
    path("_floor/api/contacts/", floor_views.contact_list),
    path("_floor/api/contacts/new/", csrf_exempt(floor_views.contact_insert)),
    path("_floor/api/contacts/<int:pk>/", floor_views.contact_by_pk),
    path("", include("config.urls")),
]
