# ClusterSim. `make run` installs what is missing and runs the main example; `make test` runs the tests.
SWIFT ?= swift
BIN := .build/debug/clustersim
RELEASE_BIN := .build/release/clustersim
SCENARIOS := $(filter-out scenarios/groups/%,$(wildcard scenarios/*.json))

.PHONY: all deps build release run test unit e2e results plots bench check-all docs clean

all: build

deps:
	@bash scripts/install-deps.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# The README's main example: install, build, run quickstart and plot it.
run: deps build
	$(BIN) run scenarios/quickstart.json --out results/quickstart
	$(BIN) plot results/quickstart --out plots/quickstart

# Unit tests + end-to-end tests (every shipped scenario against its golden results, determinism
# across processes, the bad-input suite, interrupted runs).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

unit: deps
	$(SWIFT) test --skip EndToEndTests --disable-swift-testing

e2e: deps build
	$(SWIFT) test --filter EndToEndTests --disable-swift-testing

# Regenerate the golden results and the sample plots (PNG only, to keep the repository light) after a
# deliberate model change.
results: build
	@set -e; for s in $(SCENARIOS); do \
	  n=$$(basename $$s .json); \
	  $(BIN) run $$s --out results/$$n --quiet; \
	  $(BIN) plot results/$$n --out plots/$$n --format png >/dev/null; \
	  echo "results/$$n plots/$$n"; \
	done

docs: build
	$(BIN) docs outputs > docs/outputs.md

bench:
	bash bench/run.sh

# Slow checks kept out of `make test`: the tests in release mode too, a quick benchmark smoke run.
check-all: test
	$(SWIFT) build -c release
	QUICK=1 bash bench/run.sh

clean:
	rm -rf .build
