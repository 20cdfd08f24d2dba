import datetime as dt

import factory
from django.utils import timezone

from forgecrm.activities.models import Activity, ActivityKind, ActivityStatus
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.tests.factories import UserFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    """A row as the database holds it; tests of behaviour create activities through operations instead."""

    class Meta:
        model = Activity

    kind = ActivityKind.CALL
    subject = factory.Sequence(lambda n: f"통화 {n}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.LazyAttribute(lambda a: a.account.owner if a.account else UserFactory())
    created_by = factory.LazyAttribute(lambda a: a.owner)
    status = ActivityStatus.DONE
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
