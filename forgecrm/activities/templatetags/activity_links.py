"""Links from activity pages to the records they regard (customers owns those pages)."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ..rich_text import sanitize_body

register = template.Library()


def _url(name: str, fallback: str, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback.format(pk=pk)


@register.filter
def account_url(account) -> str:
    return _url("customers:account-detail", "/accounts/{pk}/", getattr(account, "pk", account)) if account else ""


@register.filter
def contact_url(contact) -> str:
    return _url("customers:contact-detail", "/contacts/{pk}/", getattr(contact, "pk", contact)) if contact else ""


@register.filter
def is_overdue(activity, now=None) -> bool:
    """Mirrors queries.overdue_q for one loaded row (no query)."""
    if activity.status != "planned":
        return False
    now = now or timezone.now()
    moment = activity.due_at or activity.starts_at
    if moment is None:
        return False
    if activity.all_day:
        return timezone.localdate(moment) < timezone.localdate(now)
    return moment < now


@register.filter
def safe_body(value: str) -> SafeString:
    """The body cleaned again as it is shown: a row that skipped the operations (a restore, a bulk write)
    still cannot carry a script onto the page."""
    return mark_safe(sanitize_body(value or ""))  # nosec B308, B703  # the body is sanitised by nh3 on this line
