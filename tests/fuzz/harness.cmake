# SPDX-License-Identifier: Apache-2.0
# The fuzz harnesses as a library: linked by the libFuzzer executables
# (tests/fuzz/CMakeLists.txt) and by unit.test_fuzz_regressions, which runs
# the committed crash inputs and seed corpora through the same functions.
if(NOT TARGET tlcp_fuzz_harness)
  file(GLOB TLCP_FUZZ_HARNESS_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/tests/fuzz/harness_*.c)
  # The key-server frame codec lives with the program (apps/tlcp/keyserver).
  add_library(tlcp_fuzz_harness STATIC ${TLCP_FUZZ_HARNESS_SOURCES}
      ${CMAKE_SOURCE_DIR}/apps/tlcp/keyserver/frame.c)
  target_include_directories(tlcp_fuzz_harness PUBLIC ${CMAKE_SOURCE_DIR}/tests/fuzz)
  target_compile_options(tlcp_fuzz_harness PRIVATE ${TLCP_WARNINGS})
  target_compile_definitions(tlcp_fuzz_harness PUBLIC _POSIX_C_SOURCE=200809L
      TLCP_FUZZ_DIR="${CMAKE_SOURCE_DIR}/tests/fuzz" TLCP_DATA_DIR="${TLCP_DATA_DIR}")
  target_link_libraries(tlcp_fuzz_harness PUBLIC tlcp_testing)
endif()
