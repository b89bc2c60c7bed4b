# The two set-up commands of the README:
#   make run    install into .venv and run the main job: the article's scenario (out/main/)
#   make test   install into .venv and run the whole test suite, on the release build and then
#               once more on the debug build of the compiled core (bounds checks, asserts,
#               line tracing), skipping the slow whole-model realism runs
# Python 3.12 comes from pyenv (see .python-version) unless PYTHON is given.

PYTHON ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)
VENV := .venv
PY := $(VENV)/bin/python
SOURCES := pyproject.toml setup.py $(wildcard mmabm/*.pyx mmabm/*.pxd mmabm/*/*.pyx mmabm/*/*.pxd)

.PHONY: run test test-release test-debug bench build clean

run: $(VENV)/.installed-run
	$(PY) -m mmabm run article --out out/main

test: $(VENV)/.installed
	$(MAKE) test-release
	$(MAKE) test-debug

test-release: $(VENV)/.installed
	$(PY) -m pytest -q

# the suite against the debug build (bounds checks, asserts), then the release build is
# restored, even on failure. Coverage in two parts, combined into one report: the Python
# modules under every non-slow test with the cheap sys.monitoring tracer (which cannot take
# the Cython plugin: that pass reads no .coveragerc), and the .pyx under
# the compiled core's own tests with the tracer that Cython's line tracing needs (under it the
# whole suite took 8 minutes, seven times as long)
CORE_TESTS := $(addprefix tests/,test_order_book.py test_order_book_properties.py \
	test_spot_exchange.py test_amm.py test_amm_venue.py test_perp.py test_quoting.py \
	test_tape.py test_replay.py)
test-debug: $(VENV)/.installed
	MMABM_DEBUG=1 $(PY) setup.py -q build_ext --inplace > /dev/null 2>&1
	rm -f .coverage .coverage.*
	export MMABM_DEBUG_PASS=1; \
	COVERAGE_CORE=sysmon $(PY) -m coverage run --rcfile=/dev/null --source=mmabm -p \
	    -m pytest -q -p no:cacheprovider \
	    -m "not slow" $(addprefix --ignore=,$(CORE_TESTS)); status=$$?; \
	COVERAGE_CORE=ctrace $(PY) -m coverage run -p -m pytest -q -p no:cacheprovider \
	    -m "not slow" $(CORE_TESTS) || status=1; \
	$(PY) -m coverage combine -q; $(PY) -m coverage report; \
	$(PY) setup.py -q build_ext --inplace > /dev/null 2>&1; exit $$status

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_core.py

# the main job's install is lean (the package and what it imports); the tests' adds the test
# tools (pytest, hypothesis, coverage, Dask for the cluster path)
$(VENV)/.installed-run: $(SOURCES) | $(VENV)/.python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed: $(SOURCES) | $(VENV)/.python
	$(PY) -m pip install -q -e ".[test]"
	touch $@ $(VENV)/.installed-run

# the first thing a newcomer sees is which Python is needed, before anything is installed
$(VENV)/.python:
	@test -n "$(PYTHON)" || { echo "mmabm needs Python 3.12 or newer, which was not found: install it (pyenv install 3.12) or pass PYTHON=/path/to/python3.12"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "mmabm needs Python 3.12 or newer; $(PYTHON) is " + sys.version.split()[0] + ": pass PYTHON=/path/to/python3.12")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	touch $@

build: $(VENV)/.installed
	$(PY) setup.py -q build_ext --inplace

clean:
	rm -rf build $(VENV) mmabm/*.c mmabm/*.so mmabm/*.html mmabm/*/*.c mmabm/*/*.so mmabm/*/*.html
