from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..access.predicates import is_admin
from ..models import Role, Team, Territory, User
from ..models.identity import ROLE_KIND, UserKind


def _require_admin(actor) -> None:
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only an administrator manages users, teams and territories."))


def _path_below(manager: User | None) -> str:
    return f"{manager.hierarchy_path}{manager.pk}/" if manager else "/"


def create_user(
    *,
    actor: User | None,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
    manager: User | None = None,
    organization_id: int | None = None,
    language: str = "ko",
) -> User:
    """Create a user of any kind; a portal user must belong to one partner or customer account.

    `actor=None` is the system (seed data, set-up commands).
    """
    _require_admin(actor)
    kind = ROLE_KIND.get(Role(role), UserKind.INTERNAL)
    if kind != UserKind.INTERNAL and not organization_id:
        raise ValidationError({"organization": _("A partner or customer user belongs to one organisation.")})
    if kind == UserKind.INTERNAL and organization_id:
        raise ValidationError({"organization": _("Internal users do not belong to an outside organisation.")})
    with transaction.atomic():
        user = User(
            email=email.strip().lower(),
            full_name=full_name,
            role=role,
            manager=manager,
            hierarchy_path=_path_below(manager),
            organization_id=organization_id,
            language=language,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    return user


def set_manager(*, actor: User | None, user: User, manager: User | None) -> User:
    """Move a user (and everyone below them) under a new manager in the role hierarchy."""
    _require_admin(actor)
    if manager is not None and (manager.pk == user.pk or f"/{user.pk}/" in f"{manager.hierarchy_path}{manager.pk}/"):
        raise ValidationError({"manager": _("A user cannot report to themselves or to someone below them.")})
    with transaction.atomic():
        old_prefix = f"{user.hierarchy_path}{user.pk}/"
        user.manager = manager
        user.hierarchy_path = _path_below(manager)
        user.save(update_fields=["manager", "hierarchy_path"])
        new_prefix = f"{user.hierarchy_path}{user.pk}/"
        for below in User.objects.select_for_update().filter(hierarchy_path__startswith=old_prefix):
            below.hierarchy_path = new_prefix + below.hierarchy_path[len(old_prefix) :]
            below.save(update_fields=["hierarchy_path"])
    return user


def update_user(*, actor: User, user: User, **changes) -> User:
    """Change a user's profile. Role, organisation and email decide visibility: only an admin changes them."""
    guarded = {"role", "organization_id", "email", "is_active", "manager"}
    if guarded & changes.keys() or actor.pk != user.pk:
        _require_admin(actor)
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def create_team(*, actor: User | None, name: str, lead: User | None = None, members=()) -> Team:
    _require_admin(actor)
    with transaction.atomic():
        team = Team.objects.create(name=name, lead=lead)
        team.members.set(list(members) + ([lead] if lead else []))
    return team


def create_territory(*, actor: User | None, name: str, code: str, parent: Territory | None = None, **rule) -> Territory:
    """A territory under `parent`; `rule` holds the assignment criteria (sido, sigungu, industry, employees)."""
    _require_admin(actor)
    territory = Territory(
        name=name, code=code, parent=parent, path=f"{parent.path}{parent.pk}/" if parent else "/", **rule
    )
    territory.full_clean()
    territory.save()
    return territory
