"""The upload form and the mapping form of the preview page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import AccountKind

from .mapping import Target, fields_for

MODE_CHOICES = (
    ("fill", _("Fill in empty fields of the existing record")),
    ("overwrite", _("Overwrite the existing record with the file's values")),
    ("skip", _("Leave the existing record as it is (skip the row)")),
)
RADIO = forms.RadioSelect(attrs={"class": "form-check-input"})
KIND_CHOICES = [(value, label) for value, label in AccountKind.choices if value != AccountKind.PARTNER]


class ImportUploadForm(forms.Form):
    target = forms.ChoiceField(
        label=_("What the file holds"), choices=Target.CHOICES, initial=Target.ACCOUNTS, widget=RADIO
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or CP949/EUC-KR, comma, semicolon or tab) or Excel .xlsx, up to %(mb)s MB.")
        % {"mb": settings.FORGE_IMPORT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx", "class": "form-control"}),
    )
    mode = forms.ChoiceField(
        label=_("When a row matches an existing record"), choices=MODE_CHOICES, initial="fill", widget=RADIO
    )
    account_kind = forms.ChoiceField(
        label=_("Kind of new accounts"),
        choices=KIND_CHOICES,
        initial=AccountKind.PROSPECT,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.FORGE_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.FORGE_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportMappingForm(forms.Form):
    """One choice per file column, plus how matches are handled."""

    mode = forms.ChoiceField(label=_("When a row matches an existing record"), choices=MODE_CHOICES, widget=RADIO)
    account_kind = forms.ChoiceField(
        label=_("Kind of new accounts"), choices=KIND_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, headers: list[str], target: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —"))] + [(field.key, field.label) for field in fields_for(target)]
        self.column_names = []
        for index, header in enumerate(headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or f"#{index + 1}",
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.column_names.append(name)

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data[name] for name in self.column_names if self.cleaned_data[name]
        }
