"""Lead offers made to the partner: the inbox, one offer, accept / reject (one tap, HTMX) and a distributor's
re-routing to one of its dealers. The operations check the rules (exactly the offered organisation, while the
offer is open, before its deadline); a lost race or a passed deadline becomes a plain message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.partners.models import OfferStatus
from forgecrm.partners.operations import distribution
from forgecrm.partners.queries import portal as queries
from forgecrm.platform.access import get_for_or_404
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.lists import keyset_page

from ..access import actor, is_htmx, portal_context, portal_view
from ..forms.offers import RejectOfferForm, RerouteForm

TABS = [("open", _("Waiting for you")), ("accepted", _("Accepted")), ("", _("All"))]


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def _row(request: HttpRequest, offer, *, notice: str = "", level: str = "success") -> HttpResponse:
    return render(
        request,
        "partner_portal/offers/_row.html",
        {"offer": offer, "notice": notice, "level": level, "reject_form": RejectOfferForm()},
    )


@portal_view
def offer_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "open")
    if tab not in {key for key, _label in TABS} | set(OfferStatus.values):
        tab = "open"
    page = keyset_page(
        queries.offer_list_for(request.user, status=tab),
        sort="-offered_at",
        allowed={"offered_at": "offered_at"},
        cursor=request.GET.get("cursor", ""),
        size=25,
    )
    return render(
        request,
        "partner_portal/offers/list.html",
        {
            **portal_context(request),
            "title": _("Lead offers"),
            "page": page,
            "tab": tab,
            "tabs": [(key, str(label)) for key, label in TABS],
            "reject_form": RejectOfferForm(),
            "nav": "offers",
        },
    )


@portal_view
def offer_detail(request: HttpRequest, pk: int, status: int = 200) -> HttpResponse:
    offer = queries.get_offer_for(request.user, pk)
    may_reroute = request.user.has_perm("partners.reroute_lead", offer)
    dealers = queries.dealers_for(request.user, offer) if may_reroute else []
    return render(
        request,
        "partner_portal/offers/detail.html",
        {
            **portal_context(request),
            "title": _("Lead offer"),
            "offer": offer,
            "may_respond": request.user.has_perm("partners.respond_to_offer", offer),
            "reject_form": RejectOfferForm(),
            "reroute_form": RerouteForm(dealers=dealers) if dealers else None,
            "nav": "offers",
        },
        status=status,
    )


def _answer(request: HttpRequest, pk: int, answer) -> HttpResponse:
    offer = queries.get_offer_for(request.user, pk)
    status = 200
    try:
        notice, level = answer(offer), "success"
    except PermissionDenied:
        if offer.status == OfferStatus.OFFERED:
            raise  # not this organisation's to answer (a distributor's admin on its dealer's offer)
        # Answered meanwhile (a colleague, the recall task): refused, with the reason in plain words.
        notice, level, status = _("This offer was already answered or recalled."), "warning", 403
    except ValidationError as error:
        notice, level = _messages_of(error), "warning"
    offer = queries.get_offer_for(request.user, pk)
    if is_htmx(request):
        response = _row(request, offer, notice=notice, level=level)
        response.status_code = status
        return response
    getattr(messages, level)(request, notice)
    if status != 200:
        return offer_detail(request, pk, status=status)
    if level == "success" and offer.status == OfferStatus.ACCEPTED:
        return redirect("partner_portal:lead-detail", offer.lead_id)
    return redirect("partner_portal:offer-detail", offer.pk)


@require_POST
@portal_view
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def accept(offer):
        distribution.accept_lead_offer(actor=actor(request), offer=offer)
        return _("Accepted: the lead is yours to work. Report its progress here.")

    return _answer(request, pk, accept)


@require_POST
@portal_view
def offer_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def reject(offer):
        form = RejectOfferForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose why you reject this lead."))
        distribution.reject_lead_offer(
            actor=actor(request), offer=offer, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
        return _("Rejected. Headquarters offers the lead to another partner.")

    return _answer(request, pk, reject)


@require_POST
@portal_view
def offer_reroute(request: HttpRequest, pk: int) -> HttpResponse:
    offer = queries.get_offer_for(request.user, pk)
    if not request.user.has_perm("partners.reroute_lead", offer):
        raise PermissionDenied
    form = RerouteForm(request.POST, dealers=queries.dealers_for(request.user, offer))
    if form.is_valid():
        from forgecrm.customers.models import Account

        dealer = get_for_or_404(request.user, Account, pk=form.cleaned_data["dealer"])
        try:
            distribution.reroute_lead_to_dealer(actor=actor(request), offer=offer, dealer=dealer)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, _("Passed to %(dealer)s. They have until the deadline to accept.") % {"dealer": dealer.name}
            )
            return redirect("partner_portal:offer-detail", offer.pk)
    for message in [str(error) for errors in form.errors.values() for error in errors]:
        messages.error(request, message)
    return redirect("partner_portal:offer-detail", offer.pk)
