"""Is a product configured correctly? Group minimums and maximums, then requires/excludes rules.

`validate_configuration` is pure (reads only) and returns every problem at once as sentences a user can act
on; an empty list means the configuration is valid. Quotes call it for each configured line.
"""

from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models import Option, OptionGroup, OptionRule, Product, RuleKind


def _label(option: Option) -> str:
    return f"{option.name} ({option.sku})"


def validate_configuration(
    product: Product, selected_option_ids: Iterable[int], *, quote_product_ids: Iterable[int] | None = None
) -> list[str]:
    """Errors of choosing `selected_option_ids` for `product` ([] when valid).

    Rules that target another product are checked only when `quote_product_ids` (the other products of the
    same quote) is given.
    """
    selected = {int(pk) for pk in selected_option_ids}
    groups = list(
        OptionGroup.objects.filter(product=product).prefetch_related(
            Prefetch("options", queryset=Option.objects.filter(is_active=True))
        )
    )
    options = {option.pk: option for group in groups for option in group.options.all()}
    errors: list[str] = []

    unknown = sorted(selected - set(options))
    if unknown:
        errors.append(
            _("Options %(ids)s are not available for %(product)s.")
            % {"ids": ", ".join(f"#{pk}" for pk in unknown), "product": product.name}
        )
    for group in groups:
        count = sum(1 for option in group.options.all() if option.pk in selected)
        if count < group.effective_min:
            if group.effective_min == 1:
                errors.append(_("Choose an option in “%(group)s”.") % {"group": group.name})
            else:
                errors.append(
                    _("Choose at least %(min)s options in “%(group)s” (%(count)s chosen).")
                    % {"min": group.effective_min, "group": group.name, "count": count}
                )
        if group.max_selections is not None and count > group.max_selections:
            errors.append(
                _("Choose at most %(max)s options in “%(group)s” (%(count)s chosen).")
                % {"max": group.max_selections, "group": group.name, "count": count}
            )

    others = None if quote_product_ids is None else {int(pk) for pk in quote_product_ids}
    # A rule on a withdrawn option is dormant: it can neither fire nor be satisfied.
    rules = (
        OptionRule.objects.filter(product=product)
        .exclude(option__is_active=False)
        .exclude(target_option__is_active=False)
        .select_related("option", "target_option", "target_product")
    )
    for rule in rules:
        if rule.option_id is not None and rule.option_id not in selected:
            continue
        source = _label(rule.option) if rule.option is not None else product.name
        if rule.target_option is not None:
            chosen = rule.target_option_id in selected
            target = _label(rule.target_option)
        elif others is not None and rule.target_product is not None:
            chosen = rule.target_product_id in others
            target = f"{rule.target_product.name} ({rule.target_product.sku})"
        else:
            continue
        if rule.kind == RuleKind.REQUIRES and not chosen:
            errors.append(_("%(source)s requires %(target)s.") % {"source": source, "target": target})
        elif rule.kind == RuleKind.EXCLUDES and chosen:
            errors.append(_("%(source)s cannot be combined with %(target)s.") % {"source": source, "target": target})
    return errors
