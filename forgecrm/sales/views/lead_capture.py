"""The public web form (anonymous, embeddable) and the lead-capture configuration pages: web forms, assignment
and scoring rules, the score model."""

from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forgecrm.platform.models import User
from forgecrm.platform.security import DEFAULT_POLICY, policy_header, rate_limited
from forgecrm.platform.versioning import ConflictError

from ..forms.leads import AssignmentRuleForm, PublicLeadForm, ScoringRuleForm, WebFormForm
from ..operations import lead_capture, lead_settings
from ..queries import leads as queries

# --- the public form -------------------------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _with_frame_policy(request: HttpRequest, response: HttpResponse, web_form) -> HttpResponse:
    """This page alone may be framed, and only by the form's allowed origins (CSP frame-ancestors; the
    X-Frame-Options header is left off so that it does not contradict)."""
    policy = {name: list(values) for name, values in getattr(settings, "FORGE_CSP", DEFAULT_POLICY).items()}
    policy["frame-ancestors"] = ["'self'", *web_form.allowed_origins]
    if web_form.success_redirect_url:
        policy["form-action"] = [*policy.get("form-action", ["'self'"]), _origin(web_form.success_redirect_url)]
    header = (
        "Content-Security-Policy-Report-Only"
        if getattr(settings, "FORGE_CSP_REPORT_ONLY", False)
        else "Content-Security-Policy"
    )
    response[header] = policy_header(policy, getattr(request, "csp_nonce", None))
    return response


def _user(request: HttpRequest) -> User:
    """The signed-in user (every management view is behind login_required)."""
    return cast(User, request.user)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@csrf_exempt  # framed on other sites, where our CSRF cookie is not sent; see the checks below instead
@xframe_options_exempt
@rate_limited("sales-web-form", per_address=5, per_ip=20, window_seconds=3600)
def public_web_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone may send it. Spam traps: a honeypot field, a signed fill-time token (too fast, too old or forged
    is refused), a rate limit per IP and per email; a POST from another site must come from an allowed origin."""
    web_form = queries.public_web_form(slug)
    if web_form is None:
        raise Http404
    language = request.GET.get("lang") or translation.get_language() or "ko"
    language = "en" if language.startswith("en") else "ko"
    translation.activate(language)
    sent = False
    if request.method == "POST":
        origin = request.headers.get("Origin", "")
        if origin and origin != _own_origin(request) and origin not in web_form.allowed_origins:
            return HttpResponseForbidden(_("This form cannot be sent from that site."))
        form = PublicLeadForm(request.POST, web_form=web_form, language=language)
        if form.is_valid():
            if form.cleaned_data.get("website"):
                sent = True  # a bot filled the honeypot: thank it, keep nothing
            else:
                try:
                    lead_capture.check_form_token(web_form, form.cleaned_data["started"])
                    lead_capture.capture_web_form_lead(
                        web_form=web_form,
                        data=form.cleaned_data,
                        consent_purposes=form.consent_purposes(),
                        ip_address=_client_ip(request),
                        language=language,
                    )
                except lead_capture.SpamRefused:
                    form.add_error(None, _("Please take a moment to check the form, then send it again."))
                except ValidationError as error:
                    from forgecrm.platform.forms import add_validation_error

                    add_validation_error(form, error)
                else:
                    sent = True
            if sent and web_form.success_redirect_url:
                return _with_frame_policy(request, redirect(web_form.success_redirect_url), web_form)
        status = 200 if sent else 400
    else:
        form = PublicLeadForm(web_form=web_form, language=language)
        status = 200
    if not sent:
        # A fresh fill-time token for the next try (the posted one may be the stale or fast one).
        if form.is_bound:
            data = request.POST.copy()
            data["started"] = lead_capture.form_token(web_form)
            form.data = data
        else:
            form.initial["started"] = lead_capture.form_token(web_form)
    response = render(
        request,
        "sales/leads/public_form.html",
        {"title": web_form.name, "web_form": web_form, "form": form, "sent": sent, "language": language},
        status=status,
    )
    return _with_frame_policy(request, response, web_form)


# --- web form management ---------------------------------------------------------------------------------------


def _require_capture(request: HttpRequest) -> None:
    if not request.user.has_perm("sales.manage_lead_capture"):
        raise PermissionDenied


@login_required
def web_form_list(request: HttpRequest) -> HttpResponse:
    if not _user(request).is_internal:
        raise PermissionDenied
    return render(
        request,
        "sales/leads/web_form_list.html",
        {
            "title": _("Web forms"),
            "forms": list(queries.web_forms_for(request.user)),
            "can_manage": request.user.has_perm("sales.manage_lead_capture"),
        },
    )


def _snippet(request: HttpRequest, web_form) -> str:
    url = request.build_absolute_uri(reverse("sales:web-form-public", args=[web_form.slug]))
    return (
        f'<iframe src="{url}" title="{web_form.name}" width="100%" height="720" '
        'style="border:0;max-width:640px" loading="lazy"></iframe>'
    )


def _web_form_page(request, form, web_form=None, conflict=False, status=200):
    return render(
        request,
        "sales/leads/config_form.html",
        {
            "title": _("Edit web form %(name)s") % {"name": web_form.name} if web_form else _("New web form"),
            "form": form,
            "conflict": conflict,
            "cancel_url": reverse("sales:web-form-list"),
            "snippet": _snippet(request, web_form) if web_form else "",
            "public_url": reverse("sales:web-form-public", args=[web_form.slug]) if web_form else "",
            "wide_fields": {"consent_text_ko", "consent_text_en", "allowed_origins", "consent_purposes"},
        },
        status=status,
    )


@login_required
def web_form_create(request: HttpRequest) -> HttpResponse:
    _require_capture(request)
    form = WebFormForm(request.POST or None, actor=_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            web_form = lead_settings.save_web_form(actor=_user(request), values=form.values())
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Web form %(name)s created.") % {"name": web_form.name})
            return redirect("sales:web-form-edit", web_form.pk)
    return _web_form_page(request, form, status=400 if form.errors else 200)


@login_required
def web_form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    web_form = queries.get_web_form_for(request.user, pk)
    _require_capture(request)
    form = WebFormForm(request.POST or None, instance=web_form, actor=_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            web_form = lead_settings.save_web_form(
                actor=_user(request),
                values=form.values(),
                web_form=web_form,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as conflict:
            return _web_form_page(
                request, WebFormForm(instance=conflict.current, actor=_user(request)), conflict.current, True, 409
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Web form %(name)s saved.") % {"name": web_form.name})
            return redirect("sales:web-form-edit", web_form.pk)
    return _web_form_page(request, form, web_form, status=400 if form.errors else 200)


# --- rules and the model ---------------------------------------------------------------------------------------


@login_required
def lead_rules(request: HttpRequest) -> HttpResponse:
    if not _user(request).is_internal:
        raise PermissionDenied
    user = request.user
    model = queries.active_score_model_for(user)
    return render(
        request,
        "sales/leads/rules.html",
        {
            "title": _("Lead rules"),
            "assignment_rules": list(queries.assignment_rules_for(user)),
            "scoring_rules": list(queries.scoring_rules_for(user)),
            "model": model,
            "metrics": queries.model_metrics(model),
            "can_manage_assignment": user.has_perm("sales.manage_sales_settings"),
            "can_manage_scoring": user.has_perm("sales.manage_lead_capture"),
        },
    )


def _rule_page(request, form, title, conflict=False, status=200):
    return render(
        request,
        "sales/leads/config_form.html",
        {"title": title, "form": form, "conflict": conflict, "cancel_url": reverse("sales:lead-rules")},
        status=status,
    )


def _rule_view(request, *, form_class, save, permission, instance=None, title=""):
    if not request.user.has_perm(permission):
        raise PermissionDenied
    form = form_class(request.POST or None, instance=instance, actor=_user(request))
    if request.method == "POST" and form.is_valid():
        kwargs = {"rule": instance, "expected_version": form.cleaned_data.get("version")} if instance else {}
        try:
            save(actor=_user(request), values=form.values(), **kwargs)
        except ConflictError as conflict:
            return _rule_page(request, form_class(instance=conflict.current, actor=_user(request)), title, True, 409)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("sales:lead-rules")
    return _rule_page(request, form, title, status=400 if form.errors else 200)


@login_required
def assignment_rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_view(
        request,
        form_class=AssignmentRuleForm,
        save=lead_settings.save_assignment_rule,
        permission="sales.manage_sales_settings",
        title=_("New assignment rule"),
    )


@login_required
def assignment_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from ..models import LeadAssignmentRule

    rule = queries.get_config_for(request.user, LeadAssignmentRule, pk)
    return _rule_view(
        request,
        form_class=AssignmentRuleForm,
        save=lead_settings.save_assignment_rule,
        permission="sales.manage_sales_settings",
        instance=rule,
        title=_("Edit assignment rule %(name)s") % {"name": rule.name},
    )


@login_required
def scoring_rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_view(
        request,
        form_class=ScoringRuleForm,
        save=lead_settings.save_scoring_rule,
        permission="sales.manage_lead_capture",
        title=_("New scoring rule"),
    )


@login_required
def scoring_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from ..models import LeadScoringRule

    rule = queries.get_config_for(request.user, LeadScoringRule, pk)
    return _rule_view(
        request,
        form_class=ScoringRuleForm,
        save=lead_settings.save_scoring_rule,
        permission="sales.manage_lead_capture",
        instance=rule,
        title=_("Edit scoring rule %(name)s") % {"name": rule.name},
    )


@login_required
@require_POST
def score_model_train(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sales.manage_lead_capture"):
        raise PermissionDenied
    model = lead_settings.train_score_model(actor=_user(request))
    if model is None:
        messages.warning(request, _("Not enough converted and disqualified leads yet to train a model."))
    else:
        from ..tasks import score_leads_task

        transaction.on_commit(lambda: score_leads_task.delay(None), robust=True)
        messages.success(
            request, _("Model trained on %(count)d leads; open leads are being re-scored.") % {"count": model.samples}
        )
    return redirect("sales:lead-rules")
