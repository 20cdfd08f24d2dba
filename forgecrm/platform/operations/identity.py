from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from ..access.predicates import is_admin
from ..korea.phone import normalize_phone
from ..models import Role, Team, Territory, User
from ..models.identity import ROLE_KIND, UserKind

# What a user may change on their own profile; everything else decides visibility and is an admin's.
SELF_EDITABLE = frozenset({"full_name", "phone", "language"})


def _require_admin(actor) -> None:
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only an administrator manages users, teams and territories."))


def _path_below(manager: User | None) -> str:
    return f"{manager.hierarchy_path}{manager.pk}/" if manager else "/"


def _forget_principal(user: User) -> None:
    """The cached access principal is stale once role, organisation or hierarchy change."""
    user.__dict__.pop("_forge_principal", None)


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as error:
        raise ValidationError({"role": _("Choose one of the defined roles.")}) from error


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

    `actor=None` is the system (seed data, set-up commands). Without a password the user cannot sign in
    until they set one through the password reset.
    """
    _require_admin(actor)
    kind = ROLE_KIND.get(_role(role), UserKind.INTERNAL)
    if kind != UserKind.INTERNAL and not organization_id:
        raise ValidationError({"organization": _("A partner or customer user belongs to one organisation.")})
    if kind == UserKind.INTERNAL and organization_id:
        raise ValidationError({"organization": _("Internal users do not belong to an outside organisation.")})
    if kind != UserKind.INTERNAL and manager is not None and manager.organization_id != organization_id:
        raise ValidationError({"manager": _("A portal user reports to someone of the same organisation.")})
    with transaction.atomic():
        user = User(
            email=User.objects.normalize_email((email or "").strip()).lower(),
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
    """Move a user (and everyone below them) under a new manager in the role hierarchy.

    The paths are re-read under a row lock, so a stale `user` or `manager` object cannot corrupt the tree.
    """
    _require_admin(actor)
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        new_manager = User.objects.select_for_update().get(pk=manager.pk) if manager is not None else None
        if new_manager is not None and (new_manager.pk == current.pk or f"/{current.pk}/" in _path_below(new_manager)):
            raise ValidationError({"manager": _("A user cannot report to themselves or to someone below them.")})
        old_prefix = _path_below(current)
        new_path = _path_below(new_manager)
        new_prefix = f"{new_path}{current.pk}/"
        User.objects.filter(pk=current.pk).update(manager=new_manager, hierarchy_path=new_path)
        if old_prefix != new_prefix:
            # One set-based UPDATE for the whole subtree: "/1/7/42/x/" -> "<new prefix>x/".
            User.objects.filter(hierarchy_path__startswith=old_prefix).update(
                hierarchy_path=Concat(Value(new_prefix), Substr(F("hierarchy_path"), len(old_prefix) + 1))
            )
    user.manager, user.hierarchy_path = new_manager, new_path
    _forget_principal(user)
    return user


def update_user(*, actor: User, user: User, **changes) -> User:
    """Change a user's profile. Role, organisation, email, activity, manager and territories decide what a user
    sees: only an admin changes them, and only an admin changes someone else."""
    if not SELF_EDITABLE.issuperset(changes) or actor.pk != user.pk:
        _require_admin(actor)
    manager_given = "manager" in changes
    manager = changes.pop("manager", None)
    territories = changes.pop("territories", None)
    if "role" in changes:
        _role(changes["role"])
    if changes.get("phone"):
        try:
            changes["phone"] = normalize_phone(changes["phone"])
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from error
    if "email" in changes:
        changes["email"] = User.objects.normalize_email((changes["email"] or "").strip()).lower()
    with transaction.atomic():
        for name, value in changes.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password"])
        user.save()
        if territories is not None:
            user.territories.set(territories)
        if manager_given:
            set_manager(actor=actor, user=user, manager=manager)
    _forget_principal(user)
    return user


def create_team(*, actor: User | None, name: str, lead: User | None = None, members=()) -> Team:
    _require_admin(actor)
    with transaction.atomic():
        team = Team(name=name, lead=lead)
        team.full_clean()
        team.save()
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
