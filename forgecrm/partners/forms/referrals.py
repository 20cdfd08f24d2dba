"""The public online-inquiry form (e-Showroom): what a visitor types, the consents the web form offers, and the
same spam traps as the sales lead form (a honeypot field and the signed fill time)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import ConsentPurpose
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.sales.models import WebForm

from .registrations import style


class ReferralInquiryForm(forms.Form):
    person_name = forms.CharField(label=_("Your name"), max_length=120)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=30, required=False)
    sido = forms.ChoiceField(label=_("시/도"), choices=[("", "—"), *[(name, name) for name in SIDO_NAMES]])
    sigungu = forms.CharField(label=_("시/군/구"), max_length=32, required=False)
    interest = forms.CharField(
        label=_("What are you looking for?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Honeypot: hidden from people by CSS and aria-hidden; a bot that fills every input gives itself away.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, web_form: WebForm, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        text = web_form.consent_text_ko if language == "ko" else (web_form.consent_text_en or web_form.consent_text_ko)
        labels = dict(ConsentPurpose.choices)
        for purpose in web_form.consent_purposes or []:
            if purpose in labels:
                self.fields[f"consent_{purpose}"] = forms.BooleanField(
                    label=labels[purpose], required=False, help_text=text
                )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        style(self)

    def clean(self):
        data = super().clean() or {}
        if not data.get("email") and not data.get("mobile"):
            raise ValidationError(_("Give an email address or a mobile number so that your dealer can answer."))
        return data

    def consent_purposes(self) -> list[str]:
        return [
            name.removeprefix("consent_")
            for name, value in self.cleaned_data.items()
            if name.startswith("consent_") and value
        ]

    def consent_fields(self):
        return [self[name] for name in self.fields if name.startswith("consent_")]

    def person_fields(self):
        names = ("person_name", "company_name", "email", "mobile", "sido", "sigungu", "interest")
        return [self[name] for name in names]
