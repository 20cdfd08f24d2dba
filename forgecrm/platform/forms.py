from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class VersionedForm(forms.ModelForm):
    """A model form that carries the version it was rendered from, so a stale save becomes a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form (same answer whether or not the address is known), with the mail sent by a worker so
    that the response time does not tell a known address from an unknown one either."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from .tasks import send_email_task

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        send_email_task.delay(subject, body, [to_email], html)


def add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """An operation's ValidationError onto the form: on the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)
