# ClusterSim. `make run` installs what is missing and runs the main example; `make test` runs the tests.
SWIFT ?= swift
BIN := .build/debug/clustersim
RELEASE_BIN := .build/release/clustersim
SCENARIOS := $(filter-out scenarios/groups/%,$(wildcard scenarios/*.json))

.PHONY: all deps deps-check-all build release run test unit e2e results experiments plots bench check-all docs clean fuzz-smoke fuzz

# Mutation fuzzing of the shipped scenarios (Sources/clustersim-fuzz): every input must exit 0 with a
# complete results folder or 2 with nothing written, within the time bound; failures are saved in
# $(FUZZ_SAVE) for `clustersim-fuzz --replay`.
FUZZ_SAVE ?= /tmp/clustersim-fuzz-failures

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
	$(BIN) plot results/quickstart --out plots/quickstart --format png

# Unit tests + end-to-end tests (every shipped scenario against its golden results, determinism
# across processes, the bad-input suite, interrupted runs).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	$(MAKE) fuzz-smoke

# A few hundred mutated inputs with the debug build (under a minute), a tenth of them through the CLI too.
# The debug build runs the model about 8 times slower than the release build `make fuzz` uses, and the
# machine is shared, so its time bound is 60 s instead of the default 20 s; an input that hangs exceeds
# any bound. The work budget counts fluid traffic's steps and latency sketches beside engine events
# (input 198, autoscale-diurnal at 100,000 req/s from 22h: 10.3 CPU s in debug when only events
# counted, 1.5 CPU s now).
fuzz-smoke:
	.build/debug/clustersim-fuzz --count 300 --seed 1 --timeout 60 --save $(FUZZ_SAVE) --cli $(BIN) --cli-every 10

# 100,000 mutated inputs with the release build (2 jobs), 1 in 500 through the CLI.
fuzz:
	$(SWIFT) build -c release --product clustersim-fuzz
	$(SWIFT) build -c release --product clustersim
	.build/release/clustersim-fuzz --count 100000 --seed 8 --jobs 2 --quiet --save $(FUZZ_SAVE) --cli $(RELEASE_BIN) --cli-every 500

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

# The shipped experiments' aggregates and plots (PNG only): the planned one (plan.csv, plan.json, then
# a sweep of its whole grid for points.csv, reusing the plan's runs) and the swept one. The runs
# themselves stay in results/<name>/runs/, ignored by git, so a second call only re-aggregates.
experiments: build
	$(BIN) plan scenarios/experiments/capacity-rack-loss.json --quiet
	$(BIN) sweep scenarios/experiments/capacity-rack-loss.json --quiet
	$(BIN) sweep scenarios/experiments/network-mode-cost.json --quiet
	rm -f plots/capacity-rack-loss/*.svg plots/network-mode-cost/*.svg

# Generated reference: docs/outputs.md whole, and the scenario key tables inside the hand-written
# pages (the regions between <!-- BEGIN GENERATED: scenario-keys ... --> and <!-- END GENERATED -->).
KEY_DOCS := docs/scenarios.md docs/mesos.md docs/marathon.md docs/chronos.md docs/network.md docs/storage.md docs/consul.md docs/discovery.md docs/traffic.md docs/monitoring.md docs/alertmanager.md docs/marathon-lb.md docs/autoscale.md docs/experiments.md docs/delivery.md

docs: build
	$(BIN) docs outputs > docs/outputs.md
	@set -e; for f in $(KEY_DOCS); do \
	  $(BIN) docs scenario-keys --fill $$f > $$f.tmp; mv $$f.tmp $$f; \
	done

bench:
	bash bench/run.sh

# What check-all needs beyond `make test`: slurm-wlm and munge for the local Slurm check.
deps-check-all:
	@bash scripts/install-deps.sh --check-all

# Slow checks kept out of `make test`: a sweep through a single-node Slurm of its own (SlurmLocalTests runs
# scripts/slurm-local.sh; docs/slurm.md), 2,000 interrupts at random moments of a run (InterruptRaceTests,
# about three minutes), the tests in release mode too, a quick benchmark smoke run.
check-all: deps-check-all test
	CLUSTERSIM_SLURM_TEST=1 $(SWIFT) test --skip-build --disable-swift-testing --filter SlurmLocalTests
	CLUSTERSIM_INTERRUPT_RACE=2000 $(SWIFT) test --skip-build --disable-swift-testing --filter InterruptRaceTests
	$(SWIFT) build -c release
	$(MAKE) fuzz
	QUICK=1 bash bench/run.sh

clean:
	rm -rf .build
