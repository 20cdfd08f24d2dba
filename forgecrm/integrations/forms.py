"""HTML forms of the webhook pages: they parse input; the operations decide (the SSRF guard runs there).

Plain forms, not model forms: a model form writes the input into the instance before the operation sees it.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DeliveryStatus, WebhookEndpoint
from .queries import webhook_event_type_choices


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
            continue
        css = (
            "form-check-input"
            if isinstance(widget, forms.CheckboxInput)
            else "form-select"
            if isinstance(widget, forms.Select)
            else "form-control"
        )
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.kr/forge/webhooks", "spellcheck": "false"}),
        help_text=_("https only, a public internet address; no user name or password in it."),
    )
    description = forms.CharField(label=_("Description"), max_length=200)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=webhook_event_type_choices,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: WebhookEndpoint | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "url": instance.url,
                    "description": instance.description,
                    "event_types": instance.event_types,
                    "is_active": instance.is_active,
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        _style(self)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *DeliveryStatus.choices], required=False)
    endpoint = forms.TypedChoiceField(label=_("Endpoint"), coerce=int, required=False, empty_value=None)
    event_type = forms.ChoiceField(label=_("Event"), required=False)

    def __init__(self, *args, endpoints: list[tuple[int, str]] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].choices = [("", _("All")), *endpoints]  # type: ignore[attr-defined]
        self.fields["event_type"].choices = [("", _("All")), *webhook_event_type_choices()]  # type: ignore[attr-defined]
        _style(self)
