# The two commands of the README: `make run` (demo on SQLite, served by waitress) and `make test`.
# Installs come from the lock files in requirements/ (exact pins with hashes); `make lock`
# regenerates them from setup.py's ranges.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
# pip-compile reads PyPI only (no machine-wide pip configuration, extra indexes or caps).
COMPILE := PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test install install-test lock lint format i18n serve

# The venv's own pip, setuptools and wheel come from the lock too: the ones `venv` bundles age.
$(VENV)/.tools: requirements/venv.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements/venv.txt
	touch $@

# pip-sync makes the venv hold exactly the lock (it removes what the lock no longer names); the
# project itself is then installed editable, without dependencies of its own choosing.
SYNC = $(VENV)/bin/pip-sync -q requirements/venv.txt $(1) && \
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .

$(VENV)/.installed: $(VENV)/.tools requirements/runtime.txt setup.py pyproject.toml
	$(call SYNC,requirements/runtime.txt)
	rm -f $(VENV)/.installed-test
	touch $@

$(VENV)/.installed-test: $(VENV)/.tools requirements/test.txt setup.py pyproject.toml
	$(call SYNC,requirements/test.txt)
	rm -f $(VENV)/.installed
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# With the test lock installed (a superset at the same pins) run uses it rather than re-syncing.
run: $(if $(wildcard $(VENV)/.installed-test),install-test,install)
	$(VENV)/bin/assess initdb
	$(VENV)/bin/assess demo --if-empty
	$(VENV)/bin/pserve development.ini

serve: $(if $(wildcard $(VENV)/.installed-test),install-test,install)
	$(VENV)/bin/pserve development.ini --reload

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Whole suite on SQLite (TEST_DATABASE_URL unset for it, even when the caller exported it, as
# .ci/run does) and, side by side with it when a PostgreSQL server answers (TEST_DATABASE_URL,
# or the local server at $(PG_URL)), the database tests again on PostgreSQL: the two runs share
# nothing (each its own database and temporary folders), and together they take about the
# longer one's time on two cores instead of the sum. PostgreSQL's output is printed after
# SQLite's; the target fails when either run fails.
test: install-test lint
	@url="$${TEST_DATABASE_URL:-$(PG_URL)}"; \
	if $(PY) -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  log=$$(mktemp); \
	  echo "== database tests on PostgreSQL ($$url), side by side with SQLite; output below when done"; \
	  ( TEST_DATABASE_URL="$$url" $(PY) -m pytest -m db -p no:cacheprovider > "$$log" 2>&1; echo $$? > "$$log.rc" ) & \
	  echo "== whole suite on SQLite"; \
	  env -u TEST_DATABASE_URL $(PY) -m pytest; sqlite=$$?; \
	  wait; \
	  echo "== database tests on PostgreSQL ($$url)"; cat "$$log"; pg=$$(cat "$$log.rc"); \
	  rm -f "$$log" "$$log.rc"; \
	  echo "== SQLite: exit $$sqlite; PostgreSQL: exit $$pg"; \
	  test "$$sqlite" -eq 0 && test "$$pg" -eq 0; \
	else \
	  echo "== PostgreSQL not reachable at $$url: database tests run on SQLite only"; \
	  env -u TEST_DATABASE_URL $(PY) -m pytest; \
	fi

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract messages, merge them into the catalogs, compile (.mo files are committed).
i18n: install-test
	$(VENV)/bin/pybabel extract -F babel.cfg -k tx -o assessment/locale/assessment.pot --no-location --sort-output assessment sampling surveys reports appeals backchecks
	$(VENV)/bin/pybabel update -i assessment/locale/assessment.pot -d assessment/locale -D assessment --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d assessment/locale -D assessment

# Refresh every pin to the newest release setup.py's ranges allow, then run `make test`. The
# runtime and the venv's tools are constrained by the test lock, so all three agree.
lock: $(VENV)/.tools
	$(COMPILE) --upgrade --extra test -o requirements/test.txt setup.py
	$(COMPILE) --upgrade -c requirements/test.txt -o requirements/runtime.txt setup.py
	$(COMPILE) --upgrade -c requirements/test.txt -o requirements/venv.txt requirements/venv.in
