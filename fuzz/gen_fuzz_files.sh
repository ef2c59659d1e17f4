#!/usr/bin/env bash
# gen_fuzz_files.sh: the files around the fuzz targets, generated from the
# C side at build time (fuzz/CMakeLists.txt for every preset,
# .clusterfuzzlite/build.sh for OSS-Fuzz), so no script copies a number:
#
#   fuzz/gen_fuzz_files.sh OUTDIR FUZZ_CONSTS STACKFUZZ
#
#   OUTDIR/sf_consts.sh        limits, record sizes, defaults (fuzz_consts sh),
#                              sourced by scripts/lib.sh
#   OUTDIR/fuzz_prog.options   libFuzzer options, the ClusterFuzz format
#   OUTDIR/fuzz_text.options   (fuzz_consts options prog|text)
#   OUTDIR/fuzz_prog.dict      the binary-form dictionary (gen_prog_dict.sh)
#   OUTDIR/fuzz_text.dict      fuzz/text.dict (keywords: written by hand)
#
# Each file is written beside the others under a temporary name, then
# moved, so a failed generation never leaves a half-written file behind.
set -euo pipefail
out=${1:?usage: gen_fuzz_files.sh OUTDIR FUZZ_CONSTS STACKFUZZ}
consts=${2:?usage: gen_fuzz_files.sh OUTDIR FUZZ_CONSTS STACKFUZZ}
sf=${3:?usage: gen_fuzz_files.sh OUTDIR FUZZ_CONSTS STACKFUZZ}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
"$consts" sh >"$out/sf_consts.sh.tmp"
"$consts" options prog >"$out/fuzz_prog.options.tmp"
"$consts" options text >"$out/fuzz_text.options.tmp"
"$here/gen_prog_dict.sh" "$sf" "$out/sf_consts.sh.tmp" >"$out/fuzz_prog.dict.tmp"
cp "$here/text.dict" "$out/fuzz_text.dict.tmp"
for f in sf_consts.sh fuzz_prog.options fuzz_text.options fuzz_prog.dict fuzz_text.dict; do
  mv "$out/$f.tmp" "$out/$f"
done
