from .audit import PersonalDataAccess
from .base import BusinessModel
from .events import OutboxEvent
from .idempotency import IdempotencyKey
from .identity import Role, Team, Territory, TerritoryKind, User, UserKind
from .jobs import Job
from .search import SearchDocument

__all__ = [
    "BusinessModel",
    "IdempotencyKey",
    "Job",
    "OutboxEvent",
    "PersonalDataAccess",
    "Role",
    "SearchDocument",
    "Team",
    "Territory",
    "TerritoryKind",
    "User",
    "UserKind",
]
