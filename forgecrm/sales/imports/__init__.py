"""Sales's kinds of import on the customers import framework (`customers.imports.kinds`): products (catalog),
the sales team (users, reporting line, teams), opportunities and leads. `register()` runs from `SalesConfig.ready`."""

from forgecrm.customers.imports.kinds import register_kind


def register() -> None:
    from .leads import LEADS
    from .opportunities import OPPORTUNITIES
    from .products import PRODUCTS
    from .team import TEAM

    for kind in (PRODUCTS, TEAM, OPPORTUNITIES, LEADS):
        register_kind(kind)
