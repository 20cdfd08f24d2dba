from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class VersionedForm(forms.ModelForm):
    """A model form that carries the version it was rendered from, so a stale save becomes a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
