"""HTML forms of the catalog: they parse and validate input; the views hand the result to operations."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forgecrm.platform.forms import VersionedForm

from .models import (
    Assignment,
    LifecycleStatus,
    Option,
    OptionGroup,
    OptionRule,
    PartnerProductNumber,
    PriceList,
    Product,
    ProductLine,
    RuleKind,
    validate_specs,
)
from .models.price_lists import WHOLE_UNIT_CURRENCIES, partner_tier_choices

TOM_SELECT = {"data-tom-select": "1"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AutocompleteSelect(forms.Select):
    """A Tom Select box rendering only the chosen option; the rest load from a scoped autocomplete URL."""

    def __init__(self, url: str = "", attrs=None):
        super().__init__(attrs)
        self.url = url

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), **TOM_SELECT, "data-autocomplete-url": self.url}
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        selected = {str(v) for v in value if v not in (None, "")}
        options = [self.create_option(name, "", "", False, 0)]
        if selected:
            chosen = self.choices.queryset.filter(pk__in=selected)  # type: ignore[attr-defined]
            options += [self.create_option(name, obj.pk, str(obj), True, i + 1) for i, obj in enumerate(chosen)]
        return [(None, options, 0)]


def style_fields(form: forms.BaseForm) -> None:
    """Tabler classes on every widget (checkboxes, selects, other inputs)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "")
        if css not in classes.split():
            widget.attrs["class"] = f"{classes} {css}".strip()


def specs_to_text(specs: list[dict]) -> str:
    return "\n".join(f"{entry['key']}: {entry['value']}" for entry in specs or [])


class SpecsField(forms.CharField):
    """Specifications typed one per line as `name: value` (냉방능력: 23.0 kW), stored as ordered pairs."""

    widget = forms.Textarea(attrs={"rows": 6, "placeholder": "냉방능력: 23.0 kW\n소비전력: 7.2 kW"})

    def prepare_value(self, value):
        return specs_to_text(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[dict]:
        text = super().to_python(value) or ""
        specs = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if ":" not in line:
                raise ValidationError(
                    _("Line %(n)s: write each specification as “name: value”."), code="specs_line", params={"n": number}
                )
            key, val = line.split(":", 1)
            specs.append({"key": key.strip(), "value": val.strip()})
        validate_specs(specs)
        return specs

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True


class AmountField(forms.DecimalField):
    """An amount in a currency without a minor unit (KRW): whole numbers, shown with ₩."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")


class ProductForm(VersionedForm):
    list_price = AmountField(label=_("List price (KRW)"), min_value=0)
    standard_cost = AmountField(
        label=_("Standard cost (KRW)"), min_value=0, required=False, help_text=_("Internal only.")
    )
    specs = SpecsField(label=_("Specifications"), required=False, help_text=_("One per line: name: value"))

    class Meta:
        model = Product
        fields = ["sku", "name", "name_en", "product_line", "unit", "status", "specs", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "description": _("Basic formatting is kept (bold, lists, tables, links); scripts are removed."),
        }

    wide_fields = ("specs", "description")

    def __init__(self, *args, product_lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product_lines is not None:
            self.fields["product_line"].queryset = product_lines
        self.fields["product_line"].widget.attrs.update(TOM_SELECT)
        self.order_fields(
            ["sku", "name", "name_en", "product_line", "unit", "status", "list_price", "standard_cost", "specs"]
        )
        if self.instance.pk:
            self.initial.setdefault("list_price", self.instance.list_price.amount)
            if self.instance.standard_cost is not None:
                self.initial.setdefault("standard_cost", self.instance.standard_cost.amount)
            self.initial.setdefault("version", self.instance.version)
        style_fields(self)


class ProductLineForm(VersionedForm):
    class Meta:
        model = ProductLine
        fields = ["code", "name", "name_en", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    wide_fields = ("description",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        style_fields(self)


class PriceListForm(VersionedForm):
    assignment = forms.ChoiceField(
        label=_("Assigned to"),
        choices=Assignment.choices,
        initial=Assignment.DEFAULT,
        help_text=_("Then choose the partner, the partner tier or the customer segment; the others are ignored."),
    )

    class Meta:
        model = PriceList
        fields = ["name", "currency", "valid_from", "valid_to", "partner", "partner_tier", "segment", "is_default"]
        fields += ["description"]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "is_default": forms.HiddenInput(),
        }

    wide_fields = ("description",)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        field_order = ["name", "currency", "valid_from", "valid_to", "assignment", "partner", "partner_tier", "segment"]
        self.order_fields([*field_order, "description"])
        if partners is not None:
            self.fields["partner"].queryset = partners
        self.fields["partner"].widget.attrs.update(TOM_SELECT)
        self.fields["partner_tier"].choices = [("", "---------"), *partner_tier_choices()]
        self.fields["is_default"].required = False
        if self.instance.pk:
            self.initial.setdefault("assignment", self.instance.assignment)
            self.initial.setdefault("version", self.instance.version)
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        assignment = cleaned.get("assignment")
        required = {Assignment.PARTNER: "partner", Assignment.TIER: "partner_tier", Assignment.SEGMENT: "segment"}
        # Only the chosen assignment is kept; the other fields are emptied so that exactly one applies.
        cleaned["partner"] = cleaned.get("partner") if assignment == Assignment.PARTNER else None
        cleaned["partner_tier"] = cleaned.get("partner_tier", "") if assignment == Assignment.TIER else ""
        cleaned["segment"] = (cleaned.get("segment") or "").strip() if assignment == Assignment.SEGMENT else ""
        cleaned["is_default"] = assignment == Assignment.DEFAULT
        needed = required.get(assignment)
        if needed and not cleaned.get(needed):
            self.add_error(needed, _("Required for this assignment."))
        return cleaned

    def _post_clean(self):
        # The model's own assignment check runs on what clean() kept.
        for name in ("partner", "partner_tier", "segment", "is_default"):
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()


class TierRow(forms.Form):
    min_quantity = forms.IntegerField(
        label=_("From quantity"),
        min_value=2,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("From quantity"), "inputmode": "numeric"}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        min_value=0,
        max_digits=18,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("Unit price"), "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        quantity, price = cleaned.get("min_quantity"), cleaned.get("unit_price")
        if (quantity is None) != (price is None):
            raise ValidationError(_("Give both a quantity and a price, or neither."))
        return cleaned


TierFormSet = forms.formset_factory(TierRow, extra=3, max_num=20, validate_max=True)


class PriceListItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=18, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, products=None, currency: str = "KRW", autocomplete_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        if products is not None:
            self.fields["product"].queryset = products
        self.fields["product"].widget = AutocompleteSelect(autocomplete_url)
        self.fields["product"].widget.choices = self.fields["product"].choices
        self.fields["unit_price"].label = _("Unit price (%(currency)s)") % {"currency": currency}
        style_fields(self)

    def clean_unit_price(self) -> Decimal:
        amount = self.cleaned_data["unit_price"]
        if self.currency in WHOLE_UNIT_CURRENCIES and amount != amount.to_integral_value():
            raise ValidationError(
                _("%(currency)s has no minor unit: enter a whole amount."), params={"currency": self.currency}
            )
        return amount


class OptionGroupForm(VersionedForm):
    class Meta:
        model = OptionGroup
        fields = ["name", "name_en", "min_selections", "max_selections", "required", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        style_fields(self)


class OptionForm(VersionedForm):
    price_delta = forms.DecimalField(
        label=_("Price difference (KRW)"),
        max_digits=18,
        decimal_places=0,
        initial=0,
        help_text=_("Added to the list price when chosen; negative for a reduction."),
    )

    class Meta:
        model = Option
        fields = ["sku", "name", "name_en", "is_default", "is_active", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["sku", "name", "name_en", "price_delta", "position", "is_default", "is_active"])
        if self.instance.pk:
            self.initial.setdefault("price_delta", self.instance.price_delta.amount)
            self.initial.setdefault("version", self.instance.version)
        style_fields(self)


class OptionRuleForm(forms.ModelForm):
    class Meta:
        model = OptionRule
        fields = ["option", "kind", "target_option", "target_product"]

    def __init__(self, *args, options=None, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = RuleKind.choices
        if options is not None:
            self.fields["option"].queryset = options
            self.fields["target_option"].queryset = options
        if products is not None:
            self.fields["target_product"].queryset = products
        for name in ("option", "target_option", "target_product"):
            self.fields[name].widget.attrs.update(TOM_SELECT)
        style_fields(self)


class PartnerProductNumberForm(VersionedForm):
    class Meta:
        model = PartnerProductNumber
        fields = ["partner", "partner_sku", "partner_name"]

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners
        self.fields["partner"].widget.attrs.update(TOM_SELECT)
        if self.instance.pk:
            self.fields["partner"].disabled = True
            self.initial.setdefault("version", self.instance.version)
        style_fields(self)


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Lifecycle status"), choices=[("", _("All")), *LifecycleStatus.choices], required=False
    )

    def __init__(self, *args, product_lines=None, statuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product_lines is not None:
            self.fields["product_line"].queryset = product_lines
        if statuses is not None:
            self.fields["status"].choices = [("", _("All")), *statuses]
        style_fields(self)


class PriceListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    assignment = forms.ChoiceField(
        label=_("Assigned to"), choices=[("", _("All")), *Assignment.choices], required=False
    )
    current = forms.ChoiceField(
        label=_("Validity"), choices=[("", _("All")), ("today", _("Valid today"))], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
