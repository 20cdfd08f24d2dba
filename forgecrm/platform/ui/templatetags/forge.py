import json

from django import template

from ...korea.brn import format_brn
from ...korea.money import format_money
from ...korea.phone import display_phone

register = template.Library()


@register.filter
def money(amount, currency: str = "KRW") -> str:
    return format_money(amount, currency or "KRW")


@register.filter
def phone(value: str) -> str:
    return display_phone(value)


@register.filter
def brn(value: str) -> str:
    return format_brn(value) if value else ""


@register.inclusion_tag("platform/chart.html")
def chart(figure, table: bool = True):
    """`{% chart figure %}`: the figure's chart and, beside it, its numbers (see platform/ui/charts.py)."""
    return {"figure": figure, "option": json.dumps(figure.option, ensure_ascii=False), "table": table}
