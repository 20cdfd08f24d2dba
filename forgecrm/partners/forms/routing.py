"""Forms of the routing pages: tier rules, routing rules, the console's filters and a manual offer."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account, Tier
from forgecrm.sales.models import LeadSource

from ..models import LeadRoutingRule, TierRule
from ..queries.directory import partner_choices_for
from .directory import product_lines_for, sido_choices, style


class TierRuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TierRule
        fields = ["rank", "min_annual_sell_through", "min_certified_people", "min_performance_score", "lead_priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        style(self)


class RoutingRuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LeadRoutingRule
        fields = [
            "name",
            "priority",
            "is_active",
            "product_line",
            "sido",
            "lead_source",
            "min_tier",
            "require_coverage",
            "require_authorization",
            "offer_to_distributors",
            "response_hours",
            "max_offers",
        ]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = product_lines_for(actor)  # type: ignore[attr-defined]
        self.fields["product_line"].empty_label = _("Any")  # type: ignore[attr-defined]
        self.fields["sido"] = forms.ChoiceField(label=_("시/도"), required=False, choices=sido_choices(empty=_("Any")))
        self.fields["lead_source"] = forms.ChoiceField(
            label=_("lead source"), required=False, choices=[("", _("Any")), *LeadSource.choices]
        )
        self.fields["min_tier"].choices = [("", _("Any")), *Tier.choices]  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        style(self)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sido = forms.ChoiceField(label=_("시/도"), required=False)
    product_line = forms.ModelChoiceField(label=_("product line"), required=False, queryset=ProductLine.objects.none())
    source = forms.ChoiceField(label=_("lead source"), required=False)
    min_score = forms.IntegerField(label=_("score at least"), required=False, min_value=-32767, max_value=32767)
    created_from = forms.DateField(
        label=_("created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sido"].choices = sido_choices()  # type: ignore[attr-defined]
        self.fields["product_line"].queryset = product_lines_for(actor)  # type: ignore[attr-defined]
        self.fields["product_line"].empty_label = _("All")  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", _("All")), *LeadSource.choices]  # type: ignore[attr-defined]
        style(self)


class ManualOfferForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("partner"),
        required=False,
        queryset=Account.objects.none(),
        empty_label=_("The best partner by the rules"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices_for(actor)  # type: ignore[attr-defined]
        style(self)


class PeriodForm(forms.Form):
    period = forms.DateField(label=_("month"), required=False)
    tier = forms.ChoiceField(label=_("tier"), required=False)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"] = forms.TypedChoiceField(
            label=_("month"),
            required=False,
            coerce=dt.date.fromisoformat,
            choices=[(day.isoformat(), day.strftime("%Y-%m")) for day in periods],
        )
        self.fields["tier"].choices = [("", _("All")), *Tier.choices]  # type: ignore[attr-defined]
        style(self)
