"""Celery entry points of sales (take ids, idempotent, call operations); named `<operation>_task`."""
