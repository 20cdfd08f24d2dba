"""Files go through Django's storage API: filesystem by default, S3-compatible via django-storages."""

from .env import env_str

STORAGES = {
    "default": {"BACKEND": env_str("FORGE_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
