"""`{% activity_panel record %}`: the regarding panel of any record with an access scope (see views/panel.py).

Pages may equally `{% include "activities/regarding_panel.html" with record=... %}`, which calls this tag."""

from django import template

from ..views.panel import panel_context

register = template.Library()


@register.inclusion_tag("activities/panel/panel.html", takes_context=True)
def activity_panel(context, record):
    return panel_context(context["request"], record)
