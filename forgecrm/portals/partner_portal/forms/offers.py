from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.partners.models import OfferRejectReason


class RejectOfferForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why not?"), choices=[("", "—"), *OfferRejectReason.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RerouteForm(forms.Form):
    dealer = forms.TypedChoiceField(label=_("Dealer"), coerce=int)

    def __init__(self, *args, dealers=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["dealer"]
        if isinstance(field, forms.ChoiceField):  # narrows the type
            field.choices = [("", "—"), *[(dealer.pk, dealer.name) for dealer in dealers]]
