# Provide the imported target cmocka::cmocka.
#
# Debian bookworm's libcmocka-dev (1.1.5) ships a CMake config package that
# defines no imported target: it only sets CMOCKA_INCLUDE_DIR and
# CMOCKA_LIBRARY / CMOCKA_LIBRARIES. So, in order:
#   1. a real cmocka::cmocka target, if some cmocka config package defines one;
#   2. pkg-config (cmocka.pc), wrapped as cmocka::cmocka;
#   3. the bare variables of the config package, wrapped as cmocka::cmocka.
# The pkg-config prefix is PC_CMOCKA so its variables never collide with the
# CMOCKA_* ones the config package sets.

if(TARGET cmocka::cmocka)
  return()
endif()

find_package(cmocka CONFIG QUIET)
if(TARGET cmocka::cmocka)
  message(STATUS "cmocka: using cmocka::cmocka from its CMake package")
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_CMOCKA QUIET IMPORTED_TARGET GLOBAL cmocka)
endif()
if(TARGET PkgConfig::PC_CMOCKA)
  add_library(cmocka::cmocka ALIAS PkgConfig::PC_CMOCKA)
  message(STATUS "cmocka: using pkg-config (cmocka ${PC_CMOCKA_VERSION})")
  return()
endif()

if(CMOCKA_LIBRARY OR CMOCKA_LIBRARIES)
  if(NOT CMOCKA_LIBRARY)
    list(GET CMOCKA_LIBRARIES 0 CMOCKA_LIBRARY)
  endif()
  add_library(cmocka::cmocka UNKNOWN IMPORTED GLOBAL)
  set_target_properties(cmocka::cmocka PROPERTIES
    IMPORTED_LOCATION "${CMOCKA_LIBRARY}")
  if(CMOCKA_INCLUDE_DIR)
    set_target_properties(cmocka::cmocka PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${CMOCKA_INCLUDE_DIR}")
  endif()
  message(STATUS "cmocka: using CMake package variables (${CMOCKA_LIBRARY})")
  return()
endif()

message(FATAL_ERROR
  "cmocka not found (neither pkg-config nor a CMake package). "
  "Install it with: apt-get install -y libcmocka-dev   (or run `make deps`)")
