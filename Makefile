# Entry points for a fresh machine. `make demo` and `make test` both set up .venv first (idempotent).
PY := .venv/bin/python

.PHONY: setup demo test test-fast clean

setup:
	bash tools/setup_env.sh

demo: setup
	bash tools/demo.sh

test: setup
	bash tools/setup_browser.sh
	$(PY) -m pytest -q tests

clean:
	rm -rf work_dirs data/embedded
