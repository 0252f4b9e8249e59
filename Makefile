# Entry points for a fresh machine. `make demo` and `make test` both set up .venv first (idempotent).
PY := .venv/bin/python

.PHONY: setup demo test test-quick clean

setup:
	bash tools/setup_env.sh

demo: setup
	bash tools/demo.sh

test: setup
	bash tools/setup_browser.sh
	$(PY) -m pytest -q tests

# The quick subset for development (under 3 minutes on 2 cores): every test not marked `slow` (training runs,
# subprocesses, process groups). CI runs `make test`, which runs them all.
test-quick: setup
	$(PY) -m pytest -q -m "not slow" tests

clean:
	rm -rf work_dirs data/embedded
