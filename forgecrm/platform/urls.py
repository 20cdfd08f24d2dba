from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor, views
from .forms import EmailAuthenticationForm, QueuedPasswordResetForm
from .security import rate_limited

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search_page, name="search"),
    path("search/typeahead/", views.search_typeahead, name="search-typeahead"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor.two_factor_setup, name="two-factor-setup"),
    path("two-factor/verify/", two_factor.two_factor_verify, name="two-factor-verify"),
    path(
        "password-reset/",
        rate_limited("password-reset", per_address=5, per_ip=30, window_seconds=3600)(
            auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm)
        ),
        name="password_reset",
    ),
    path("password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        rate_limited("password-reset-confirm", per_address=30, per_ip=30, window_seconds=3600)(
            auth_views.PasswordResetConfirmView.as_view()
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
