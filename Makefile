# Forge CRM. Quick start: `make run`, then `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint audit bench install messages assets clean serve worker

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# The embedded first run: SQLite under var/, the filesystem Celery broker, demo data loaded once.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --once
	$(PY) manage.py show_logins --url http://$(HOST):$(PORT)/
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A config worker --beat --loglevel=WARNING --pool=threads --concurrency=2 & \
	$(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers 1 --log-level warning

test: export DJANGO_SETTINGS_MODULE = config.test_settings
test: $(VENV)/.installed
	$(VENV)/bin/pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup -q $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy forgecrm/platform forgecrm/customers/operations forgecrm/catalog/operations forgecrm/catalog/pricing.py forgecrm/catalog/configuration.py forgecrm/activities/operations.py forgecrm/integrations/operations.py forgecrm/integrations/webhooks forgecrm/integrations/queries.py forgecrm/integrations/policies.py forgecrm/sales forgecrm/partners forgecrm/portals
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py check_catalogs

# Security tooling: bandit on our code (findings fixed or justified inline with `# nosec <id>  # reason`), and
# pip-audit on the pinned dependencies of pyproject.toml and on everything installed in the venv.
audit: $(VENV)/.installed
	$(VENV)/bin/bandit -q -r forgecrm config -x '*/tests/*,*/migrations/*'
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/audit-requirements.txt
	$(VENV)/bin/pip-audit --progress-spinner off --no-deps --disable-pip -r $(VENV)/audit-requirements.txt
	$(VENV)/bin/pip-audit --progress-spinner off --local

messages: export DJANGO_SETTINGS_MODULE = config.test_settings
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=var --ignore=bench --ignore="*/tests/*" --ignore=tests --ignore=assets --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Benchmarks against the floor of this machine (PostgreSQL forge_bench on 127.0.0.1; never part of `make test`):
# `make bench` runs every scenario, `make bench BENCH_ARGS="--only 2,3"` some; see bench/README.md.
bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

assets:
	cd assets && npm ci --no-audit --no-fund && ./vendor.sh

clean:
	rm -rf var/forgecrm.sqlite3* var/broker var/media var/static
