import json
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.ui import context as navigation
from forgecrm.platform.ui.charts import Series, category_chart, funnel_chart, share_chart


def render_chart(figure) -> str:
    return Template("{% load forge %}{% chart figure %}").render(Context({"figure": figure}))


def test_a_category_chart_draws_and_tabulates_the_same_numbers():
    figure = category_chart(
        "Pipeline by stage",
        ["Prospecting", "Proposal"],
        [Series("Amount", [Decimal("1500000"), Decimal("250000.50")]), Series("Deals", [3, None], kind="line")],
        category_label="Stage",
        value_format="money",
    )
    assert figure.option["xAxis"]["data"] == ["Prospecting", "Proposal"]
    assert figure.option["series"][0]["data"] == [1500000, 250000.5]
    assert figure.option["series"][1]["type"] == "line"
    html = render_chart(figure)
    option = json.loads(html.split('data-chart="')[1].split('"')[0].replace("&quot;", '"'))
    assert option == json.loads(json.dumps(figure.option))
    assert "₩1,500,000" in html and "–" in html  # the table beside the chart holds each figure
    assert 'data-value-format="money"' in html


def test_horizontal_charts_keep_the_tables_order_and_text_is_escaped():
    figure = category_chart("Top", ["<b>A</b>", "B"], [Series("Won", [2, 1])], horizontal=True)
    assert figure.option["yAxis"]["data"] == ["<b>A</b>", "B"] and figure.option["yAxis"]["inverse"] is True
    html = render_chart(figure)
    assert "<b>A</b>" not in html and "&lt;b&gt;A&lt;/b&gt;" in html


def test_funnel_and_share_charts_carry_their_steps():
    funnel = funnel_chart("Funnel", [("Leads", 100), ("Qualified", 40), ("Won", 9)])
    assert [step["value"] for step in funnel.option["series"][0]["data"]] == [100, 40, 9]
    assert funnel.rows == [["Leads", 100], ["Qualified", 40], ["Won", 9]]
    share = share_chart("Won vs lost", [("Won", 6), ("Lost", 4)], value_format="percent")
    assert share.option["series"][0]["type"] == "pie"
    assert "6.0%" in render_chart(share)


@pytest.mark.django_db
def test_grouped_menu_entries_become_one_dropdown(monkeypatch):
    monkeypatch.setattr(navigation, "_menu", list(navigation._menu))
    monkeypatch.setattr(navigation, "_groups", dict(navigation._groups))
    navigation.register_menu_group(navigation.MenuGroup("test-group", "Group", "box", order=35))
    navigation.register_menu_entry(navigation.MenuEntry("First", "dashboard", "a", order=36, group="test-group"))
    navigation.register_menu_entry(navigation.MenuEntry("Second", "search", "b", order=37, group="test-group"))
    request = RequestFactory().get("/search/")
    request.user = UserFactory(role=Role.SALES_REP)
    menu = navigation.navigation(request)["menu"]
    dropdowns = [item for item in menu if item.get("children")]
    group = next(item for item in dropdowns if item["label"] == "Group")
    assert [child["label"] for child in group["children"]] == ["First", "Second"]
    assert group["active"] is True  # a child page is open
    assert not any(item["label"] in {"First", "Second"} for item in menu)
