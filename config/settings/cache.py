"""The cache: throttling counters and cached counts. Shared through Redis when REDIS_URL (or CACHE_URL) is set,
so that several web processes count API rate limits together; per process in memory otherwise."""

from .env import env_str

_cache_url = env_str("CACHE_URL") or env_str("REDIS_URL")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "forgecrm"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "forgecrm"}}
