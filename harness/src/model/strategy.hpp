#pragma once
// How schedule points perturb or steer a run: a case's strategy settings,
// and the one table of strategy names, picks and plain-access modes that
// the spec loader, the matrix, `--strategy`, `validate --explain`, the docs
// generator and the scheduler read them through. Outside strategy.cpp no
// code compares a strategy's name as a string: it switches on the enums.
// The table is here, below spec/ and sched/, because both read it (they
// are siblings: neither may include the other); sched/strategy.cpp installs
// what it names.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace strain::model {

enum class StrategyName : std::uint8_t { none, random, chaos, controlled };
//! controlled: how the next thread is picked at each point.
//! `dfs`: every interleaving, one per trial, depth first (model checking
//! by stateless search, as CHESS does), reduced by DPOR and sleep sets.
enum class Pick : std::uint8_t { random, pct, pos, portfolio, dfs };
//! controlled, plugins built with INSTRUMENT: which plain (non-atomic)
//! memory accesses are schedule points: none; an address a second thread
//! of the case touched (learned across its trials); every one.
enum class PlainAccesses : std::uint8_t { off, shared, all };

struct Strategy {
  StrategyName name = StrategyName::none;
  // random: at each point, with these probabilities, yield, spin or sleep.
  // chaos: the lowest-priority thread yields at a point with probability
  // yield_p (the others proportionally less).
  double yield_p = 0.0;           // probability of sched_yield at a point
  double spin_p = 0.0;            // random: probability of a busy spin
  double sleep_p = 0.0;           // random: probability of a short sleep
  std::int64_t spin_iters = 200;  // random: length of a spin, in pause instructions
  double sleep_us = 20.0;         // random: length of a sleep, in microseconds
  Pick pick = Pick::pct;
  // controlled/pct and chaos: the bug depth d, i.e. d - 1 change points.
  std::int64_t depth = 3;
  // chaos keeps its change points in a fixed array per thread (no
  // allocation on the hot path), so its depth has a ceiling.
  static constexpr std::int64_t kChaosMaxDepth = 17;
  // controlled/pct: the number of steps k the change points are spread over;
  // 0: learned from the earlier trials of the case.
  std::int64_t steps = 0;
  // controlled: relaxed and acquire loads of strain::Atomic may return older
  // values the C++ memory model allows.
  bool weak_memory = false;
  // controlled: the roles run as fibers on one OS thread
  // (sched/role_fibers.hpp) if true, as threads if false; unset, as fibers
  // where the plugin brought no thread_local data (exec/case_run.cpp).
  std::optional<bool> fibers;
  PlainAccesses plain_accesses = PlainAccesses::shared;
  // controlled: points a thread may pass in a row while others could run
  // before it is demoted as a spin loop.
  std::int64_t spin_limit = 1000;
  // controlled/dfs: at most this many preemptions per interleaving (a
  // switch away from a thread that could go on); -1: no bound.
  std::int64_t preemption_bound = -1;
  // chaos: a starved thread sleeps a log-uniform time in this range.
  double starve_min_us = 1.0;
  double starve_max_us = 1000.0;
};

//! A strategy of the table: its name as specs and flags spell it, whether
//! the controlled scheduler owns the schedule under it (every failure
//! replays exactly), and whether it runs role processes.
struct StrategyInfo {
  StrategyName name;
  std::string_view text;
  bool steered;
  bool runs_processes;
};

//! The table, in the order docs and errors list it.
std::span<const StrategyInfo> strategies();
const StrategyInfo& info(StrategyName name);

std::string_view to_string(StrategyName name);
std::string_view to_string(Pick pick);
std::string_view to_string(PlainAccesses mode);

//! Parses a name as specs and flags spell it; nullopt for any other text.
std::optional<StrategyName> strategy_name_from(std::string_view text);
//! True for "default", the name `--strategy` and STRAIN_STRATEGY give the
//! default portfolio (a spec names it by naming no strategy).
bool is_default_strategy(std::string_view text);
//! Every form `--strategy` takes, for its help and errors: "default", each
//! name, and controlled/<pick> for each pick.
std::string strategy_flag_forms();
std::optional<Pick> pick_from(std::string_view text);
std::optional<PlainAccesses> plain_accesses_from(std::string_view text);

//! Every spelling, for errors and docs: "none, random, chaos, controlled"
//! with `separator` between them.
std::string strategy_names(std::string_view separator = ", ");
std::string pick_names(std::string_view separator = ", ");
std::string plain_access_names(std::string_view separator = ", ");

//! How reports and --verbose name a case's strategy: "controlled/pct",
//! "chaos".
std::string label(const Strategy& s);

//! Whether the controlled scheduler owns the schedule of a case under `s`.
inline bool steered(const Strategy& s) { return info(s.name).steered; }

//! Whether `s` searches every interleaving (controlled/dfs).
inline bool searches(const Strategy& s) { return steered(s) && s.pick == Pick::dfs; }

}  // namespace strain::model
