"""Query-string filters shared by every app's API."""

import django_filters

BIGINT_MAX = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A record id in the query string: a whole number within the database's bigint range. Anything else
    (`1e308`, `1.5`) is a 400 with the field named, never an overflow in the database driver (a 500)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -BIGINT_MAX)
        kwargs.setdefault("max_value", BIGINT_MAX)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
