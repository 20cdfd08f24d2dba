from .identity import create_team, create_territory, create_user, set_manager, update_user
from .jobs import finish_job, start_job, step_job
from .territories import match_territory

__all__ = [
    "create_team",
    "create_territory",
    "create_user",
    "finish_job",
    "match_territory",
    "set_manager",
    "start_job",
    "step_job",
    "update_user",
]
