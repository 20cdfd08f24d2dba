"""Production settings plus the floor views: the floors are served by the same gunicorn as the product."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
