"""Outbound webhooks: where they may go, how long a send may take, how often a failed one is retried."""

from .env import env_bool, env_int, env_list

# Networks the SSRF guard lets through although they are internal (loopback, private, ...). Empty by default
# and in production: a webhook goes to the public internet only. The delivery tests set it to 127.0.0.1/32 for
# their local receiver; an on-premises ERP on a private network is the one real reason to list a network here.
FORGE_WEBHOOK_ALLOWED_NETWORKS = env_list("FORGE_WEBHOOK_ALLOWED_NETWORKS")
# Plain http leaks the payload and the signature to every hop; only for development and tests.
FORGE_WEBHOOK_ALLOW_HTTP = env_bool("FORGE_WEBHOOK_ALLOW_HTTP", False)
FORGE_WEBHOOK_CONNECT_TIMEOUT = float(env_int("FORGE_WEBHOOK_CONNECT_TIMEOUT", 5))
FORGE_WEBHOOK_READ_TIMEOUT = float(env_int("FORGE_WEBHOOK_READ_TIMEOUT", 10))
# Attempts per delivery (the first one included) before it is dead; the waits double from the base up to the cap.
FORGE_WEBHOOK_MAX_ATTEMPTS = env_int("FORGE_WEBHOOK_MAX_ATTEMPTS", 10)
FORGE_WEBHOOK_RETRY_BASE_SECONDS = env_int("FORGE_WEBHOOK_RETRY_BASE_SECONDS", 30)
FORGE_WEBHOOK_RETRY_MAX_SECONDS = env_int("FORGE_WEBHOOK_RETRY_MAX_SECONDS", 3600)
# Consecutive failed attempts (over all its deliveries) after which an endpoint is switched off.
FORGE_WEBHOOK_DISABLE_AFTER_FAILURES = env_int("FORGE_WEBHOOK_DISABLE_AFTER_FAILURES", 20)
