from django.urls import include, path

from . import views, views_privacy

# URL names are "customers:<name>" (the import pages included below too: "customers:account-import").
app_name = "customers"

urlpatterns = [
    path("accounts/", views.AccountListView.as_view(), name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/duplicates/", views.account_duplicates, name="account-duplicates"),
    path("accounts/autocomplete/", views.account_autocomplete, name="account-autocomplete"),
    path(
        "accounts/autocomplete/partners/",
        views.account_autocomplete,
        {"kind": "partner"},
        name="partner-autocomplete",
    ),
    path("accounts/import/", include("forgecrm.customers.import_urls")),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", views.account_update, name="account-update"),
    path("accounts/<int:pk>/merge/", views.account_merge, name="account-merge"),
    path("accounts/<int:pk>/deactivate/", views.account_set_active, {"active": False}, name="account-deactivate"),
    path("accounts/<int:pk>/reactivate/", views.account_set_active, {"active": True}, name="account-reactivate"),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/autocomplete/", views.contact_autocomplete, name="contact-autocomplete"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact-update"),
    path("contacts/<int:pk>/merge/", views.contact_merge, name="contact-merge"),
    path("contacts/<int:pk>/consents/", views.contact_consent, name="contact-consent"),
    path("contacts/<int:pk>/personal-data/", views_privacy.contact_personal_data, name="contact-personal-data"),
    path("contacts/<int:pk>/erase/", views_privacy.contact_erase, name="contact-erase"),
    path("contacts/<int:pk>/deactivate/", views.contact_set_active, {"active": False}, name="contact-deactivate"),
    path("contacts/<int:pk>/reactivate/", views.contact_set_active, {"active": True}, name="contact-reactivate"),
]
