"""Run by DjangoCRM's own Python (its venv, its settings module) for scenario 9; not part of the bench package's
imports and never run by our interpreter.

`users FILE GROUPS`: create DjangoCRM users with forge_bench's ids (so owner ids carry over as they are) through
its User model, so its own post_save handler gives each a profile and the co-workers group; then every user joins
GROUPS (its sales manager's groups). Passwords are unusable except for `password USERNAME...`.

`password PASSWORD USERNAME...`: set the password of the users the bench logs in as."""

import json
import sys

import django


def users(path: str, groups: str) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    wanted = list(Group.objects.filter(name__in=groups.split(",")))
    with transaction.atomic():
        for pk, email, full_name, is_active in rows:
            user = User(id=pk, username=email[:150], email=email, first_name=full_name[:150], is_staff=True,
                        is_active=is_active)  # fmt: skip
            user.set_unusable_password()
            user.save(force_insert=True)
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=pk, group_id=group.pk) for pk, *_ in rows for group in wanted], ignore_conflicts=True
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('auth_user', 'id'), (SELECT max(id) FROM auth_user))")
    print(len(rows))


def password(secret: str, *usernames: str) -> None:
    from django.contrib.auth.models import User

    for username in usernames:
        user = User.objects.get(username=username)
        user.set_password(secret)
        user.save(update_fields=["password"])


if __name__ == "__main__":
    django.setup()
    command, *args = sys.argv[1:]
    {"users": users, "password": password}[command](*args)
