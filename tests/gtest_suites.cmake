# Registers a GoogleTest executable with ctest from its sources, without running it at build time.
#
# Why not gtest_discover_tests: it runs every test executable once after each link to list its
# tests (2-5 s each under ASan, CI of 2026-12-05), and registers one ctest test per test, so ctest
# starts one process per test. A sanitized process costs 0.27 s just to start (ASan maps its
# shadow memory); the unit and conformance tests run in 8 s and 4 s in one process but took
# 38 s*proc and 26 s*proc as 220 processes. Here the unit-sized layers register one ctest test
# per suite, the e2e layer one per test (each is seconds long, and ctest runs them side by side).
#
# The sources are scanned for TEST, TEST_F and TEST_P lines. A test the scan cannot see (a macro
# that expands to TEST, a TEST split over lines) would silently not run, so each executable gets a
# `NAME:registered` test that lists what the binary really holds and fails on any difference
# (tests/check_registered.cmake).

# The ctest entries of one executable: one per suite (PER_SUITE) or per test (PER_TEST).
# SERIAL_SOURCES: sources whose tests compare rates with the ideal and must run alone.
function(teebench_register_tests name label)
  cmake_parse_arguments(R "PER_SUITE;PER_TEST" "" "SOURCES;SERIAL_SOURCES" ${ARGN})
  set(all)
  foreach(kind IN ITEMS SOURCES SERIAL_SOURCES)
    foreach(src IN LISTS R_${kind})
      set(path ${CMAKE_CURRENT_SOURCE_DIR}/${src})
      # A new TEST in a source must re-run this scan: edits to it re-run cmake (about a second).
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
      file(STRINGS ${path} lines REGEX "^[ \t]*TEST(_F|_P)?\\(")
      foreach(line IN LISTS lines)
        if(NOT line MATCHES "TEST(_F|_P)?\\([ \t]*([A-Za-z0-9_]+)[ \t]*,[ \t]*([A-Za-z0-9_]+)")
          continue()
        endif()
        if(R_PER_SUITE)
          set(entry ${CMAKE_MATCH_2})
        else()
          set(entry ${CMAKE_MATCH_2}.${CMAKE_MATCH_3})
        endif()
        if(entry IN_LIST all)
          continue()
        endif()
        list(APPEND all ${entry})
        if(R_PER_SUITE)
          # TEST_P suites are named Prefix/Suite in the binary; the filter takes both forms.
          set(filter "${entry}.*:*/${entry}.*")
          set(test_name ${name}:${entry})
        else()
          set(filter "${entry}:*/${entry}/*")
          set(test_name ${entry})
        endif()
        add_test(NAME ${test_name} COMMAND ${name} --gtest_filter=${filter})
        set_tests_properties(${test_name} PROPERTIES LABELS ${label})
        if(kind STREQUAL "SERIAL_SOURCES")
          set_tests_properties(${test_name} PROPERTIES RUN_SERIAL TRUE)
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(R_PER_SUITE)
    set(mode suite)
  else()
    set(mode test)
  endif()
  string(REPLACE ";" "," expected "${all}")
  add_test(NAME ${name}:registered
    COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:${name}> -DMODE=${mode} -DEXPECTED=${expected}
            -P ${PROJECT_SOURCE_DIR}/tests/check_registered.cmake)
  set_tests_properties(${name}:registered PROPERTIES LABELS ${label})
endfunction()
