# The two commands of the README: `make run` (demo on SQLite, served by waitress) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test install lint format i18n serve bench

$(VENV)/.installed: setup.py pyproject.toml sampling/_xlsx_scan.c sampling/_join.c
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/assess initdb
	$(VENV)/bin/assess demo --if-empty
	$(VENV)/bin/pserve development.ini

serve: install
	$(VENV)/bin/pserve development.ini --reload

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Whole suite on SQLite; then the database tests again on PostgreSQL when one answers
# (TEST_DATABASE_URL, or the local server at $(PG_URL)).
test: install lint
	$(PY) -m pytest
	@url="$${TEST_DATABASE_URL:-$(PG_URL)}"; \
	if $(PY) -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== database tests on PostgreSQL ($$url)"; \
	  TEST_DATABASE_URL="$$url" $(PY) -m pytest -m db; \
	else \
	  echo "== PostgreSQL not reachable at $$url: database tests ran on SQLite only"; \
	fi

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract messages, merge them into the catalogs, compile (.mo files are committed).
i18n: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k tx -o assessment/locale/assessment.pot --no-location --sort-output assessment sampling surveys reports
	$(VENV)/bin/pybabel update -i assessment/locale/assessment.pot -d assessment/locale -D assessment --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d assessment/locale -D assessment

bench: install
	$(PY) bench/run_all.py
