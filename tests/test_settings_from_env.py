"""Production settings come from the environment: database, broker, cache, hosts, TLS."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _settings(tmp_path, **env) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': s.DATABASES['default']['NAME'], "
        "'host': s.DATABASES['default'].get('HOST'), 'conn_max_age': s.DATABASES['default'].get('CONN_MAX_AGE'), "
        "'health': s.DATABASES['default'].get('CONN_HEALTH_CHECKS'), 'broker': s.CELERY_BROKER_URL, "
        "'cache': s.CACHES['default']['BACKEND'], 'hosts': s.ALLOWED_HOSTS, 'debug': s.DEBUG, "
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'secure_cookie': s.SESSION_COOKIE_SECURE, 'hasher': s.PASSWORD_HASHERS[0], 'email': s.EMAIL_BACKEND}))"
    )
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "crm.example.kr",
        "FORGE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_embedded_default_is_sqlite_and_the_filesystem_broker(tmp_path):
    values = _settings(tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "forgecrm.sqlite3")
    assert values["broker"].startswith("filesystem://")
    assert values["cache"].endswith("LocMemCache")


def test_database_url_selects_postgresql_through_psycopg3(tmp_path):
    values = _settings(tmp_path, DATABASE_URL="postgres://crm:secret@db.internal:5432/forgecrm")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "forgecrm" and values["host"] == "db.internal"
    assert values["conn_max_age"] == 60 and values["health"] is True
    import psycopg

    assert psycopg.__version__.startswith("3.")


def test_redis_url_drives_celery_and_the_cache(tmp_path):
    values = _settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["broker"] == "redis://127.0.0.1:6379/0"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    rabbit = _settings(tmp_path, CELERY_BROKER_URL="amqp://guest@mq.internal//", REDIS_URL="redis://cache:6379/1")
    assert rabbit["broker"] == "amqp://guest@mq.internal//"


def test_production_defaults_are_safe(tmp_path):
    values = _settings(tmp_path)
    assert values["debug"] is False
    assert values["hosts"] == ["crm.example.kr"]
    assert values["ssl_redirect"] is True and values["secure_cookie"] is True
    assert values["hsts"] >= 31536000
    assert values["hasher"].endswith("Argon2PasswordHasher")
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_without_allowed_hosts_production_serves_no_host(tmp_path):
    values = _settings(tmp_path, ALLOWED_HOSTS="")
    assert values["hosts"] == []
