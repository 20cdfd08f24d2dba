"""Scenario 9: DjangoCRM side by side (PyPI `django-crm-admin`, in its own Python 3.12 virtual environment, on
the same PostgreSQL in its own database): its contact import and its contact list beside ours on the same data
size. Not built yet: see docs/performance.md for how far it got."""

ID = "9"
TITLE = "DjangoCRM side by side: contact import and contact list on the same data size"
TARGET = "Forge ahead on every shared scenario, with the ratio reported"
FLOOR = "DjangoCRM on the same machine and PostgreSQL (seen: xlsx import ~177 contacts/s, contact list ~3.6 req/s)"
LIMIT_SECONDS = 0
NEEDS_DATA = True
WAITING = "not built yet (the last piece of issue 3; see the analysis for how far it got)"
