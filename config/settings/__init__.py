"""Forge CRM settings: base plus one module per component; production behaviour comes from the environment."""

from .base import *  # noqa: F403
from .cache import *  # noqa: F403
from .celery import *  # noqa: F403
from .email import *  # noqa: F403
from .integrations import *  # noqa: F403
from .security import *  # noqa: F403
from .storage import *  # noqa: F403
