#!/usr/bin/env bash
# diff_go.sh: `make diff-go`, the model against real Go (Go 1.19, Debian's
# golang-go): every seed of corpus/seeds (each `# expect:` is Go's outcome
# where Go can run it) and DIFF_PROGRAMS random programs decoded from
# random bytes (seed DIFF_SEED) go through `stackfuzz diff`, which builds
# them as one Go module and ends with "N agree, M disagree".
#
#   DIFF_PROGRAMS=1000  random programs (0: the seeds only)
#   DIFF_SEED=1         the random generator's seed (same seed, same programs)
#   DIFF_SMOKE=1        CI: no go and no way to install it is a skip, exit 0
#
# go is installed on demand like the other tools (apt-get as root; else the
# command to run is printed). Go runs offline with a cache under /tmp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${DIFF_PROGRAMS:-1000}
SEED=${DIFF_SEED:-1}
SMOKE=${DIFF_SMOKE:-0}
SF=${STACKFUZZ_BIN:-build/bin/stackfuzz}

no_go() {
	echo "diff-go: $*" >&2
	if [ "$SMOKE" = 1 ]; then echo "diff-go: skipped (no go)"; exit 0; fi
	exit 1
}
if ! command -v go >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "diff-go: installing golang-go"
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y golang-go; } ||
			no_go "could not install golang-go"
	else
		no_go "go is missing; install it with: sudo apt-get install -y golang-go"
	fi
	command -v go >/dev/null 2>&1 || no_go "golang-go installed no go command"
fi
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GOCACHE=${GOCACHE:-/tmp/stackfuzz-gocache}
echo "diff-go: $(go version); seeds + $N random programs (seed $SEED)"
args=(corpus/seeds)
if [ "$N" -gt 0 ]; then args+=(--random "$N" --seed "$SEED"); fi
exec "$SF" diff "${args[@]}"
