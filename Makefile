# finetune-hazards: every command sets up what it needs first.
#   make run    set up, then run the baseline scenario
#   make test   set up, then run the whole test suite (what CI runs)
#   make setup  create .venv with a Python >= 3.12, the pinned dependencies and the app's
#               front-end assets, and compile the model's rules (idempotent; the compiled
#               rules are cached on disk until sim/core changes)
#   make app    set up, then start the interactive app on http://127.0.0.1:8765
#   make bench  speed benchmarks: table + benchmarks/results/latest.json (a few minutes)
#   make lint   ruff check + format check + the import contracts (docs/architecture.md)
#   make lock   re-pin requirements.lock from pyproject.toml

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.setup-done
ASSETS := $(VENV)/share/solara/cdn/.packages

.PHONY: setup run test app bench browser lint format lock clean

setup: $(STAMP) $(ASSETS)
	@echo "preparing the compiled model rules (about 2 minutes the first time after sim/core changes)"
	@$(PY) -c 'from sim.api import warm_up; warm_up()'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || "$$(./.ci/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(ASSETS): .ci/solara-assets | $(STAMP)
	./.ci/solara-assets $(VENV)

# Debian's Chromium, for the app's browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

run: setup
	$(PY) run.py scenarios/baseline.yaml

test: setup browser
	$(PY) -m pytest -n 2

app: setup
	$(PY) run.py app

bench: setup
	$(PY) -m benchmarks.bench

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lock:
	rm -rf .lock-venv
	"$$(./.ci/find-python)" -m venv .lock-venv
	.lock-venv/bin/pip install --quiet setuptools -e '.[dev]'
	{ echo "# Exact versions for every machine (CI included). Regenerate with 'make lock' after changing"; \
	  echo "# pyproject.toml's dependencies, then commit this file."; \
	  .lock-venv/bin/pip freeze --all --exclude-editable | grep -v '^-e' | grep -iv '^finetune-hazards' | grep -v '^pip=='; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
