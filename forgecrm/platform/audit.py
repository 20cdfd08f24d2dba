"""The personal-data access log (PIPA): views and exports of people's records."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import PersonalDataAccess


def log_personal_data_access(
    *, actor, model: type[models.Model], object_ids: Iterable[int], action: str, ip_address: str | None = None
) -> int:
    if not getattr(actor, "pk", None):
        return 0
    content_type = ContentType.objects.get_for_model(model)
    rows = [
        PersonalDataAccess(
            user_id=actor.pk,
            content_type=content_type,
            object_id=object_id,
            action=action,
            ip_address=ip_address,
        )
        for object_id in object_ids
    ]
    PersonalDataAccess.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
