"""Every model row of policy.yaml, checked against the access scope itself: for each record and each role,
the record is in `scope_for(role, Model)` exactly when the table says the role sees it.

The matrix (test_matrix.py) checks what routes answer; this checks the scopes beneath them, so a model whose
pages and API do not exist yet (the sales records of issue 5) is held to its row from the first commit, and a
route added later cannot widen what its scope gives.
"""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from forgecrm.platform.access import scope_for

from .conftest import load_policy

pytestmark = pytest.mark.django_db

POLICY = load_policy()


def expand(names) -> set[str]:
    roles: set[str] = set()
    for name in names or []:
        roles |= expand(POLICY["groups"][name]) if name in POLICY["groups"] else {name}
    return roles


def _model(name: str):
    for model in apps.get_models():
        if model.__name__ == name and model._meta.app_label != "simple_history" and not name.startswith("Historical"):
            return model
    raise LookupError(name)


@pytest.mark.parametrize("model_name", sorted(POLICY["models"]))
def test_scope_gives_each_role_exactly_the_records_its_row_names(model_name, world):
    model = _model(model_name)
    wrong = []
    for role in POLICY["roles"]:
        actor = AnonymousUser() if role == "anonymous" else world[role]
        visible_ids = set(scope_for(actor, model).values_list("pk", flat=True))
        for key, row in POLICY["models"][model_name]["objects"].items():
            expected = role in expand(row.get("visible"))
            if (world[key].pk in visible_ids) != expected:
                wrong.append(f"{role} {'does not see' if expected else 'sees'} {key}")
    assert wrong == [], f"{model_name}: " + "; ".join(wrong)
