# OptBench: `make test` and `make bench` are the two commands a user types.
# Every system package the project needs is installed by `deps`, never by hand.

SWIFT       ?= swift
THREADS     ?= $(shell nproc 2>/dev/null || echo 1)
# Debian packages: OpenBLAS (BLAS + LAPACK), HDF5 (library + h5dump), gnuplot (through
# libgnuplot-iostream-dev), pkg-config (SwiftPM finds OpenBLAS and HDF5 through it).
APT_PACKAGES := libopenblas-dev libhdf5-dev libgnuplot-iostream-dev hdf5-tools pkg-config
RELEASE_BIN := .build/release/optbench

.PHONY: deps build test bench perf plots clean

## deps: install missing system packages (idempotent; does nothing when all are present)
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

## build: release build (whole-module optimised)
build: deps
	$(SWIFT) build -c release --product optbench

## test: every unit test (debug build; nothing here is timed)
test: deps
	$(SWIFT) test

## perf: release-mode throughput of the numerical core against this machine's limits
perf: build
	$(RELEASE_BIN) perf --threads $(THREADS)

## bench: the benchmark entry point; today it runs the core performance benchmark
bench: perf

## plots: figures from stored results (arrives with scoring and plotting)
plots: build
	@echo "plots: scoring and figures are not implemented yet; nothing was rendered." >&2; exit 2

## clean: remove build products and scratch output (never results/ or plots/ contents)
clean:
	rm -rf .build .build-* scratch
