# gen_seeds.cmake: regenerate the engines' seed corpora from corpus/seeds/.
#
#   cmake -DSTACKFUZZ=<stackfuzz> -DSRC=<corpus/seeds> -DOUT=<build>/fuzz/seeds
#         -DSTAMP=<file> -P gen_seeds.cmake
#
# OUT/prog/<name>.bin  binary programs (`stackfuzz encode`), for fuzz_prog
# OUT/text/<name>.prog the text programs as they are, for fuzz_text
# The directories are rebuilt from scratch, so a seed deleted from the
# corpus does not linger. corpus/regressions/ is deliberately not used:
# time-to-bug is measured from seeds that do not already contain the bug.
# With no seeds at all, a one-function program stands in (AFL++ refuses
# an empty input directory).
file(REMOVE_RECURSE "${OUT}/prog" "${OUT}/text")
file(MAKE_DIRECTORY "${OUT}/prog" "${OUT}/text")
file(GLOB seeds "${SRC}/*.prog")
list(SORT seeds)
if(NOT seeds)
  message(WARNING "no seed programs in ${SRC}; using a one-function stand-in")
  file(WRITE "${OUT}/text/empty.prog" "func main()\nend\n")
  set(seeds "${OUT}/text/empty.prog")
endif()
foreach(s IN LISTS seeds)
  get_filename_component(name "${s}" NAME_WE)
  if(NOT s STREQUAL "${OUT}/text/empty.prog")
    file(COPY "${s}" DESTINATION "${OUT}/text")
  endif()
  execute_process(COMMAND "${STACKFUZZ}" encode "${s}" -o "${OUT}/prog/${name}.bin"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "stackfuzz encode ${s} failed (${rc}): ${err}")
  endif()
endforeach()
list(LENGTH seeds n)
file(WRITE "${STAMP}" "${n}\n")
