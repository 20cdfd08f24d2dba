"""The generic `regarding` link: an activity about a record of an app above activities (sales, service).

Activities may not import those apps, so a catalog product and a customers account stand in for them here:
any model with a registered access scope works the same way (forgecrm/sales/tests use leads and deals)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from forgecrm.activities.models import Activity, ActivityKind
from forgecrm.activities.operations import log_activity, update_activity
from forgecrm.activities.queries import activities_regarding_for
from forgecrm.catalog.tests.factories import ProductFactory
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_log_an_activity_regarding_a_record_and_list_it(django_assert_max_num_queries):
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    product = ProductFactory()
    activity = log_activity(
        actor=rep, kind=ActivityKind.CALL, subject="시연 일정 통화", regarding=product, account=account
    )

    assert activity.regarding == product
    assert activity.regarding_type == ContentType.objects.get_for_model(product)
    assert (
        OutboxEvent.objects.filter(event_type="ActivityLogged").latest("id").payload["regarding"] == "catalog.product"
    )
    with django_assert_max_num_queries(2):  # the record's visibility, then the list
        assert list(activities_regarding_for(rep, product)) == [activity]


def test_the_record_alone_is_enough_to_regard_something():
    rep = UserFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.CALL, subject="통화", regarding=ProductFactory())
    assert activity.account is None and activity.regarding_id is not None


def test_a_record_the_actor_does_not_see_is_not_found():
    rep = UserFactory()
    foreign = AccountFactory(owner=UserFactory())
    with pytest.raises(ValidationError) as error:
        log_activity(actor=rep, kind=ActivityKind.CALL, subject="통화", regarding=foreign)
    assert "regarding" in error.value.message_dict
    assert not Activity.objects.exists()


def test_only_records_with_an_access_scope_can_be_regarded():
    rep = UserFactory()
    with pytest.raises(TypeError):
        log_activity(
            actor=rep, kind=ActivityKind.NOTE, subject="메모", regarding=ContentType.objects.get_for_model(Activity)
        )


def test_move_and_clear_the_link_with_a_versioned_update():
    rep = UserFactory()
    first, second = ProductFactory(), ProductFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", regarding=first)
    activity = update_activity(actor=rep, activity=activity, expected_version=activity.version, regarding=second)
    assert activity.regarding == second and activity.version == 2
    assert not activities_regarding_for(rep, first).exists()
    activity = update_activity(actor=rep, activity=activity, expected_version=2, regarding=None)
    assert activity.regarding_type is None and activity.regarding_id is None


def test_nothing_about_a_record_for_someone_who_does_not_see_it():
    owner, other = UserFactory(), UserFactory()
    account = AccountFactory(owner=owner)
    log_activity(actor=owner, kind=ActivityKind.NOTE, subject="메모", regarding=account)
    assert activities_regarding_for(owner, account).count() == 1
    assert not activities_regarding_for(other, account).exists()
    assert activities_regarding_for(UserFactory(role=Role.ADMIN), account).count() == 1
