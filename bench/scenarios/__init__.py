"""The scenarios, in the order a run takes them. Each module is one scenario with its floor beside it:

ID, TITLE, TARGET, LIMIT_SECONDS (its duration limit), NEEDS_DATA (the large data set must be loaded),
run(ctx) -> None (fills ctx.result.measures), or WAITING = "why" for a scenario whose app does not exist yet.
"""

import importlib
from types import ModuleType

MODULES = (
    "s0_seed",
    "s1_import",
    "s2_contact_list",
    "s3_search",
    "s4_account_360",
    "s5_pipeline_dashboard",
    "s6_rest_api",
    "s7_lead_routing",
    "s8_mixed_load",
    "s9_djangocrm",
)


def load_all() -> dict[str, ModuleType]:
    scenarios = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        scenarios[module.ID] = module
    return scenarios
