from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.platform.models import Role

PORTAL_ROLE_CHOICES = [
    (Role.PARTNER_REP.value, Role.PARTNER_REP.label),
    (Role.PARTNER_ADMIN.value, Role.PARTNER_ADMIN.label),
]


class InviteUserForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    role = forms.ChoiceField(label=_("Role"), choices=PORTAL_ROLE_CHOICES)
    language = forms.ChoiceField(label=_("Language"), choices=[("ko", "한국어"), ("en", "English")])


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PORTAL_ROLE_CHOICES)


class AcceptInvitationForm(forms.Form):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(label=_("I accept the partner portal terms of use"), required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
