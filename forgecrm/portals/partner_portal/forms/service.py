"""Opening a service request and writing in its thread (partners write public comments only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import Product
from forgecrm.partners.models import ServiceRequestKind, ServiceRequestPriority, ServiceRequestStatus
from forgecrm.platform.access import scope_for

from .registrations import style


class ServiceRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What it is about"), choices=ServiceRequestKind.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=ServiceRequestPriority.choices, initial=ServiceRequestPriority.NORMAL
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    product = forms.ModelChoiceField(
        label=_("Product (if any)"), required=False, queryset=Product.objects.none(), empty_label="—"
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = scope_for(actor, Product).order_by("name", "pk")  # type: ignore[attr-defined]  # a ModelChoiceField
        style(self)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ServiceRequestStatus.CLOSED, _("Close")), (ServiceRequestStatus.IN_PROGRESS, _("Reopen"))]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
