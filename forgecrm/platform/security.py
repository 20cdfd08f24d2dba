"""Content-Security-Policy, and how sign-in attempts are counted.

Django 5.2 has no CSP of its own, so a small middleware sends one on every response. Scripts, styles,
fonts and images come from our own origin only (the UI's assets are vendored under static/); an inline
`<script>` or `<style>` element runs only with the per-request nonce (`{{ csp_nonce }}` in templates).
Inline `style="..."` attributes stay allowed (`style-src-attr`): they cannot run code, and progress bars and
the vendored UI kit need them. Alpine.js is the CSP build, so no page needs 'unsafe-eval'.
"""

import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

Directives = dict[str, list[str]]

DEFAULT_POLICY: Directives = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
NONCE_DIRECTIVES = ("script-src", "style-src-elem")


def policy_header(policy: Directives, nonce: str | None) -> str:
    parts = []
    for directive, sources in policy.items():
        values = list(sources)
        if nonce and directive in NONCE_DIRECTIVES and "'unsafe-inline'" not in values:
            values.append(f"'nonce-{nonce}'")
        parts.append(" ".join([directive, *values]))
    return "; ".join(parts)


def csp_update(**directives: list[str]) -> Callable:
    """Widen the policy for one view: `@csp_update(style_src_elem=["'unsafe-inline'"])` adds to a directive."""
    additions = {name.replace("_", "-"): list(values) for name, values in directives.items()}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response._csp_update = additions
            return response

        return wrapped

    return decorator


class ContentSecurityPolicyMiddleware:
    """Sends the policy (settings.FORGE_CSP, or report-only with FORGE_CSP_REPORT_ONLY) with every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "FORGE_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        if header in response:
            return response
        policy = {name: list(values) for name, values in getattr(settings, "FORGE_CSP", DEFAULT_POLICY).items()}
        for directive, values in getattr(response, "_csp_update", {}).items():
            policy.setdefault(directive, list(policy.get("default-src", [])))
            policy[directive].extend(value for value in values if value not in policy[directive])
        response[header] = policy_header(policy, nonce)
        return response


def csp_nonce(request: HttpRequest) -> dict:
    """Template context: `<script nonce="{{ csp_nonce }}">` for the rare inline script."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name django-axes counts failures under: the email as the sign-in form folds it.

    Without folding, `Kim@x.kr`, `KIM@x.kr`, ... would each get their own five attempts.
    """
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value and request is not None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("username") or data.get("email") or ""
    return str(value).strip().lower()


def rate_limited(scope: str, *, per_address: int, per_ip: int, window_seconds: int) -> Callable:
    """Refuse (429) a public form's POSTs beyond a count per submitted email address and per client IP.

    For forms anyone can post without signing in (password reset): it stops mail bombing one address and
    sweeping many. Counts live in the cache (Redis in production) for `window_seconds`.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                from django.core.cache import cache
                from django.shortcuts import render

                address = str(request.POST.get("email") or "").strip().lower()
                ip = request.META.get("REMOTE_ADDR", "")
                keys = [(f"forge-rl:{scope}:ip:{ip}", per_ip)]
                if address:
                    keys.append((f"forge-rl:{scope}:email:{address}", per_address))
                for key, limit in keys:
                    cache.add(key, 0, window_seconds)
                    try:
                        count = cache.incr(key)
                    except ValueError:  # expired between add and incr
                        cache.set(key, 1, window_seconds)
                        count = 1
                    if count > limit:
                        return render(
                            request, "platform/rate_limited.html", {"minutes": window_seconds // 60}, status=429
                        )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RejectNulBytesMiddleware:
    """A NUL byte in a query parameter is never meaningful and PostgreSQL cannot compare text with one
    (it raised a 500 from search, autocomplete and API filters): answer 400 before any view runs."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest("NUL bytes are not allowed in query parameters.")
        return self.get_response(request)
