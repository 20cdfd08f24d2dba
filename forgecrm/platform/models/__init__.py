from .audit import PersonalDataAccess
from .base import BusinessModel
from .events import OutboxEvent
from .identity import Role, Team, Territory, TerritoryKind, User, UserKind
from .jobs import Job
from .search import SearchDocument

__all__ = [
    "BusinessModel",
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
