# Building scenario plugins and running their specs as CTest tests.
#
# Used in two places: by Strain's own build (in-tree, where the targets
# `strain_api` and `strain` exist) and, installed beside StrainConfig.cmake,
# by a project of its own after find_package(Strain). The second is what
# plugin authors use; see docs/writing-a-plugin.md.
#
#   strain_add_plugin(<name> SOURCES <src>... [INSTRUMENT] [OUTPUT_DIRECTORY <dir>])
#   strain_instrument(<target>...)
#   strain_add_spec_test(SPEC <file> [PLUGINS <target>...] [PLUGIN_PATH <p>...]
#                        [PER_SPEC] [RUN_SERIAL] [NAME <name>] [TEST_PREFIX <prefix>]
#                        [LABELS <label>...]
#                        [TIMEOUT <seconds>] [ARGS <strain run args>...]
#                        [WORKING_DIRECTORY <dir>])

include_guard(GLOBAL)

# The strain executable the spec tests run: the in-tree target, else the
# imported one from the installed package.
function(_strain_executable out)
  if(TARGET strain)
    set(${out} "$<TARGET_FILE:strain>" PARENT_SCOPE)
  elseif(TARGET Strain::strain)
    set(${out} "$<TARGET_FILE:Strain::strain>" PARENT_SCOPE)
  else()
    message(FATAL_ERROR "strain_add_spec_test: no strain executable (call find_package(Strain) first)")
  endif()
endfunction()

# strain_add_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir]): a scenario
# plugin, a MODULE library against Strain::api (the headers and the
# static strain_runtime library they need). It is compiled like the host
# it will be loaded into: a ThreadSanitizer host needs plugins built with
# -fsanitize=thread (the host carries the runtime), so the installed package
# records the host's sanitizer in STRAIN_HOST_SANITIZER and this follows it.
#
# INSTRUMENT compiles the sources with the compiler's ThreadSanitizer pass
# (-fsanitize=thread at compile time only) and links no sanitizer runtime:
# strain's host defines the __tsan_* functions the pass calls, so that the
# controlled strategy sees every std::atomic operation and, as the spec's
# plain_accesses says, plain memory accesses (docs/writing-a-plugin.md,
# "Testing code you did not write for Strain").
function(strain_add_plugin name)
  cmake_parse_arguments(ARG "INSTRUMENT" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  # A project configured without a build type compiles without -O: a
  # stress test of unoptimised code finds other races, far more slowly.
  # Strain's own presets build RelWithDebInfo; so do plugins by default
  # (optimised, with the line numbers hang reports and TSan need).
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(NOT multi_config AND NOT CMAKE_BUILD_TYPE)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type (set by strain_add_plugin)" FORCE)
    message(STATUS "strain_add_plugin(${name}): no CMAKE_BUILD_TYPE, using RelWithDebInfo")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "strain_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Strain::api)
  if(TARGET strain_warnings)
    target_link_libraries(${name} PRIVATE strain_warnings)
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set(dir "${ARG_OUTPUT_DIRECTORY}")
  elseif(STRAIN_PLUGIN_DIR)
    set(dir "${STRAIN_PLUGIN_DIR}")
  else()
    set(dir "${CMAKE_BINARY_DIR}/strain-plugins")
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${dir}")
  # In-tree, the sanitizer flags are global (STRAIN_TSAN/STRAIN_ASAN); an
  # installed package passes them per plugin.
  if(NOT STRAIN_IN_TREE AND STRAIN_HOST_SANITIZER STREQUAL "thread")
    target_compile_options(${name} PRIVATE -fsanitize=thread)
    target_link_options(${name} PRIVATE -fsanitize=thread)
  elseif(NOT STRAIN_IN_TREE AND STRAIN_HOST_SANITIZER STREQUAL "address")
    target_compile_options(${name} PRIVATE -fsanitize=address -fno-omit-frame-pointer)
    target_link_options(${name} PRIVATE -fsanitize=address)
  endif()
  if(ARG_INSTRUMENT)
    strain_instrument(${name})
  endif()
  # Tests that run the host on every plugin depend on this list.
  set_property(GLOBAL APPEND PROPERTY STRAIN_PLUGIN_TARGETS ${name})
endfunction()

# strain_add_spec_test(SPEC file ...): registers a spec as CTest tests, one
# per case (the default) or one per spec (PER_SPEC), labelled `strain` (and
# LABELS), so `ctest -L strain` runs them and an unmet case fails ctest.
# Each case's test gets the TIMEOUT its budget and watchdog need and
# PROCESSORS = its role threads (from `strain list --ctest`), so `ctest -j`
# neither kills a long case nor packs stress cases onto the same cores;
# TIMEOUT overrides the first, RUN_SERIAL runs the tests alone.
# A case's test is named TEST_PREFIX (default "strain.") + its case id, e.g.
# strain.bank_account/fixed; a PER_SPEC test is NAME (default
# strain.<spec file stem>). ARGS go to `strain run` (e.g. --keep-going);
# PLUGINS are plugin targets, PLUGIN_PATH further files or folders.
#
# Cases are listed when ctest starts, not when CMake configures, because
# listing needs the plugin built (as gtest_discover_tests' PRE_TEST mode does
# for test binaries). A spec that cannot be listed becomes one failing test
# that shows strain's error.
function(strain_add_spec_test)
  cmake_parse_arguments(ARG "PER_SPEC;RUN_SERIAL" "SPEC;NAME;TEST_PREFIX;TIMEOUT;WORKING_DIRECTORY"
                        "PLUGINS;PLUGIN_PATH;LABELS;ARGS" ${ARGN})
  if(NOT ARG_SPEC)
    message(FATAL_ERROR "strain_add_spec_test: SPEC is required")
  endif()
  get_filename_component(spec "${ARG_SPEC}" ABSOLUTE)
  get_filename_component(stem "${spec}" NAME_WE)
  if(NOT ARG_NAME)
    set(ARG_NAME "strain.${stem}")
  endif()
  if(NOT DEFINED ARG_TEST_PREFIX)
    set(ARG_TEST_PREFIX "strain.")
  endif()
  if(NOT ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  set(labels strain ${ARG_LABELS})
  _strain_executable(exe)

  # The plugin path: each plugin target's file, then any folders given.
  set(path "")
  foreach(p IN LISTS ARG_PLUGINS)
    list(APPEND path "$<TARGET_FILE:${p}>")
  endforeach()
  list(APPEND path ${ARG_PLUGIN_PATH})
  if(NOT path)
    if(STRAIN_PLUGIN_DIR)
      set(path "${STRAIN_PLUGIN_DIR}")
    else()
      set(path "${CMAKE_BINARY_DIR}/strain-plugins")
    endif()
  endif()
  list(JOIN path ":" path)
  set(run_args --plugin-path "${path}" run "${spec}" --color never ${ARG_ARGS})

  if(ARG_RUN_SERIAL)
    set(serial TRUE)
  else()
    set(serial FALSE)
  endif()

  # The script ctest includes: it lists the cases with what each needs, and
  # adds a test for each (PER_SPEC: one for the spec, with the sum of their
  # timeouts and the most processors any needs).
  string(MAKE_C_IDENTIFIER "${ARG_NAME}" id)
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${id}_strain_tests.cmake")
  set(quoted_args "")
  foreach(a IN LISTS run_args)
    string(APPEND quoted_args " [==[${a}]==]")
  endforeach()
  file(GENERATE OUTPUT "${script}" CONTENT "\
# Generated by strain_add_spec_test(${ARG_NAME}); read by ctest.
execute_process(
  COMMAND [==[${exe}]==] --plugin-path [==[${path}]==] list --ctest [==[${spec}]==]
  WORKING_DIRECTORY [==[${ARG_WORKING_DIRECTORY}]==]
  OUTPUT_VARIABLE rows ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  # The error shows when the test runs: validate prints every problem.
  add_test([==[${ARG_NAME}]==] [==[${exe}]==] --plugin-path [==[${path}]==] validate [==[${spec}]==])
  set_tests_properties([==[${ARG_NAME}]==] PROPERTIES LABELS [==[${labels}]==]
    WORKING_DIRECTORY [==[${ARG_WORKING_DIRECTORY}]==] TIMEOUT 60)
  return()
endif()
set(per_spec ${ARG_PER_SPEC})
set(timeout_override [==[${ARG_TIMEOUT}]==])
string(REPLACE \"\\n\" \";\" rows \"\${rows}\")
set(spec_timeout 0)
set(spec_processors 1)
foreach(row IN LISTS rows)
  if(row STREQUAL \"\")
    continue()
  endif()
  # id TAB timeout TAB processors (a case id holds no tab)
  string(REPLACE \"\\t\" \";\" fields \"\${row}\")
  list(GET fields 0 case_id)
  list(GET fields 1 timeout)
  list(GET fields 2 processors)
  math(EXPR spec_timeout \"\${spec_timeout} + \${timeout}\")
  if(processors GREATER spec_processors)
    set(spec_processors \${processors})
  endif()
  if(per_spec)
    continue()
  endif()
  if(timeout_override)
    set(timeout \${timeout_override})
  endif()
  add_test(\"${ARG_TEST_PREFIX}\${case_id}\" [==[${exe}]==]${quoted_args} --case \"\${case_id}\")
  set_tests_properties(\"${ARG_TEST_PREFIX}\${case_id}\" PROPERTIES LABELS [==[${labels}]==]
    WORKING_DIRECTORY [==[${ARG_WORKING_DIRECTORY}]==] TIMEOUT \${timeout}
    PROCESSORS \${processors} RUN_SERIAL ${serial})
endforeach()
if(per_spec)
  if(timeout_override)
    set(spec_timeout \${timeout_override})
  endif()
  add_test([==[${ARG_NAME}]==] [==[${exe}]==]${quoted_args})
  set_tests_properties([==[${ARG_NAME}]==] PROPERTIES LABELS [==[${labels}]==]
    WORKING_DIRECTORY [==[${ARG_WORKING_DIRECTORY}]==] TIMEOUT \${spec_timeout}
    PROCESSORS \${spec_processors} RUN_SERIAL ${serial})
endif()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()

# strain_instrument(target...): compiles existing targets (a static library
# of the code under test, say) with the ThreadSanitizer pass for strain's
# host, as INSTRUMENT does for a plugin: the code under test itself is then
# steered, not only the plugin's own file. A sanitizer build of the host
# (the tsan preset, STRAIN_HOST_SANITIZER thread) has its own runtime and
# compiles everything with it already: nothing to add then.
function(strain_instrument)
  foreach(target IN LISTS ARGN)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "strain_instrument: no target '${target}'")
    endif()
    if(STRAIN_TSAN OR STRAIN_HOST_SANITIZER STREQUAL "thread")
      continue()
    endif()
    if(STRAIN_ASAN OR STRAIN_HOST_SANITIZER STREQUAL "address")
      message(WARNING "strain_instrument(${target}): an AddressSanitizer host does not steer "
                      "instrumented code; built without the ThreadSanitizer pass")
      continue()
    endif()
    target_compile_options(${target} PRIVATE -fsanitize=thread)
    # gcc 12 warns that the pass does not see atomic_thread_fence: under
    # strain a fence is a schedule point all the same only with clang, which
    # instruments it (see the doc).
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-tsan)
    endif()
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endforeach()
endfunction()
