"""Who gets a lead: assignment rules (territory, product line, 시/도, industry, source → a user or a team's round
robin, within each user's capacity), and assigning by hand, one or many. Every assignment is a history row of
the lead whose change reason names how it was made ("rule:<id>", "manual", "bulk").

Round robin: the rule row is locked (`select_for_update`) while its pointer `last_assigned` moves, so two leads
captured at the same moment never go to the same rep by a race; the capacity count runs under the same lock.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import Team, User
from forgecrm.platform.search import index_objects
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import OPEN_LEAD_STATUSES, Lead, LeadAssignmentRule
from .leads import note_history

PORTAL_ROLES = ("partner_admin", "partner_rep", "customer_user")


def rule_matches(rule: LeadAssignmentRule, lead: Lead) -> bool:
    """Every non-empty criterion of the rule holds for the lead."""
    if rule.territory_id and rule.territory_id != lead.territory_id:
        return False
    if rule.product_line_id and rule.product_line_id != lead.product_line_id:
        return False
    if rule.sido and rule.sido != lead.sido:
        return False
    if rule.industry and rule.industry.strip().lower() != (lead.industry or "").strip().lower():
        return False
    return not (rule.source and rule.source != lead.source)


def open_lead_counts(user_ids: Iterable[int]) -> dict[int, int]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = (
        Lead.objects.filter(owner_id__in=ids, status__in=OPEN_LEAD_STATUSES)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    return {owner_id: n for owner_id, n in rows}


def _has_room(rule: LeadAssignmentRule, user_id: int, counts: dict[int, int]) -> bool:
    return rule.capacity is None or counts.get(user_id, 0) < rule.capacity


def team_members(team_id: int) -> list[User]:
    """The internal, active members of a team in a stable order (the round robin's circle)."""
    return list(User.objects.filter(teams=team_id, is_active=True).exclude(role__in=PORTAL_ROLES).order_by("id"))


def pick_assignee(lead: Lead) -> tuple[User | None, Team | None, LeadAssignmentRule | None]:
    """The first active rule (by priority) that matches and has someone with room; must run in a transaction.

    A team rule locks its own row, reads the pointer, hands the lead to the next member with room, and moves the
    pointer (committed with the lead)."""
    for rule in LeadAssignmentRule.objects.filter(is_active=True).order_by("priority", "id"):
        if not rule_matches(rule, lead):
            continue
        if rule.assign_to_user_id:
            user = rule.assign_to_user
            if user is None or not user.is_active:
                continue
            if rule.capacity is not None and not _has_room(rule, user.pk, open_lead_counts([user.pk])):
                continue
            return user, None, rule
        locked = LeadAssignmentRule.objects.select_for_update().get(pk=rule.pk)
        members = team_members(locked.assign_to_team_id)  # type: ignore[arg-type]
        if not members:
            continue
        counts = open_lead_counts([m.pk for m in members]) if locked.capacity is not None else {}
        ids = [m.pk for m in members]
        start = ids.index(locked.last_assigned_id) + 1 if locked.last_assigned_id in ids else 0
        for step in range(len(members)):
            member = members[(start + step) % len(members)]
            if _has_room(locked, member.pk, counts):
                locked.last_assigned = member
                locked.save(update_fields=["last_assigned"])
                return member, locked.assign_to_team, locked
    return None, None, None


def pick_assignees(leads: Sequence[Lead]) -> list[tuple[User | None, Team | None, LeadAssignmentRule | None]]:
    """`pick_assignee` for many leads at once (an import), in their order; must run in a transaction.

    The rules are read once, the team rules locked once, the capacity counted once and kept current as leads are
    handed out, so a chunk of thousands of leads costs a handful of queries; the round-robin pointers move as
    they would lead by lead and are saved once per rule."""
    rules = list(
        LeadAssignmentRule.objects.filter(is_active=True).select_related("assign_to_user").order_by("priority", "id")
    )
    team_rule_ids = [rule.pk for rule in rules if rule.assign_to_team_id]
    locked = {
        rule.pk: rule
        for rule in LeadAssignmentRule.objects.select_for_update().filter(pk__in=team_rule_ids).order_by("pk")
    }
    members_queryset = User.objects.filter(is_active=True).exclude(role__in=PORTAL_ROLES).order_by("id")
    teams = {
        team.pk: team
        for team in Team.objects.filter(pk__in={rule.assign_to_team_id for rule in locked.values()}).prefetch_related(
            Prefetch("members", queryset=members_queryset, to_attr="circle")
        )
    }
    candidates = {rule.assign_to_user_id for rule in rules if rule.assign_to_user_id and rule.capacity is not None}
    candidates |= {m.pk for rule in locked.values() if rule.capacity is not None for m in _circle(teams, rule)}
    counts = open_lead_counts(candidates)
    moved: dict[int, int] = {}
    picked: list[tuple[User | None, Team | None, LeadAssignmentRule | None]] = []
    for lead in leads:
        choice: tuple[User | None, Team | None, LeadAssignmentRule | None] = (None, None, None)
        for rule in rules:
            if not rule_matches(rule, lead):
                continue
            if rule.assign_to_user_id:
                user = rule.assign_to_user
                if user is None or not user.is_active or not _has_room(rule, user.pk, counts):
                    continue
                choice = (user, None, rule)
                break
            team_rule = locked[rule.pk]
            members = _circle(teams, team_rule)
            ids = [m.pk for m in members]
            start = ids.index(team_rule.last_assigned_id) + 1 if team_rule.last_assigned_id in ids else 0
            member = next(
                (
                    members[(start + step) % len(members)]
                    for step in range(len(members))
                    if _has_room(team_rule, members[(start + step) % len(members)].pk, counts)
                ),
                None,
            )
            if member is not None:
                team_rule.last_assigned_id = member.pk
                moved[team_rule.pk] = member.pk
                choice = (member, teams[team_rule.assign_to_team_id], team_rule)  # type: ignore[index]
                break
        if choice[0] is not None:
            counts[choice[0].pk] = counts.get(choice[0].pk, 0) + 1
        picked.append(choice)
    for rule_id, user_id in moved.items():  # one UPDATE per team rule that handed out leads, not per lead
        LeadAssignmentRule.objects.filter(pk=rule_id).update(last_assigned_id=user_id)
    return picked


def _circle(teams: Mapping[int, Team], rule: LeadAssignmentRule) -> list[User]:
    team = teams.get(rule.assign_to_team_id)  # type: ignore[arg-type]
    return list(getattr(team, "circle", [])) if team is not None else []


def assign_by_rules(*, lead: Lead, actor: User | None = None) -> Lead:
    """Give an unassigned lead to whoever the rules say (or leave it in its queue); part of the caller's
    transaction (capture, import, create)."""
    with transaction.atomic():
        owner, team, rule = pick_assignee(lead)
        if owner is None:
            return lead
        changes: dict[str, Any] = {"owner": owner}
        if team is not None and lead.team_id is None:
            changes["team"] = team
        updated = save_versioned(lead, actor=actor, expected_version=None, changes=changes)
        note_history(updated, f"rule:{rule.pk}" if rule else "rule")
        events.emit(
            "LeadAssigned",
            {"lead_id": updated.pk, "owner_id": owner.pk, "rule_id": getattr(rule, "pk", None), "actor_id": None},
        )
    return updated


def _check_target(owner: User | None, team: Team | None) -> None:
    if owner is None and team is None:
        raise ValidationError({"owner": ValidationError(_("Choose a user or a team."), code="required")})
    if owner is not None and (not owner.is_active or not principal_for(owner).is_internal):
        raise ValidationError({"owner": ValidationError(_("Choose an active internal user."), code="invalid")})


def assign_lead(
    *,
    actor: User,
    lead: Lead,
    owner: User | None = None,
    team: Team | None = None,
    expected_version: int | None = None,
    use_rules: bool = False,
) -> Lead:
    """Hand a lead to a user (and/or team) by hand, or run the rules on it again (`use_rules`)."""
    if not actor.has_perm("sales.assign_lead", lead):
        raise PermissionDenied(_("You cannot assign this lead."))
    if not lead.is_open:
        raise ValidationError(_("Only an open lead can be assigned."))
    if use_rules:
        with transaction.atomic():
            current = Lead.objects.select_for_update().get(pk=lead.pk)
            if expected_version is not None and current.version != expected_version:
                raise ConflictError(current)
            picked, picked_team, rule = pick_assignee(current)
            if picked is None:
                raise ValidationError(_("No assignment rule matches this lead, or every rep in it is at capacity."))
            changes: dict[str, Any] = {"owner": picked}
            if picked_team is not None:
                changes["team"] = picked_team
            updated = save_versioned(current, actor=actor, expected_version=None, changes=changes)
            note_history(updated, f"rule:{rule.pk}" if rule else "rule")
            _assigned(actor, updated, rule)
        return updated
    _check_target(owner, team)
    changes = {}
    if owner is not None:
        changes["owner"] = owner
    if team is not None:
        changes["team"] = team
    with transaction.atomic():
        updated = save_versioned(lead, actor=actor, expected_version=expected_version, changes=changes)
        note_history(updated, "manual")
        _assigned(actor, updated, None)
    return updated


def _assigned(actor, lead: Lead, rule) -> None:
    index_objects("lead", [lead])
    events.emit(
        "LeadAssigned",
        {
            "lead_id": lead.pk,
            "owner_id": lead.owner_id,
            "team_id": lead.team_id,
            "rule_id": getattr(rule, "pk", None),
            "actor_id": getattr(actor, "pk", None),
        },
    )


def bulk_assign_leads(
    *, actor: User, leads: Iterable[Lead], owner: User | None = None, team: Team | None = None
) -> int:
    """Assign many leads at once (all or nothing: one the actor may not assign refuses the whole batch)."""
    _check_target(owner, team)
    rows = list(leads)
    for lead in rows:
        if not actor.has_perm("sales.assign_lead", lead):
            raise PermissionDenied(_("You cannot assign one of these leads."))
    changes: dict[str, Any] = {}
    if owner is not None:
        changes["owner"] = owner
    if team is not None:
        changes["team"] = team
    with transaction.atomic():
        for lead in rows:
            if not lead.is_open:
                continue
            updated = save_versioned(lead, actor=actor, expected_version=None, changes=changes)
            note_history(updated, "bulk")
            _assigned(actor, updated, None)
    return len([lead for lead in rows if lead.is_open])


def assignment_history_q() -> Q:
    """History rows that are assignments (see the change reasons above)."""
    return (
        Q(history_change_reason__startswith="rule")
        | Q(history_change_reason="manual")
        | Q(history_change_reason="bulk")
    )
