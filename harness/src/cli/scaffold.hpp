#pragma once
// The files `strain new <name>` writes: a plugin with one scenario (two
// roles, params, metrics), its CMakeLists.txt against the installed package,
// and a spec with a fixed and a bug case. "@NAME@" stands for the scenario
// name and "@CLASS@" for its class name.

#include <array>
#include <string_view>

namespace strain::cli::scaffold {

struct File {
  std::string_view name;  // "@NAME@" is replaced here too
  std::string_view text;
};

inline constexpr std::string_view kSource =
    R"(// @NAME@: a Strain scenario plugin, scaffolded by `strain new @NAME@`.
//
// Two roles update one shared counter: `adder` adds 1 and `subtractor`
// subtracts 1, each `ops` times per instance. After a trial the counter must
// equal (adders - subtractors) * ops. The `fixed` variant updates under a
// lock. `bug_unlocked` loads the counter and then stores its update: an
// update another thread made in between is lost. The counter is a
// strain::Atomic and the lock a strain::Mutex, so every load, store, lock
// and unlock is a schedule point where a strategy may switch threads: no
// point has to be placed by hand.
//
// Replace the state, the roles and the check with the code you want to
// stress; docs/writing-a-plugin.md explains every part.

#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>

namespace {

class @CLASS@ {
 public:
  // What the host shows in `strain plugins` and validates specs against.
  static void declare(strain::Declare<@CLASS@>& d) {
    d.doc("adders and subtractors update one counter; no update may be lost")
        .param("variant", "fixed", "which code runs", {"fixed", "bug_unlocked"})
        .param("ops", 100, "updates per role instance")
        .role("adder", &@CLASS@::adder, "adds 1, ops times")
        .role("subtractor", &@CLASS@::subtractor, "subtracts 1, ops times")
        .metric("counter", "the counter after the trial")
        .metric("expected", "(adders - subtractors) * ops");
  }

  // Every trial gets a fresh object; setup reads the params.
  void setup(strain::Context& ctx) {
    locked_ = ctx.str_param("variant") == "fixed";
    ops_ = ctx.int_param("ops");
  }

  // The roles run concurrently, on as many threads as the spec gives each.
  void adder(strain::Context&) { update(+1); }
  void subtractor(strain::Context&) { update(-1); }

  // After all roles ended: record the metrics the spec's invariants use.
  void check(strain::Context& ctx) {
    const auto adders = static_cast<std::int64_t>(ctx.instances_of(0));
    const auto subtractors = static_cast<std::int64_t>(ctx.instances_of(1));
    ctx.metric("counter", counter_.load());
    ctx.metric("expected", (adders - subtractors) * ops_);
  }

 private:
  void update(std::int64_t delta) {
    for (std::int64_t k = 0; k < ops_; ++k) {
      if (locked_) {
        // strain::Mutex: lock() and unlock() are schedule points too.
        std::lock_guard<strain::Mutex> hold(mutex_);
        counter_.store(counter_.load() + delta);
      } else {
        // Each access is atomic (no data race), but the update is not:
        // another thread may store between this load and this store.
        const std::int64_t seen = counter_.load();
        counter_.store(seen + delta);
      }
    }
  }

  bool locked_ = true;
  std::int64_t ops_ = 0;
  strain::Atomic<std::int64_t> counter_{0};
  strain::Mutex mutex_;
};

}  // namespace

STRAIN_SCENARIO(@CLASS@, @NAME@);
)";

inline constexpr std::string_view kSpec =
    R"(# The spec of @NAME@, scaffolded by `strain new`. After building:
#   strain --plugin-path build/strain-plugins run @NAME@.yaml
# `strain validate --explain KEY` documents every key (docs/spec.md too).
plugin: @NAME@
description: Adders and subtractors update one counter; no update may be lost.
params: { ops: 100 }
schedule:
  roles: { adder: 2, subtractor: 1 }
  trials: 2000
  budget: 5s        # wall-clock cap per case
  timeout: 5s       # per-trial watchdog: a longer trial is a hang
  seed: 1
  # No strategy named: the default, the controlled scheduler. It runs one
  # thread at a time and picks who runs at every schedule point (PCT, POS or
  # a random walk, drawn per trial), so the window between a load and its
  # store is found in a few trials, and every failure replays exactly.
invariants:
  - counter == expected
cases:
  - name: fixed
    params: { variant: fixed }
    expect: pass
  # A bug case passes when Strain finds its bug: it expects a violation.
  - name: bug_unlocked
    params: { variant: bug_unlocked }
    expect: violation
)";

inline constexpr std::string_view kCMake =
    R"(# Builds the @NAME@ scenario plugin against an installed Strain and registers
# its spec as CTest tests (one per case, labelled `strain`):
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<where Strain is installed>
#   cmake --build build
#   ctest --test-dir build -L strain --output-on-failure
cmake_minimum_required(VERSION 3.25)
project(@NAME@ LANGUAGES CXX)

find_package(Strain 0.1 REQUIRED)

strain_add_plugin(@NAME@ SOURCES @NAME@.cpp)

enable_testing()
strain_add_spec_test(SPEC @NAME@.yaml PLUGINS @NAME@)
)";

inline constexpr std::array<File, 3> kFiles = {{
    {"@NAME@.cpp", kSource},
    {"@NAME@.yaml", kSpec},
    {"CMakeLists.txt", kCMake},
}};

}  // namespace strain::cli::scaffold
