# Entry points for a fresh machine. `make demo` and `make test` both set up .venv first (idempotent).
PY := .venv/bin/python
# pytest-xdist workers: the tests run on one thread each (tests/conftest.py), so one worker per core of the
# 2-core reference machine; `make test TEST_WORKERS=8` on a bigger one, 0 for one process.
TEST_WORKERS ?= 2

.PHONY: setup demo test test-quick docs clean

setup:
	bash tools/setup_env.sh

demo: setup
	bash tools/demo.sh

test: setup
	bash tools/setup_browser.sh
	$(PY) -m pytest -q -n $(TEST_WORKERS) tests

# The documentation site, strictly: a warning (a broken link, a missing page) is an error, as in tests/test_docs.py.
docs: setup
	$(PY) -m sphinx -W --keep-going -n -b html docs docs/_build/html

# The quick subset for development: every test not marked `slow` (training runs, subprocesses,
# process groups); what it leaves out is in docs/get_started.md. CI runs `make test`, which runs them all.
test-quick: setup
	$(PY) -m pytest -q -n $(TEST_WORKERS) -m "not slow" tests

clean:
	rm -rf work_dirs data/embedded
