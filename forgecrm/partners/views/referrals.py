"""The public online-inquiry page (e-Showroom): anonymous, embeddable like the sales web form, and protected the
same way (honeypot, signed fill time, rate limit per IP and email, allowed origins for cross-site posts). The
inquiry becomes a lead referred to the dealer covering the visitor's area."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.security import DEFAULT_POLICY, policy_header, rate_limited
from forgecrm.sales.operations import lead_capture
from forgecrm.sales.queries.leads import public_web_form

from ..forms.referrals import ReferralInquiryForm
from ..operations.referrals import capture_referral_inquiry


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _frame_policy(request: HttpRequest, response: HttpResponse, web_form) -> HttpResponse:
    """Framed only by the web form's allowed origins (CSP frame-ancestors), as the sales form is."""
    policy = {name: list(values) for name, values in getattr(settings, "FORGE_CSP", DEFAULT_POLICY).items()}
    policy["frame-ancestors"] = ["'self'", *web_form.allowed_origins]
    header = (
        "Content-Security-Policy-Report-Only"
        if getattr(settings, "FORGE_CSP_REPORT_ONLY", False)
        else "Content-Security-Policy"
    )
    response[header] = policy_header(policy, getattr(request, "csp_nonce", None))
    return response


@csrf_exempt  # framed on dealers' and the maker's sites, where our CSRF cookie is not sent; see the checks below
@xframe_options_exempt
@rate_limited("partners-referral", per_address=5, per_ip=20, window_seconds=3600)
def referral_inquiry(request: HttpRequest, slug: str) -> HttpResponse:
    web_form = public_web_form(slug)
    if web_form is None:
        raise Http404
    language = request.GET.get("lang") or translation.get_language() or "ko"
    language = "en" if language.startswith("en") else "ko"
    translation.activate(language)
    sent = False
    status = 200
    if request.method == "POST":
        origin = request.headers.get("Origin", "")
        if origin and origin != _own_origin(request) and origin not in web_form.allowed_origins:
            return HttpResponseForbidden(_("This form cannot be sent from that site."))
        form = ReferralInquiryForm(request.POST, web_form=web_form, language=language)
        if form.is_valid():
            if form.cleaned_data.get("website"):
                sent = True  # a bot filled the honeypot: thank it, keep nothing
            else:
                try:
                    lead_capture.check_form_token(web_form, form.cleaned_data["started"])
                    capture_referral_inquiry(
                        web_form=web_form,
                        data=form.cleaned_data,
                        consent_purposes=form.consent_purposes(),
                        ip_address=request.META.get("REMOTE_ADDR") or None,
                        language=language,
                    )
                except lead_capture.SpamRefused:
                    form.add_error(None, _("Please take a moment to check the form, then send it again."))
                except ValidationError as error:
                    add_validation_error(form, error)
                else:
                    sent = True
            if sent and web_form.success_redirect_url:
                return _frame_policy(request, redirect(web_form.success_redirect_url), web_form)
        status = 200 if sent else 400
    else:
        form = ReferralInquiryForm(web_form=web_form, language=language)
    if not sent:
        if form.is_bound:
            data = request.POST.copy()
            data["started"] = lead_capture.form_token(web_form)
            form.data = data
        else:
            form.initial["started"] = lead_capture.form_token(web_form)
    response = render(
        request,
        "partners/referrals/inquiry.html",
        {"title": web_form.name, "web_form": web_form, "form": form, "sent": sent, "language": language},
        status=status,
    )
    return _frame_policy(request, response, web_form)
