# stackfuzz: thin wrapper around CMake presets (see CMakePresets.json).
#
#   make deps       check/install the build toolchain (apt, as root)
#   make build      configure (once) and build the dev preset   -> build/
#   make test       build + ctest (dev preset)
#   make asan       configure/build/test the ASan+UBSan preset  -> build-asan/
#   make fuzz       build and fuzz (FUZZ_ENGINE=libfuzzer|afl, FUZZ_SECONDS=60,
#                   FUZZ_JOBS=1, STACKFUZZ_BUGS=7695 ...), report, minimize
#                   findings/; each run in out/<engine>/<UTC time>/
#   make fuzz-report redraw the plot of a run and print its summary
#                   (RUN=out/<engine>/<time>, default the newest run)
#   make fuzz-find  fuzz until the first violation, report the time to it
#   make fuzz-merge prune the fuzzing corpus (libFuzzer -merge=1 / afl-cmin)
#   make fuzz-smoke the CI smoke run: 60 s libFuzzer + 60 s AFL++, bugs off
#   make coverage   llvm-cov HTML report of runtime-under-test/ over corpus/
#   make cflite-test run .clusterfuzzlite/build.sh locally, try each target
#   make diff-go    the model against real Go: the seeds and DIFF_PROGRAMS=1000
#                   random programs (installs golang-go on demand)
#   make bench      re-measure every figure, rewriting bench/results/
#                   (bench/all.sh; BENCH_QUICK=1: a few minutes, results
#                   in out/bench/quick-<time>/; BENCH_ONLY="fuzz_ttb ...")
#   make clean      remove every build directory (never out/ or findings/:
#                   those are results)

SHELL := /bin/bash
.DEFAULT_GOAL := build
# Keep the nested make that `cmake --build` runs from logging every directory.
MAKEFLAGS += --no-print-directory

JOBS ?= 2

# Debian packages the build and tests need. graphviz is optional (not checked).
DEPS      := cmake gcc clang-14 libclang-rt-14-dev pkg-config libcmocka-dev make
# Fuzzing (`make deps-fuzz`): libFuzzer always, AFL++ for FUZZ_ENGINE=afl.
FUZZ_ENGINE  ?= libfuzzer
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
export FUZZ_ENGINE FUZZ_SECONDS FUZZ_JOBS
# gnuplot-nox draws each run's plot.svg
FUZZ_DEPS := clang-14 libclang-rt-14-dev gnuplot-nox $(if $(filter afl,$(FUZZ_ENGINE)),afl++)
# Coverage report (llvm-profdata-14, llvm-cov-14) and the ClusterFuzzLite test (zip).
COV_DEPS  := clang-14 llvm-14
CFL_DEPS  := clang-14 libclang-rt-14-dev zip

# ensure_pkgs(<packages>): a package counts as present if dpkg has it
# installed, or if a command of that name is on PATH (e.g. cmake from
# elsewhere). Missing ones are apt-get installed when we are root; otherwise
# print the command to run and fail.
define ensure_pkgs
	@missing=""; \
	for p in $(1); do \
	  if [ "$$(dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null)" = installed ] \
	     || command -v "$$p" >/dev/null 2>&1; then :; else missing="$$missing $$p"; fi; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: ok ($(strip $(1)))"; exit 0; fi; \
	echo "deps: missing:$$missing"; \
	if [ "$$(id -u)" -eq 0 ]; then \
	  set -x; apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing; \
	else \
	  echo "deps: not root; install them with:" >&2; \
	  echo "    sudo apt-get update && sudo apt-get install -y$$missing" >&2; \
	  exit 1; \
	fi
endef

# preset_build(<preset>, <binary dir>): configure once, then build.
define preset_build
	@test -f $(2)/CMakeCache.txt || cmake --preset $(1)
	cmake --build --preset $(1) -j$(JOBS)
endef

.PHONY: deps deps-fuzz build test asan fuzz fuzz-find fuzz-merge fuzz-report fuzz-smoke coverage cflite-test diff-go mutants bench clean

deps:
	$(call ensure_pkgs,$(DEPS))

deps-fuzz:
	$(call ensure_pkgs,$(FUZZ_DEPS))

build: deps
	$(call preset_build,dev,build)

# ctest is the recipe's last command, unpiped: make fails exactly when it does.
test: build
	ctest --preset dev

asan: deps
	$(call preset_build,asan,build-asan)
	ctest --preset asan

# The fuzz targets: scripts/fuzz*.sh hold the logic (see their headers) and
# build what they run themselves, through scripts/lib.sh (the one build
# path of scripts/ and bench/): the dev CLI and the engine's preset.
fuzz: deps deps-fuzz
	scripts/fuzz.sh

fuzz-find: deps deps-fuzz
	FUZZ_FIND=1 scripts/fuzz.sh

fuzz-merge: deps deps-fuzz
	scripts/fuzz_merge.sh

# RUN=out/<engine>/<time> (default: out/$(FUZZ_ENGINE)/latest)
fuzz-report:
	$(call ensure_pkgs,gnuplot-nox)
	scripts/fuzz_report.sh $(RUN)

fuzz-smoke: deps
	$(call ensure_pkgs,clang-14 libclang-rt-14-dev afl++)
	scripts/fuzz_smoke.sh

# Runtime mistakes injected one at a time: each must be seen, and seen
# the same by incremental and full checking (about 1 min a mutant).
mutants: deps
	$(call ensure_pkgs,python3)
	scripts/mutants.sh

coverage: deps
	$(call ensure_pkgs,$(COV_DEPS))
	scripts/coverage.sh

cflite-test: deps
	$(call ensure_pkgs,$(CFL_DEPS))
	scripts/cflite_test.sh

# Differential runs against real Go (scripts/diff_go.sh installs golang-go).
DIFF_PROGRAMS ?= 1000
export DIFF_PROGRAMS
diff-go: build
	scripts/diff_go.sh

# Every figure of the README, re-measured (bench/all.sh; each script builds
# what it runs: the release preset, the fuzz presets).
BENCH_QUICK ?= 0
export BENCH_QUICK BENCH_ONLY BENCH_RESULTS
bench: deps
	$(call ensure_pkgs,clang-14 libclang-rt-14-dev afl++)
	bench/all.sh

# Build products only: out/ and findings/ hold results and are kept.
clean:
	rm -rf build build-asan build-release build-libfuzzer build-afl build-coverage
