"""Charts for pages: an ECharts option built from numbers the page already has, and the same numbers as a table.

A page renders `{% chart figure %}` (templatetags/forge.py): the chart draws in the browser
(static/forgecrm/charts.js loads ECharts only on pages that have one), and the table beside it carries every
figure, so the numbers can be read, copied and checked without the drawing (and by screen readers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

ValueFormat = Literal["number", "money", "percent"]
Number = int | float | Decimal | None


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]
    kind: Literal["bar", "line"] = "bar"
    stack: str = ""


@dataclass
class Figure:
    """What `{% chart %}` renders: the ECharts option and the table of the same figures."""

    title: str
    option: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    value_format: ValueFormat = "number"
    currency: str = "KRW"
    height: Literal["sm", "md", "lg"] = "md"
    extra: dict[str, Any] = field(default_factory=dict)


def _plain(value: Number) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def category_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    category_label: str = "",
    horizontal: bool = False,
    value_format: ValueFormat = "number",
    currency: str = "KRW",
    height: Literal["sm", "md", "lg"] = "md",
) -> Figure:
    """Bars and/or lines over categories (stages, owners, months), one series per measure."""
    categories = [str(label) for label in categories]
    category_axis: dict[str, Any] = {"type": "category", "data": categories}
    value_axis: dict[str, Any] = {"type": "value"}
    option: dict[str, Any] = {
        "tooltip": {"trigger": "axis"},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32 if len(series) > 1 else 12, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {
                "name": item.name,
                "type": item.kind,
                "data": [_plain(value) for value in item.values],
                **({"stack": item.stack} if item.stack else {}),
            }
            for item in series
        ],
    }
    if horizontal:
        option["yAxis"]["inverse"] = True  # the first category on top, as in the table
    rows = [[label, *(item.values[index] for item in series)] for index, label in enumerate(categories)]
    return Figure(
        title=title,
        option=option,
        columns=[category_label, *(item.name for item in series)],
        rows=rows,
        value_format=value_format,
        currency=currency,
        height=height,
    )


def funnel_chart(
    title: str,
    steps: Sequence[tuple[str, Number]],
    *,
    step_label: str = "",
    value_label: str = "",
    value_format: ValueFormat = "number",
    height: Literal["sm", "md", "lg"] = "md",
) -> Figure:
    """A conversion funnel (lead → qualified → opportunity → won), widest step first."""
    option = {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                "left": "10%",
                "width": "80%",
                "label": {"show": True, "position": "inside"},
                "data": [{"name": str(name), "value": _plain(value)} for name, value in steps],
            }
        ],
    }
    return Figure(
        title=title,
        option=option,
        columns=[step_label, value_label],
        rows=[[str(name), value] for name, value in steps],
        value_format=value_format,
        height=height,
    )


def share_chart(
    title: str,
    parts: Sequence[tuple[str, Number]],
    *,
    part_label: str = "",
    value_label: str = "",
    value_format: ValueFormat = "number",
    currency: str = "KRW",
    height: Literal["sm", "md", "lg"] = "md",
) -> Figure:
    """Shares of a whole (a doughnut): won vs lost, pipeline by forecast category."""
    option = {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "70%"],
                "data": [{"name": str(name), "value": _plain(value)} for name, value in parts],
            }
        ],
    }
    return Figure(
        title=title,
        option=option,
        columns=[part_label, value_label],
        rows=[[str(name), value] for name, value in parts],
        value_format=value_format,
        currency=currency,
        height=height,
    )
