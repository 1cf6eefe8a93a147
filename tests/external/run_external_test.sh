#!/usr/bin/env bash
# The installed package, as a plugin author uses it. Called by ctest (see
# tests/integration/CMakeLists.txt) in three steps:
#   run_external_test.sh install  BUILD WORK CXX   cmake --install BUILD into WORK/prefix
#   run_external_test.sh plugin   BUILD WORK CXX   build tests/external against it; ctest -L strain
#   run_external_test.sh scaffold BUILD WORK CXX   `strain new`, build it, its spec passes
set -euo pipefail
step="$1" build="$2" work="$3" cxx="$4"
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$work/prefix"

fail() { echo "run_external_test.sh $step: $*" >&2; exit 1; }

# Configure and build a plugin project against the installed package only
# (a third argument: the build type; none leaves it to strain_add_plugin).
build_project() {
  local src="$1" out="$2" type="${3-RelWithDebInfo}"
  rm -rf "$out"
  cmake -S "$src" -B "$out" -G Ninja ${type:+-DCMAKE_BUILD_TYPE=$type} \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$out.configure.log" 2>&1 ||
    { cat "$out.configure.log"; fail "configuring $src failed"; }
  cmake --build "$out" >"$out.build.log" 2>&1 || { cat "$out.build.log"; fail "building $src failed"; }
  # A plugin for a ThreadSanitizer host is compiled with -fsanitize=thread.
  if grep -q 'STRAIN_HOST_SANITIZER "thread"' "$prefix"/lib*/cmake/Strain/StrainConfig.cmake; then
    grep -q -- '-fsanitize=thread' "$out/compile_commands.json" ||
      fail "the host is a tsan build but the plugin was not compiled with -fsanitize=thread"
  fi
}

case "$step" in
  install)
    rm -rf "$work"
    mkdir -p "$work"
    cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install failed"; }
    for f in bin/strain include/strain/strain.hpp; do
      [ -e "$prefix/$f" ] || fail "$f was not installed"
    done
    # The docs the scaffold and --help point to.
    ls "$prefix"/share/doc/*/docs/writing-a-plugin.md "$prefix"/share/doc/*/README.md >/dev/null ||
      fail "the docs were not installed"
    ls "$prefix"/lib*/cmake/Strain/StrainConfig.cmake "$prefix"/lib*/cmake/Strain/StrainConfigVersion.cmake \
      "$prefix"/lib*/cmake/Strain/StrainPlugin.cmake "$prefix"/lib*/cmake/Strain/StrainTargets.cmake >/dev/null
    # The installed host finds the installed scenarios without being told.
    "$prefix/bin/strain" plugins >"$work/plugins.txt"
    grep -q '^bank_account ' "$work/plugins.txt" || fail "installed strain does not list its plugins"
    grep -q "($prefix/lib" "$work/plugins.txt" || fail "installed strain loads plugins from outside $prefix"
    ;;
  plugin)
    out="$work/external"
    build_project "$here" "$out"
    # The spec's cases are ctest tests, found when ctest starts.
    ctest --test-dir "$out" -N -L strain >"$work/list.txt"
    cat "$work/list.txt"
    grep -q 'strain.lazy_init/fixed' "$work/list.txt" || fail "the fixed case is not a ctest test"
    grep -q 'strain.lazy_init/bug_check_then_init' "$work/list.txt" || fail "the bug case is not a ctest test"
    ctest --test-dir "$out" -L strain -LE unmet --output-on-failure || fail "the met cases failed ctest"
    # The unmet case must fail ctest, and say why.
    if ctest --test-dir "$out" -L unmet --output-on-failure >"$work/unmet.txt" 2>&1; then
      cat "$work/unmet.txt"
      fail "an unmet case passed ctest"
    fi
    grep -q 'UNMET' "$work/unmet.txt" || { cat "$work/unmet.txt"; fail "the failing test did not show the unmet case"; }
    # Its replay line, copied from ctest's output and pasted into a shell
    # elsewhere, with none of the run's environment: it finds this strain
    # and the plugin by itself, and fails again.
    line="$(grep -m1 '^ *replay: ' "$work/unmet.txt" | sed 's/^ *replay: //')"
    [ -n "$line" ] || { cat "$work/unmet.txt"; fail "no replay line in ctest's output"; }
    echo "pasting: $line"
    mkdir -p "$work/elsewhere"
    rc=0
    (cd "$work/elsewhere" && env -i PATH=/usr/bin:/bin sh -c "$line" >"$work/replay.txt" 2>&1) || rc=$?
    cat "$work/replay.txt"
    [ "$rc" -eq 1 ] || fail "the pasted replay line exited $rc, not 1 (the trial failing again)"
    grep -q 'failed [1-9][0-9]* of 1 runs' "$work/replay.txt" || fail "the replay did not fail again"
    # Each case's test has the timeout its budget needs (not a fixed 300 s)
    # and one processor per role thread, so ctest -j does not pack them.
    ctest --test-dir "$out" -N -L strain --show-only=json-v1 >"$work/tests.json"
    grep -q '"name" : "PROCESSORS"' "$work/tests.json" || fail "no PROCESSORS on the spec tests"
    if grep -A1 '"name" : "TIMEOUT"' "$work/tests.json" | grep -q '"value" : 300'; then
      fail "a spec test still has the fixed 300 s timeout"
    fi
    ;;
  scaffold)
    out="$work/scaffold"
    rm -rf "$out"
    mkdir -p "$out"
    (cd "$out" && "$prefix/bin/strain" new demo_scenario) >"$out/new.txt" || fail "strain new failed"
    grep -q "See $prefix/share/doc/.*/writing-a-plugin.md" "$out/new.txt" ||
      { cat "$out/new.txt"; fail "strain new does not point to the installed guide"; }
    grep -q -- "-DCMAKE_PREFIX_PATH=$prefix\$" "$out/new.txt" ||
      { cat "$out/new.txt"; fail "strain new does not give the installation's prefix"; }
    # Configured without a build type: strain_add_plugin optimises anyway.
    build_project "$out/demo_scenario" "$out/build" ""
    grep -q -- '-O2' "$out/build/compile_commands.json" ||
      fail "a plugin configured without a build type was built without optimisation"
    ctest --test-dir "$out/build" -L strain --output-on-failure || fail "the scaffold's spec does not pass"
    # Both cases ran: the fixed one passed and the bug was found.
    "$prefix/bin/strain" --plugin-path "$out/build/strain-plugins" run \
      "$out/demo_scenario/demo_scenario.yaml" --report "json:$out/report.json" --quiet >/dev/null ||
      fail "the scaffold's spec is unmet"
    grep -q '"outcome": "violation"' "$out/report.json" || fail "the scaffold's bug case found nothing"
    ;;
  *)
    fail "unknown step"
    ;;
esac
echo "run_external_test.sh $step: ok"
