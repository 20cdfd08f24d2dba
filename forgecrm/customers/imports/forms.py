"""The upload form and the mapping form of the preview page."""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import AccountKind

from .kinds import ImportKind, kind_for, registered_kinds
from .mapping import Target, fields_for


def _interpolate(text, values) -> str:
    return str(text) % values()


lazy_interpolation = lazy(_interpolate, str)

MODE_CHOICES = (
    ("fill", _("Fill in empty fields of the existing record")),
    ("overwrite", _("Overwrite the existing record with the file's values")),
    ("skip", _("Leave the existing record as it is (skip the row)")),
)
RADIO = forms.RadioSelect(attrs={"class": "form-check-input"})
KIND_CHOICES = [(value, label) for value, label in AccountKind.choices if value != AccountKind.PARTNER]


def _add_kind_options(form: forms.Form, kind: ImportKind, initial: dict | None = None) -> list[str]:
    """The kind's own options as form fields named `opt_<name>`."""
    names = []
    for option in kind.options:
        name = f"opt_{option.name}"
        value = (initial or {}).get(option.name, option.default)
        if option.choices:
            form.fields[name] = forms.ChoiceField(
                label=option.label,
                choices=option.choices,
                initial=value,
                help_text=option.help_text,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        elif isinstance(option.default, bool):
            form.fields[name] = forms.BooleanField(
                label=option.label,
                initial=value,
                required=False,
                help_text=option.help_text,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
        elif isinstance(option.default, int):
            form.fields[name] = forms.IntegerField(
                label=option.label,
                initial=value,
                min_value=0,
                max_value=3650,
                help_text=option.help_text,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        else:
            form.fields[name] = forms.CharField(
                label=option.label,
                initial=value,
                max_length=200,
                required=False,
                help_text=option.help_text,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        names.append(name)
    return names


def target_choices(actor) -> list[tuple[str, object]]:
    """The account import's targets, then every registered kind the actor may import."""
    return [*Target.CHOICES, *((kind.key, kind.label) for kind in registered_kinds() if kind.may_import(actor))]


class ImportUploadForm(forms.Form):
    target = forms.ChoiceField(
        label=_("What the file holds"), choices=Target.CHOICES, initial=Target.ACCOUNTS, widget=RADIO
    )
    file = forms.FileField(
        label=_("File"),
        # lazy to the end: `%` on a lazy string would fix the language of whoever imported the module first
        help_text=lazy_interpolation(
            _("CSV (UTF-8 or CP949/EUC-KR, comma, semicolon or tab) or Excel .xlsx, up to %(mb)s MB."),
            lambda: {"mb": settings.FORGE_IMPORT_MAX_BYTES // (1024 * 1024)},
        ),
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

    def __init__(self, *args, actor=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.fields["target"].choices = target_choices(actor)

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

    def __init__(
        self,
        *args,
        headers: list[str],
        target: str,
        unknown: dict[str, list[dict]] | None = None,
        suggestions: dict[str, list[str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = kind_for(target)
        self.kind = kind
        targets = list(kind.fields) if kind else fields_for(target)
        choices = [("", _("— not imported —"))] + [(field.key, field.label) for field in targets]
        self.option_names: list[str] = []
        self.value_groups: list[dict] = []
        if kind is not None:
            del self.fields["account_kind"]
            self.fields["mode"].choices = [choice for choice in MODE_CHOICES if choice[0] in kind.modes]
            self.option_names = _add_kind_options(self, kind, (kwargs.get("initial") or {}).get("options"))
            self._add_value_fields(kind, unknown or {}, suggestions or {})
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

    def _add_value_fields(self, kind: ImportKind, unknown: dict[str, list[dict]], suggestions: dict) -> None:
        """One text box per listed value of a reference (the file's value -> a known value, suggested)."""
        for position, reference in enumerate(kind.references):
            entries = unknown.get(reference.key, [])
            if not entries:
                continue
            group = {"label": reference.label, "key": reference.key, "list_id": f"values-{position}", "rows": []}
            group["suggestions"] = suggestions.get(reference.key, [])
            for number, entry in enumerate(entries):
                name = f"value_{position}_{number}"
                self.fields[name] = forms.CharField(
                    label=entry["value"] or _("(empty)"),
                    required=False,
                    max_length=200,
                    initial=entry.get("mapped", ""),
                    widget=forms.TextInput(
                        attrs={"class": "form-control form-control-sm", "list": group["list_id"], "autocomplete": "off"}
                    ),
                )
                group["rows"].append({"entry": entry, "name": name})
            self.value_groups.append(group)

    def value_fields(self) -> list[dict]:
        return [
            {**group, "rows": [{**row, "field": self[row["name"]]} for row in group["rows"]]}
            for group in self.value_groups
        ]

    def option_fields(self):
        return [self[name] for name in self.option_names]

    def value_map(self) -> dict[str, dict[str, str]]:
        """reference key -> file value -> the value typed; empty boxes map nothing."""
        mapped: dict[str, dict[str, str]] = {}
        for group in self.value_groups:
            for row in group["rows"]:
                value = (self.cleaned_data.get(row["name"]) or "").strip()
                if value:
                    mapped.setdefault(group["key"], {})[row["entry"]["value"]] = value
        return mapped

    def options(self) -> dict:
        return {name.removeprefix("opt_"): self.cleaned_data.get(name) for name in self.option_names}

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data[name] for name in self.column_names if self.cleaned_data[name]
        }
