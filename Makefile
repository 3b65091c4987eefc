# scorelab: every target installs what it needs into .venv first, at the versions locked in
# requirements-dev.lock (exact versions and hashes; `make lock` regenerates it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements-dev.lock

.PHONY: test report report-check lock lab bench clean docs

$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 > /dev/null
	touch $(STAMP)

## lock: pin pyproject.toml's dependencies (extra dev) with hashes; UPGRADE=1 moves to the latest
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv>=0.4"
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes \
	    --python-version 3.11 --python-platform linux --custom-compile-command "make lock" \
	    $(if $(filter-out 0,$(UPGRADE)),--upgrade) -o $(LOCK)

## test: unit, property and doctests, then every notebook under nbval (strict)
test: $(STAMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env \
	    --nbval-sanitize-with notebooks/nbval-sanitize.cfg tests scorelab notebooks

## report: run every notebook headless and write reports/index.html, figures and tables;
## a notebook whose data cannot be had (FICO tables offline) is skipped, STRICT=1 fails on it
report: $(STAMP)
	$(BIN)/python tools/make_report.py $(if $(filter-out 0,$(STRICT)),--strict)

## full: run every notebook that declares metadata.scorelab.full_parameters at full scale
## (papermill, scale="full"); findings registers with provenance go to results/<notebook>/
.PHONY: full
full: $(STAMP)
	$(BIN)/python tools/make_full.py

## report-check: open every page of the report (run make report first) in headless
## Chromium: console errors, links, images, equations; screenshot in reports/index.png
report-check: $(STAMP)
	$(BIN)/python tools/check_report.py

## docs: build the documentation site offline into docs/_build/html (warnings are errors)
docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

## lab: open JupyterLab on the notebooks
lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ip 127.0.0.1 --allow-root notebooks

## bench: performance benchmarks against baselines (prints ratios)
bench: $(STAMP)
	$(BIN)/python benchmarks/propagation.py
	$(BIN)/python benchmarks/society.py
	$(BIN)/python benchmarks/dynamics.py
	$(BIN)/python benchmarks/dating.py

clean:
	rm -rf $(VENV) reports/figures reports/tables reports/notebooks reports/index.html \
	    reports/index.png reports/findings.csv
