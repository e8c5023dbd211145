# The README's two commands: `make run` and `make test`. Everything they need is installed
# by the project itself (scripts/services.sh for system packages, .venv for Python).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test services venv keys lint check migrate demo bench lock messages compilemessages clean

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	touch $@

venv: $(VENV)/.installed

services:
	bash scripts/services.sh

services-test:
	STARTED_DIR=var/run/test bash scripts/services.sh --test

# The personal-data keyring file (var/keys/, never committed): made once, then kept.
keys: venv
	$(MANAGE) create_personal_data_keys --if-missing

compilemessages: venv
	$(MANAGE) compilemessages -v0 --ignore=.venv

messages: venv
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench --no-obsolete

migrate: services venv keys
	$(MANAGE) migrate --noinput -v0

# The demo network with a year of history for Xifeng and Zhifu (check-ins, registrations,
# activities, points), so the dashboards have something to show; a second run adds nothing.
demo: migrate
	$(MANAGE) load_demo --history

run: services venv keys compilemessages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo --history
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

# Backup and restore (README: Operations): the database, the personal-data keys and the
# media files together. `make backup` writes var/backups/<date-time>/ (or DIR=...);
# `make restore DIR=...` restores into the configured, empty database (FORCE=1 replaces
# what is there), then applies the migrations this code has and the backup had not.
.PHONY: backup restore
backup: services venv
	$(MANAGE) backup $(DIR)

restore: services venv
	@test -n "$(DIR)" || { echo "Usage: make restore DIR=var/backups/<date-time> [FORCE=1]"; exit 2; }
	$(MANAGE) restore "$(DIR)" $(if $(FORCE),--force)
	$(MANAGE) migrate --noinput -v0

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check -q .

check: venv keys
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run -v0
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
		FIELD_ENCRYPTION_KEYS=check:aes-gcm:$$(head -c 32 /dev/urandom | base64 -w0) \
		BLIND_INDEX_KEY=$$(head -c 32 /dev/urandom | base64 -w0) \
		$(MANAGE) check --deploy --fail-level WARNING
	@# The compose file must stay valid (no engine needed to check it).
	if docker compose version >/dev/null 2>&1; then docker compose config -q; \
	else docker-compose config -q; fi

test: services-test venv compilemessages lint check
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)

bench: services venv keys
	bash bench/run.sh

lock:
	$(VENV)/bin/pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

# Keeps var/keys and var/media: the keys decrypt the database's personal data.
clean:
	rm -rf $(VENV) var/run var/static
