"""Fixtures the webhook tests share with the integrations app: a real HTTP receiver on 127.0.0.1."""

from forgecrm.integrations.tests.receiver import receiver, webhooks_to_localhost  # noqa: F401  fixtures
