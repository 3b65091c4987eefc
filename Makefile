# scorelab: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test report lab bench clean docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 > /dev/null
	touch $(STAMP)

## test: unit, property and doctests, then every notebook under nbval (strict)
test: $(STAMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env \
	    --nbval-sanitize-with notebooks/nbval-sanitize.cfg tests scorelab notebooks

## report: run every notebook headless and write reports/index.html, figures and tables
report: $(STAMP)
	$(BIN)/python tools/make_report.py

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
	rm -rf $(VENV) reports/figures reports/tables reports/notebooks reports/index.html
