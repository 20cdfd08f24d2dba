"""The one list page every app uses: access-scoped rows, filters, search, sorting, keyset pages, export."""

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.views.generic import TemplateView

from ..exports import Column, export_response
from .lists import keyset_page, resolve_sort, sort_field


class ScopedListView(LoginRequiredMixin, TemplateView):
    """Subclasses give `query` (actor, filters) -> QuerySet from the app's queries.py, plus columns and sorts."""

    template_name = "platform/list.html"
    row_template = ""
    title = ""
    filter_form_class: type[forms.Form] | None = None
    sorts: dict[str, str] = {}
    default_sort = "-id"
    export_columns: list[Column] = []
    export_name = "export"
    create_url_name = ""
    headers: list[tuple[str, str]] = []  # (sort key or "", label)
    page_size = 50
    export_limit = 100_000

    def query(self, actor, filters: dict[str, Any]) -> QuerySet:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def after_export(self, rows: list[Any]) -> None:
        """Hook: personal-data views log exported people here."""

    def filters(self) -> tuple[forms.Form | None, dict[str, Any]]:
        if not self.filter_form_class:
            return None, {}
        form = self.filter_form_class(self.request.GET or None)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def get(self, request, *args, **kwargs):
        form, filters = self.filters()
        queryset = self.query(request.user, filters)
        sort = resolve_sort(request.GET.get("sort", ""), self.sorts, self.default_sort)
        export = request.GET.get("export")
        if export in {"csv", "xlsx"} and self.export_columns:
            field = sort_field(sort, self.sorts)
            rows = list(queryset.order_by(f"-{field}" if sort.startswith("-") else field, "pk")[: self.export_limit])
            self.after_export(rows)
            return export_response(export, rows, self.export_columns, self.export_name)
        page = keyset_page(
            queryset, sort=sort, allowed=self.sorts, cursor=request.GET.get("cursor", ""), size=self.page_size
        )
        context = self.get_context_data(form=form, page=page, sort=sort, filters=filters)
        template = "platform/list_rows.html" if request.htmx and request.GET.get("cursor") else self.template_name
        return self.render_to_response(context, template_name=template)

    def render_to_response(self, context, template_name=None, **response_kwargs):
        response_kwargs.setdefault("content_type", self.content_type)
        return self.response_class(
            request=self.request,
            template=[template_name or self.template_name],
            context=context,
            using=self.template_engine,
            **response_kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("cursor", None)
        params.pop("export", None)
        without_sort = params.copy()
        without_sort.pop("sort", None)
        context.update(
            title=self.title,
            row_template=self.row_template,
            headers=self.headers,
            create_url_name=self.create_url_name,
            base_query=params.urlencode(),
            query_without_sort=without_sort.urlencode(),
            can_export=bool(self.export_columns),
        )
        return context
