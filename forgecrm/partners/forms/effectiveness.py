"""Filters of headquarters' channel effectiveness page: the period (a quarter or a year), a partner tier and a
partner."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import Account, Tier
from forgecrm.sales.queries.planning import Period

from ..queries.directory import partner_choices_for
from .directory import style


class EffectivenessFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), required=False)
    tier = forms.ChoiceField(label=_("tier"), required=False)
    partner = forms.ModelChoiceField(label=_("partner"), queryset=Account.objects.none(), required=False)

    def __init__(self, *args, actor, periods: list[Period], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(period.key, period.label) for period in periods]  # type: ignore[attr-defined]
        self.fields["tier"].choices = [("", _("All tiers")), *Tier.choices]  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partner_choices_for(actor)  # type: ignore[attr-defined]
        self.fields["partner"].empty_label = _("All partners")  # type: ignore[attr-defined]
        style(self)
