"""Headquarters' sell-through page filters: partner, product line, month."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account

from ..queries.directory import partner_choices_for
from .directory import product_lines_for, style


class ChannelFilterForm(forms.Form):
    month = forms.TypedChoiceField(label=_("month"), required=False, coerce=dt.date.fromisoformat)
    partner = forms.ModelChoiceField(label=_("partner"), queryset=Account.objects.none(), required=False)
    product_line = forms.ModelChoiceField(label=_("product line"), queryset=ProductLine.objects.none(), required=False)

    def __init__(self, *args, actor, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(day.isoformat(), day.strftime("%Y-%m")) for day in months]  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partner_choices_for(actor)  # type: ignore[attr-defined]
        self.fields["partner"].empty_label = _("All partners")  # type: ignore[attr-defined]
        self.fields["product_line"].queryset = product_lines_for(actor)  # type: ignore[attr-defined]
        self.fields["product_line"].empty_label = _("All product lines")  # type: ignore[attr-defined]
        style(self)
