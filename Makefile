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

.PHONY: run test services venv lint check migrate demo bench lock messages compilemessages clean

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

compilemessages: venv
	$(MANAGE) compilemessages -v0 --ignore=.venv

messages: venv
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench --no-obsolete

migrate: services venv
	$(MANAGE) migrate --noinput -v0

demo: migrate
	$(MANAGE) load_demo

run: services venv compilemessages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check -q .

check: venv
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run -v0
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
		$(MANAGE) check --deploy --fail-level WARNING
	@# The compose file must stay valid (no engine needed to check it).
	if docker compose version >/dev/null 2>&1; then docker compose config -q; \
	else docker-compose config -q; fi

test: services-test venv compilemessages lint check
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)

bench: services venv
	bash bench/run.sh

lock:
	$(VENV)/bin/pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) var
