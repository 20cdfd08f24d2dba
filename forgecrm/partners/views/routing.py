"""Tier rules, lead routing rules and the routing console (one lead, a bulk of many as a job with a progress bar,
a manual offer to a chosen partner). Headquarters only: partners never see routing rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.access import get_for_or_404
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.models import Job
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Lead

from ..forms.routing import ConsoleFilterForm, ManualOfferForm, RoutingRuleForm, TierRuleForm
from ..operations import routing as operations
from ..queries import routing as queries
from .directory import _header, _internal

MAX_BULK = 10_000


def _router(request: HttpRequest) -> None:
    if not request.user.has_perm("partners.route_lead"):
        raise PermissionDenied


def _manager(request: HttpRequest) -> None:
    if not request.user.has_perm("partners.manage_partner"):
        raise PermissionDenied


@login_required
def tier_rules(request: HttpRequest) -> HttpResponse:
    _internal(request)
    return render(
        request,
        "partners/routing/tiers.html",
        {
            "title": _("Partner tiers"),
            "rules": list(queries.tier_rules_for(request.user)),
            "can_manage": request.user.has_perm("partners.manage_partner"),
        },
    )


@login_required
def tier_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    rule = queries.get_tier_rule_for(request.user, pk)
    _manager(request)
    context = {
        "title": _("Tier %(tier)s") % {"tier": rule.get_tier_display()},
        "cancel_url": reverse("partners:tier-rules"),
    }
    form = TierRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in TierRuleForm.Meta.fields}
        try:
            operations.save_tier_rule(
                actor=request.user, tier=rule.tier, values=values, expected_version=form.cleaned_data["version"]
            )
        except ConflictError as conflict:
            return render(
                request,
                "platform/form.html",
                {**context, "form": TierRuleForm(instance=conflict.current), "conflict": True},
                status=409,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Tier rule saved."))
            return redirect("partners:tier-rules")
    return render(request, "platform/form.html", {**context, "form": form}, status=400 if form.errors else 200)


@login_required
def routing_rule_list(request: HttpRequest) -> HttpResponse:
    _internal(request)
    return render(
        request,
        "partners/routing/rules.html",
        {
            "title": _("Lead routing rules"),
            "rules": list(queries.routing_rules_for(request.user)),
            "can_manage": request.user.has_perm("partners.manage_partner"),
        },
    )


def _rule_form(request, form, *, rule=None, conflict=False, status=200):
    title = _("Edit routing rule %(name)s") % {"name": rule} if rule else _("New routing rule")
    return render(
        request,
        "platform/form.html",
        {"title": title, "form": form, "conflict": conflict, "cancel_url": reverse("partners:routing-rule-list")},
        status=status,
    )


@login_required
def routing_rule_create(request: HttpRequest) -> HttpResponse:
    _internal(request)
    _manager(request)
    form = RoutingRuleForm(request.POST or None, actor=request.user)
    if request.method != "POST":
        return _rule_form(request, form)
    if form.is_valid():
        try:
            operations.create_routing_rule(actor=request.user, values=form.values())
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Routing rule saved."))
            return redirect("partners:routing-rule-list")
    return _rule_form(request, form, status=400)


@login_required
def routing_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    rule = queries.get_routing_rule_for(request.user, pk)
    _manager(request)
    form = RoutingRuleForm(request.POST or None, instance=rule, actor=request.user)
    if request.method != "POST":
        return _rule_form(request, form, rule=rule)
    if form.is_valid():
        try:
            operations.update_routing_rule(
                actor=request.user, rule=rule, expected_version=form.cleaned_data["version"], changes=form.values()
            )
        except ConflictError as conflict:
            current = RoutingRuleForm(instance=conflict.current, actor=request.user)
            return _rule_form(request, current, rule=rule, conflict=True, status=409)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Routing rule saved."))
            return redirect("partners:routing-rule-list")
    return _rule_form(request, form, rule=rule, status=400)


@login_required
@require_POST
def routing_rule_reorder(request: HttpRequest) -> HttpResponse:
    """The rules in the order posted (`rule` repeated); the first runs first."""
    _internal(request)
    _manager(request)
    ids = [int(value) for value in request.POST.getlist("rule") if value.isdigit()]
    moved = request.POST.get("move", "")
    if moved and ":" in moved:
        # Up/down buttons without JavaScript: "<id>:up" or "<id>:down".
        pk_text, direction = moved.split(":", 1)
        ids = [rule.pk for rule in queries.routing_rules_for(request.user)]
        if pk_text.isdigit() and int(pk_text) in ids:
            index = ids.index(int(pk_text))
            other = index - 1 if direction == "up" else index + 1
            if 0 <= other < len(ids):
                ids[index], ids[other] = ids[other], ids[index]
    operations.reorder_routing_rules(actor=request.user, rule_ids=ids)
    if getattr(request, "htmx", False):
        return render(
            request,
            "partners/routing/_rules_table.html",
            {"rules": list(queries.routing_rules_for(request.user)), "can_manage": True},
        )
    return redirect("partners:routing-rule-list")


class RoutingConsoleView(ScopedListView):
    title = _header(gettext_lazy("Routing console"))
    template_name = "partners/routing/console.html"
    row_template = "partners/routing/console_row.html"
    sorts = {"created": "created_at", "score": "score"}
    default_sort = "-created"
    headers = [
        ("", _header(gettext_lazy("Lead"))),
        ("", _header(gettext_lazy("시/도"))),
        ("", _header(gettext_lazy("product line"))),
        ("", _header(gettext_lazy("source"))),
        ("score", _header(gettext_lazy("score"))),
        ("created", _header(gettext_lazy("created at"))),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _router(request)
        return super().dispatch(request, *args, **kwargs)

    def filters(self):
        form = ConsoleFilterForm(self.request.GET or None, actor=self.request.user)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def query(self, actor, filters):
        return queries.unassigned_leads_for(actor, filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job_id = self.request.GET.get("job", "")
        job = None
        if job_id.isdigit():
            job = get_for_or_404(self.request.user, Job, pk=int(job_id), kind=operations.BULK_ROUTING_JOB)
        context.update(job=job, hidden_on_phone=(2, 3, 4, 5), max_bulk=MAX_BULK)
        return context


@login_required
@require_POST
def routing_bulk(request: HttpRequest) -> HttpResponse:
    """Route the ticked leads, or every lead matching the console's filters (`all`), as a job."""
    _router(request)
    if request.POST.get("all"):
        form = ConsoleFilterForm(request.POST, actor=request.user)
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])} if form.is_valid() else {}
        ids = list(
            queries.unassigned_leads_for(request.user, filters).order_by("pk").values_list("pk", flat=True)[:MAX_BULK]
        )
    else:
        wanted = [value for value in request.POST.getlist("lead") if value.isdigit()][:MAX_BULK]
        ids = list(queries.unassigned_leads_for(request.user).filter(pk__in=wanted).values_list("pk", flat=True))
    try:
        job = operations.queue_bulk_routing(actor=request.user, lead_ids=ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partners:routing-console")
    return redirect(reverse("partners:routing-console") + f"?job={job.pk}")


@login_required
def lead_routing(request: HttpRequest, pk: int) -> HttpResponse:
    """One lead's distribution timeline, the rule that applies, the next candidates and a manual offer."""
    _router(request)
    page = queries.lead_routing_page_for(request.user, pk)
    return render(
        request,
        "partners/routing/lead.html",
        {"title": str(page.lead), "page": page, "offer_form": ManualOfferForm(actor=request.user)},
    )


@login_required
@require_POST
def lead_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer the lead to the chosen partner, or to the best partner by the rules when none is chosen."""
    _router(request)
    lead = get_for_or_404(request.user, Lead, pk=pk)
    form = ManualOfferForm(request.POST, actor=request.user)
    if form.is_valid():
        partner = form.cleaned_data["partner"]
        try:
            if partner is not None:
                offer = operations.offer_lead_to_partner(actor=request.user, lead=lead, partner=partner)
            else:
                from ..operations.distribution import route_lead_to_partner

                offer = route_lead_to_partner(actor=request.user, lead=lead)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if offer is None:
                messages.warning(request, _("No partner qualifies: the lead stays with headquarters."))
            else:
                messages.success(request, _("Offered to %(partner)s.") % {"partner": offer.partner})
            return redirect("partners:lead-routing", pk)
    page = queries.lead_routing_page_for(request.user, pk)
    return render(
        request, "partners/routing/lead.html", {"title": str(page.lead), "page": page, "offer_form": form}, status=400
    )
