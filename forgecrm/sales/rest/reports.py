"""/api/v1/sales-reports/<report>/: the figures of the report pages as JSON (read-only, GET).

Query parameters as the pages take them: `period` (this_quarter (default), last_quarter, this_year, last_year,
custom, all), `date_from`/`date_to` (custom), `owner` (a user id inside the caller's subtree), `product_line`
(an id); win-rate also `by` (owner, product_line, month). Amounts are objects per currency code, never added
across currencies. Customers' portal users have no sales reports (403)."""

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from forgecrm.platform.access import principal_for
from forgecrm.platform.api.viewsets import ScopedViewSetMixin

from ..forms.reports import ReportFilterForm
from ..models import Opportunity
from ..queries.reports import (
    ReportFilters,
    WinRateBy,
    forecast_period,
    forecast_vs_quota_for,
    funnel_for,
    pipeline_by_owner_for,
    pipeline_by_stage_for,
    sales_cycle_for,
    sales_summary_for,
    top_accounts_for,
    totals_of,
    win_rates_for,
)


def amounts_field(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.DecimalField(max_digits=24, decimal_places=2, coerce_to_string=True),
        help_text="per currency code (KRW first); never added across currencies",
        **kwargs,
    )


class WindowSerializer(serializers.Serializer):
    period = serializers.CharField()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    owner_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    product_line_id = serializers.IntegerField(allow_null=True)


class PipelineRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField()
    amounts = amounts_field()
    weighted = amounts_field()


class PipelineSerializer(serializers.Serializer):
    window = WindowSerializer()
    by_stage = PipelineRowSerializer(many=True)
    by_owner = PipelineRowSerializer(many=True)
    total = PipelineRowSerializer()


class FunnelStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField()
    rate_from_previous = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    rate_from_first = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)


class FunnelSerializer(serializers.Serializer):
    window = WindowSerializer()
    steps = FunnelStepSerializer(many=True)


class WinRateRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    won_amounts = amounts_field()


class WinRateSerializer(serializers.Serializer):
    window = WindowSerializer()
    by = serializers.ChoiceField(choices=[WinRateBy.OWNER, WinRateBy.PRODUCT_LINE, WinRateBy.MONTH])
    rows = WinRateRowSerializer(many=True)


class CycleSerializer(serializers.Serializer):
    class CycleFigureSerializer(serializers.Serializer):
        key = serializers.CharField()
        label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
        count = serializers.IntegerField()
        median_days = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
        mean_days = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)

    window = WindowSerializer()
    figures = CycleFigureSerializer(many=True)


class ForecastVsQuotaSerializer(serializers.Serializer):
    class ForecastRowSerializer(serializers.Serializer):
        owner_id = serializers.IntegerField()
        label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
        quota = amounts_field()
        commit = amounts_field()
        best_case = amounts_field()
        won = amounts_field()
        open_weighted = amounts_field()
        submitted = serializers.BooleanField()
        attainment = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)

    window = WindowSerializer()
    period_kind = serializers.CharField()
    period_start = serializers.DateField()
    rows = ForecastRowSerializer(many=True)


class TopAccountsSerializer(serializers.Serializer):
    class TopAccountRowSerializer(serializers.Serializer):
        account_id = serializers.IntegerField()
        label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
        won_count = serializers.IntegerField()
        won_amounts = amounts_field()

    window = WindowSerializer()
    rows = TopAccountRowSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    class SummaryStageSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        count = serializers.IntegerField()
        amounts = amounts_field()

    window = WindowSerializer()
    by_stage = SummaryStageSerializer(many=True)
    won_count = serializers.IntegerField()
    lost_count = serializers.IntegerField()
    open_count = serializers.IntegerField()
    win_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    won_amounts = amounts_field()


FILTER_PARAMETERS = [
    OpenApiParameter("period", str, enum=["this_quarter", "last_quarter", "this_year", "last_year", "custom", "all"]),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD (period=custom)"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD (period=custom)"),
    OpenApiParameter("owner", int, description="a user id inside the caller's subtree"),
    OpenApiParameter("product_line", int),
]


def _window(filters: ReportFilters) -> dict[str, Any]:
    data = asdict(filters)
    data["owner_ids"] = list(filters.owner_ids) if filters.owner_ids is not None else None
    return data


def _with_rate(row: Any) -> dict[str, Any]:
    return {**asdict(row), "rate": row.rate}


class _NotAnAction:
    """Hides an inherited method from the router (`hasattr(viewset, name)` is False), so no route is made."""

    def __get__(self, instance: Any, owner: Any) -> Any:
        raise AttributeError("not an action of this viewset")


class SalesReportViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Read-only report figures; every figure starts from the caller's opportunity (and lead, quota) scope.
    Only the report actions are routes: no list, and no detail (the mixin's `retrieve` is hidden)."""

    scoped_model = Opportunity
    retrieve = _NotAnAction()
    serializer_class = PipelineSerializer
    pagination_class = None

    def _filters(self, request: Request) -> ReportFilters:
        if not (principal_for(request.user).is_internal or principal_for(request.user).is_partner):
            raise PermissionDenied()
        form = ReportFilterForm(request.query_params or None, actor=request.user)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return form.filters()

    def _respond(self, serializer_class: type[serializers.Serializer], data: dict[str, Any]) -> Response:
        return Response(serializer_class(data).data)

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: PipelineSerializer})
    @action(detail=False, methods=["get"])
    def pipeline(self, request: Request) -> Response:
        filters = self._filters(request)
        by_stage = pipeline_by_stage_for(request.user, filters)
        by_owner = pipeline_by_owner_for(request.user, filters)
        total = totals_of(by_stage)
        for row in by_owner:
            row.key = str(row.key)
        return self._respond(
            PipelineSerializer,
            {"window": _window(filters), "by_stage": by_stage, "by_owner": by_owner, "total": total},
        )

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: FunnelSerializer})
    @action(detail=False, methods=["get"])
    def funnel(self, request: Request) -> Response:
        filters = self._filters(request)
        return self._respond(FunnelSerializer, {"window": _window(filters), "steps": funnel_for(request.user, filters)})

    @extend_schema(
        parameters=[*FILTER_PARAMETERS, OpenApiParameter("by", str, enum=["owner", "product_line", "month"])],
        responses={200: WinRateSerializer},
    )
    @action(detail=False, methods=["get"], url_path="win-rate")
    def win_rate(self, request: Request) -> Response:
        filters = self._filters(request)
        by = request.query_params.get("by") or WinRateBy.OWNER
        if by not in {WinRateBy.OWNER, WinRateBy.PRODUCT_LINE, WinRateBy.MONTH}:
            raise ValidationError({"by": ["owner, product_line or month"]})
        rows = [_with_rate(row) for row in win_rates_for(request.user, filters, by)]
        for row in rows:
            row["key"] = None if row["key"] is None else str(row["key"])
        return self._respond(WinRateSerializer, {"window": _window(filters), "by": by, "rows": rows})

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: CycleSerializer})
    @action(detail=False, methods=["get"])
    def cycle(self, request: Request) -> Response:
        filters = self._filters(request)
        return self._respond(
            CycleSerializer, {"window": _window(filters), "figures": sales_cycle_for(request.user, filters)}
        )

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: ForecastVsQuotaSerializer})
    @action(detail=False, methods=["get"])
    def forecast(self, request: Request) -> Response:
        filters = self._filters(request)
        kind, start = forecast_period(filters)
        rows = [
            {**asdict(row), "attainment": row.attainment}
            for row in forecast_vs_quota_for(request.user, kind, start, filters)
        ]
        return self._respond(
            ForecastVsQuotaSerializer,
            {"window": _window(filters), "period_kind": kind, "period_start": start, "rows": rows},
        )

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: TopAccountsSerializer})
    @action(detail=False, methods=["get"], url_path="top-accounts")
    def top_accounts(self, request: Request) -> Response:
        filters = self._filters(request)
        return self._respond(
            TopAccountsSerializer, {"window": _window(filters), "rows": top_accounts_for(request.user, filters)}
        )

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: SummarySerializer})
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        filters = self._filters(request)
        summary = sales_summary_for(
            request.user,
            closed_from=filters.date_from,
            closed_to=filters.date_to,
            owner_ids=filters.owner_ids,
            product_line=filters.product_line_id,
        )
        return self._respond(SummarySerializer, {"window": _window(filters), **asdict(summary)})
