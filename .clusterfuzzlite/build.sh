#!/bin/bash -eu
# build.sh: OSS-Fuzz / ClusterFuzzLite build of the stackfuzz fuzz targets.
#
# Conventions (https://google.github.io/oss-fuzz/getting-started/new-project-guide/):
# compile with $CC $CFLAGS, link with $LIB_FUZZING_ENGINE, and put into
# $OUT each target, <target>_seed_corpus.zip, <target>.dict and
# <target>.options. Targets:
#   fuzz_prog  binary programs, structure-aware mutator (fuzz/mutator.c)
#   fuzz_text  the text parser and the print/parse round trip
# The seed corpora are encoded from corpus/seeds/*.prog by a host build of
# the CLI (plain $CC, no sanitizer or coverage flags: it only runs here).
# Every bug switch is off (STACKFUZZ_BUGS unset): any crash is a real bug.
# Tested locally by scripts/cflite_test.sh (`make cflite-test`).
SRC_DIR=${STACKFUZZ_SRC:-$SRC/stackfuzz}
WORK_DIR=${WORK:-$(mktemp -d)}/stackfuzz-build
LINK=${CXX:-$CC}         # libFuzzer is C++; OSS-Fuzz links with $CXX
rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR/obj" "$WORK_DIR/host" "$OUT"
cd "$SRC_DIR"

std=(-std=gnu11 -D_GNU_SOURCE -Wall -Wextra)
inc=(-Imachine -Iruntime-under-test -Iinvariants -Iharness -Ifuzz)
# as in CMakeLists.txt: every .c of these directories, harness/main.c aside
lib_srcs=(machine/*.c runtime-under-test/*.c invariants/*.c)
for f in harness/*.c; do
  [[ $f == harness/main.c ]] || lib_srcs+=("$f")
done

# The library under test, instrumented. Edge coverage only: libFuzzer's
# comparison tracing makes the runtime's and checkers' hot loops 5x slower
# and the structure-aware mutator does not need it (as in CMakeLists.txt).
extra=()
[[ $CFLAGS == *fuzzer-no-link* ]] && extra=(-fno-sanitize-coverage=trace-cmp)
objs=()
for f in "${lib_srcs[@]}" fuzz/fuzz_entry.c fuzz/mutator.c; do
  o="$WORK_DIR/obj/$(echo "$f" | tr / _).o"
  $CC $CFLAGS "${extra[@]}" "${std[@]}" "${inc[@]}" -c "$f" -o "$o"
  objs+=("$o")
done
ar rcs "$WORK_DIR/libstackfuzz.a" "${objs[@]}"

# The targets.
$CC $CFLAGS "${std[@]}" "${inc[@]}" -c fuzz/driver_libfuzzer.c -o "$WORK_DIR/drv_prog.o"
$CC $CFLAGS "${std[@]}" "${inc[@]}" -c fuzz/libfuzzer_mutator.c -o "$WORK_DIR/mut.o"
$CC $CFLAGS "${std[@]}" "${inc[@]}" -DSF_FUZZ_TEXT=1 -c fuzz/driver_libfuzzer.c -o "$WORK_DIR/drv_text.o"
$LINK $CFLAGS "$WORK_DIR/drv_prog.o" "$WORK_DIR/mut.o" "$WORK_DIR/libstackfuzz.a" \
  $LIB_FUZZING_ENGINE -lm -o "$OUT/fuzz_prog"
$LINK $CFLAGS "$WORK_DIR/drv_text.o" "$WORK_DIR/libstackfuzz.a" \
  $LIB_FUZZING_ENGINE -lm -o "$OUT/fuzz_text"

# A host CLI for encoding the seeds.
${HOST_CC:-$CC} -O1 "${std[@]}" "${inc[@]}" "${lib_srcs[@]}" harness/main.c -lm \
  -o "$WORK_DIR/host/stackfuzz"

# Seed corpora: corpus/seeds only (the regressions would make every
# bug-switch run find its bug at once).
mkdir -p "$WORK_DIR/seeds/prog" "$WORK_DIR/seeds/text"
for s in corpus/seeds/*.prog; do
  n=$(basename "$s" .prog)
  "$WORK_DIR/host/stackfuzz" encode "$s" -o "$WORK_DIR/seeds/prog/$n.bin"
  cp "$s" "$WORK_DIR/seeds/text/"
done
rm -f "$OUT/fuzz_prog_seed_corpus.zip" "$OUT/fuzz_text_seed_corpus.zip"
(cd "$WORK_DIR/seeds/prog" && zip -q -j "$OUT/fuzz_prog_seed_corpus.zip" ./*)
(cd "$WORK_DIR/seeds/text" && zip -q -j "$OUT/fuzz_text_seed_corpus.zip" ./*)

# Dictionaries and options.
cp fuzz/prog.dict "$OUT/fuzz_prog.dict"
cp fuzz/text.dict "$OUT/fuzz_text.dict"
# max_len: PROG_BIN_MAX (lang/prog.h); the checkers make some inputs
# slow (seconds under ASan), hence the generous timeout.
cat >"$OUT/fuzz_prog.options" <<'OPT'
[libfuzzer]
max_len = 12417
timeout = 60
dict = fuzz_prog.dict
OPT
cat >"$OUT/fuzz_text.options" <<'OPT'
[libfuzzer]
max_len = 65536
timeout = 60
dict = fuzz_text.dict
OPT
echo "build.sh: fuzz_prog fuzz_text -> $OUT"
