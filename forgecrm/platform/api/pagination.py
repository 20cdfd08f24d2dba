from rest_framework.pagination import CursorPagination


class KeysetCursorPagination(CursorPagination):
    """Cursor (keyset) pagination: constant cost at any depth, never OFFSET."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        # A unique tie-breaker keeps the cursor exact when the sort key repeats.
        if not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            ordering = (*ordering, "-id" if ordering[0].startswith("-") else "id")
        return ordering
