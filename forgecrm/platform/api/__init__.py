"""DRF base classes: hashed expiring tokens, keyset cursor pagination, ETag/If-Match, one error shape."""
