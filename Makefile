# OptBench: `make test` and `make bench` are the two commands a user types.
# Every system package the project needs is installed by `deps`, never by hand.

SWIFT       ?= swift
THREADS     ?= $(shell nproc 2>/dev/null || echo 1)
# make bench options: the suite profile, comma-separated submissions/workloads (default:
# the profile's), trial processes at once, the run's name (results/<run>.h5, plots/<run>/).
PROFILE     ?= quick
SUBMISSIONS ?=
WORKLOADS   ?=
JOBS        ?= $(THREADS)
RUN         ?= $(PROFILE)
# make plots: a results file or a folder of trial files.
RESULTS     ?= results/$(RUN).h5
# Debian packages: OpenBLAS (BLAS + LAPACK; libopenblas0-openmp is its build on OpenMP's
# threads, which the binary loads through its run path so that OpenBLAS and oneDNN share one
# thread pool), oneDNN (convolutions), HDF5 (library + h5dump), gnuplot (through
# libgnuplot-iostream-dev), pkg-config (SwiftPM finds OpenBLAS and HDF5 through it); zlib and
# the real-data workloads' data: Fashion-MNIST and the King James Bible.
APT_PACKAGES := libopenblas-dev libopenblas0-openmp libdnnl-dev libhdf5-dev libgnuplot-iostream-dev hdf5-tools pkg-config \
                zlib1g-dev dataset-fashion-mnist bible-kjv
RELEASE_BIN := .build/release/optbench
# The kjv workload's corpus (the King James Bible as text, from bible-kjv's reader at a
# fixed line width); workloads/kjv.json records its size and SHA-256.
KJV_CORPUS  := data/kjv.txt

.PHONY: deps corpus build test test-slurm bench perf plots clean

## deps: install missing system packages (idempotent; does nothing when all are present), then write the kjv corpus
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "deps: installing$$missing"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: apt-get not found. Install these with your system's package manager:$$missing" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else echo "deps: not root and no password-less sudo. Run: sudo apt-get update && sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq$$missing >/dev/null && echo "deps: done" || \
	{ echo "deps: apt-get failed. Install these by hand:$$missing" >&2; exit 1; }
	@$(MAKE) --no-print-directory corpus

## corpus: (re)write the kjv corpus from the installed bible-kjv (80 ms; deps runs it)
corpus:
	@mkdir -p $(dir $(KJV_CORPUS)) && env -u COLUMNS bible -l80 "gen1:1-rev22:21" > $(KJV_CORPUS).tmp && mv $(KJV_CORPUS).tmp $(KJV_CORPUS)

## build: release build (whole-module optimised)
build: deps
	$(SWIFT) build -c release --product optbench

## test: every unit test (debug build; nothing here is timed)
test: deps
	$(SWIFT) test

## test-slurm: a real single-node Slurm (scripts/slurm-local installs its packages) runs the smoke plan; its merged results must match a local run's, bit for bit (about 2 minutes)
test-slurm: deps
	$(SWIFT) build --product optbench
	scripts/slurm-smoke-test

## perf: release-mode throughput of the numerical core against this machine's limits
perf: build
	$(RELEASE_BIN) perf --threads $(THREADS)

## bench: run the suite profile (one trial process per core), merge, score, plot
bench: build
	$(RELEASE_BIN) run --profile $(PROFILE) --run $(RUN) --jobs $(JOBS) \
	  $(if $(SUBMISSIONS),--submissions $(SUBMISSIONS)) $(if $(WORKLOADS),--workloads $(WORKLOADS))
	@if [ "$(PROFILE)" = quick ]; then \
	  echo "One study per cell, so the intervals above are points. For 95% intervals over 3 studies:"; \
	  echo "  make bench PROFILE=stable   (the same trials 3 times, with other seeds; about 3 times as long)"; \
	fi

## plots: scores and figures from stored results, no training (RESULTS=file or folder)
plots: build
	$(RELEASE_BIN) score $(RESULTS)
	$(RELEASE_BIN) plot $(RESULTS) --output plots/$(basename $(notdir $(RESULTS)))

## clean: remove build products and scratch output (never results/ or plots/ contents)
clean:
	rm -rf .build .build-* scratch
