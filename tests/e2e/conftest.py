"""What every browser test needs in its database."""

import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def default_pipeline(transactional_db):
    """Live-server tests run on a database flushed after each of them, which takes the stages the sales migration
    writes with it: the second browser test in a worker would find no pipeline. Each puts the defaults back."""
    migration = importlib.import_module("forgecrm.sales.migrations.0002_default_stages")
    migration.add_default_stages(apps, None)
