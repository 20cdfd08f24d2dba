"""How much demo data each `--scale` makes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    reps_per_region: int  # field sales reps in each regional sales team
    partners: int
    accounts: int
    contacts: int
    activities: int
    customer_users: int  # customer-portal users besides customer@
    # django-simple-history "created" rows for accounts and contacts; skipped at benchmark sizes, where they
    # would double the rows written and tell a benchmark nothing.
    history: bool
    # Sales (issue 5): opportunities over the last 24 months (with lines, stage history, quotes, orders), and
    # leads besides the converted ones that became some of those opportunities.
    opportunities: int = 0
    leads: int = 0
    # Calls, meetings and demos logged regarding each opportunity (and, at a third of that, each lead).
    sales_activities_per_deal: float = 0.0


SCALES: dict[str, Scale] = {
    # For tests: every kind of row, a few of each.
    "tiny": Scale(
        "tiny", 1, 16, 120, 360, 600, 2, history=True, opportunities=300, leads=150, sales_activities_per_deal=2
    ),
    # The demo `make run` loads.
    "small": Scale(
        "small",
        4,
        64,
        2_000,
        8_000,
        24_000,
        10,
        history=True,
        opportunities=4_000,
        leads=2_500,
        sales_activities_per_deal=3,
    ),
    # The benchmark data set.
    "large": Scale(
        "large",
        20,
        300,
        200_000,
        1_000_000,
        2_000_000,
        50,
        history=False,
        opportunities=200_000,
        leads=100_000,
        sales_activities_per_deal=1,
    ),
}
