# stackfuzz: thin wrapper around CMake presets (see CMakePresets.json).
#
#   make deps       check/install the build toolchain (apt, as root)
#   make build      configure (once) and build the dev preset   -> build/
#   make test       build + ctest (dev preset)
#   make asan       configure/build/test the ASan+UBSan preset  -> build-asan/
#   make fuzz       not yet (see issue 5)
#   make clean      remove every build directory

SHELL := /bin/bash
.DEFAULT_GOAL := build
# Keep the nested make that `cmake --build` runs from logging every directory.
MAKEFLAGS += --no-print-directory

JOBS ?= 2

# Debian packages the build and tests need. graphviz is optional (not checked).
DEPS      := cmake gcc clang-14 libclang-rt-14-dev pkg-config libcmocka-dev make
# Needed only for fuzzing with AFL++ (`make deps-fuzz`).
FUZZ_DEPS := afl++

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

.PHONY: deps deps-fuzz build test asan fuzz clean

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

fuzz:
	@echo "make fuzz: not built yet (see issue 5)"; exit 1

clean:
	rm -rf build build-asan build-release build-libfuzzer build-afl
