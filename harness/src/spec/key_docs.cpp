#include "spec/key_docs.hpp"

#include <fmt/format.h>

#include <array>

namespace strain::spec {

namespace {

// Keep in step with load.cpp and matrix.cpp: spec_keys_test fails when the
// loader accepts a key missing here, or this names one it rejects.
constexpr std::array<KeyDoc, 58> kKeys = {{
    {"plugin", "string", "required",
     "The scenario to run, by the name it was registered with (STRAIN_SCENARIO). `strain "
     "plugins` lists the scenarios on the plugin path.",
     "plugin: bank_account"},
    {"name", "string [A-Za-z0-9_.-]+", "the file's stem",
     "The spec's name, the first part of every case id (`<name>/<case>`).", "name: bank"},
    {"description", "string", "empty", "One line on what the spec shows; for people only.",
     "description: Withdrawals never overdraw the account."},
    {"params", "map", "the plugin's defaults",
     "Values for the scenario's params, by name, for every case. Each value must have the "
     "param's type and, when the plugin lists allowed values, be one of them.",
     "params: { initial_balance: 1000, ops: 5 }"},
    {"params.<param>", "the param's type (int, number, bool, string)",
     "the plugin's default for it",
     "One param. `strain plugins` shows each param's type, default, allowed values and doc.",
     "params: { variant: fixed }"},
    {"schedule", "map", "see its keys",
     "How the cases run: topology, team, trials, limits, "
     "perturbation and seed.",
     "schedule: { trials: 1000, budget: 5s }"},
    {"schedule.topology", "threads | processes", "threads",
     "Whether role instances are threads of the worker, or processes forked once per case that "
     "share the scenario's state in shared memory.",
     "schedule: { topology: processes }"},
    {"schedule.roles", "map", "the declared minimum of every role (1 unless declared)",
     "How many threads (or processes) play each role. Roles not listed get the minimum their "
     "plugin declares (1 unless it declares more, see `strain plugins`); fewer than that, but "
     "more than 0, is an error. The total must be at least 1 and at most 1024.",
     "schedule: { roles: { withdraw: 2, deposit: 1 } }"},
    {"schedule.roles.<role>", "integer in [0, 1024]", "1",
     "The number of instances of one role, by the role's name.",
     "schedule: { roles: { worker: 4 } }"},
    {"schedule.trials", "integer >= 1", "1000",
     "Trials per case. A case stops at its trial count, its budget, or (without --keep-going) "
     "its first failure, whichever comes first.",
     "schedule: { trials: 20000 }"},
    {"schedule.budget", "duration in (0, 168h]", "10s",
     "Wall-clock cap of a case. Durations take ns, us, ms, s, m or h; a bare number is "
     "seconds.",
     "schedule: { budget: 5s }"},
    {"schedule.timeout", "duration in (0, 168h]", "10s",
     "Per-trial watchdog: a trial that runs longer is a `hang`, reported with every thread's "
     "stack.",
     "schedule: { timeout: 2s }"},
    {"schedule.time_scale", "number in [0, 1000]", "1",
     "Factor on Context::sleep(), so a tutorial's 0.1 s sleep can take 10 us under stress.",
     "schedule: { time_scale: 0.0001 }"},
    {"schedule.batch", "integer in [1, 1024]", "1",
     "Trials each start of the team runs, as jcstress does: that many states are set up, every "
     "role runs its part of each in turn, and the checks follow in order, so the start barrier "
     "and the step between trials are paid once per batch. Each trial keeps its own state, "
     "contexts, seed and outcome; a crash or hang is the batch's, and a batch may run for "
     "batch x timeout. For scenarios whose state is all in the scenario object (a batch runs "
     "one role's next trial beside another's current one, so state held in globals would "
     "mix). Strategies none, random and chaos, either topology, no site fixture; a "
     "ThreadSanitizer build and `strain replay` run one trial at a time.",
     "schedule: { strategy: none, batch: 16 }"},
    {"schedule.seed", "integer >= 0", "1",
     "The spec seed. Each trial's seed derives from it, the case id and the trial index, so "
     "`strain replay` can run one trial again. --seed replaces it for every spec.",
     "schedule: { seed: 42 }"},
    {"schedule.strategy", "strategy name, or map", "controlled/portfolio",
     "How schedule points (Context::point() and every operation of strain's sync primitives) "
     "perturb the run. A plain name keeps the knobs set elsewhere. A case that names no "
     "strategy runs under `controlled` with pick `portfolio` and `weak_memory: true` in the "
     "threads topology (every failure replays exactly), and under `chaos` in the processes "
     "topology. Name `none` for code that must run at real speed with real time (timing "
     "checks, event loops, sockets, process pools).",
     "schedule: { strategy: { name: random, yield_p: 0.1 } }"},
    {"schedule.strategy.name", "none | random | chaos | controlled",
     "controlled (threads), chaos (processes)",
     "`none`: a schedule point does nothing (it costs one branch). `random`: at each point, "
     "yield with yield_p, spin with spin_p, sleep with sleep_p (drawn from the thread's seeded "
     "generator). `chaos`: PCT-flavoured perturbation of the real scheduler (random thread "
     "priorities, starvation at change points) for code on std primitives. `controlled`: one "
     "role thread runs at a time and the scheduler picks the next at every point; replays are "
     "exact; threads topology only.",
     "schedule: { strategy: { name: controlled, pick: pct } }"},
    {"schedule.strategy.pick", "random | pct | pos | portfolio | dfs", "pct",
     "controlled: how the next thread is chosen. `random`: a random walk over the runnable "
     "threads. `pct`: PCT (random thread priorities, depth - 1 change points among the steps). "
     "`pos`: partial order sampling (random priorities per pending operation, redrawn for the "
     "conflicting ones after each step). `portfolio`: each trial draws one of PCT at depth 1, 2 "
     "or 3, POS and the random walk from its seed; a failure says which found it. `dfs`: every "
     "interleaving of the schedule points, one per trial, depth first, reduced by DPOR and sleep "
     "sets (one interleaving per order of the conflicting operations; with `preemption_bound`, "
     "sleep sets only); the case "
     "ends when all were run and says so (`all N interleavings explored`). With weak_memory "
     "it also tries each store a load may read.",
     "schedule: { strategy: { name: controlled, pick: pos } }"},
    {"schedule.strategy.depth", "integer >= 1 (chaos: <= 17)", "3",
     "controlled/pct and chaos: the bug depth d; the strategy places d - 1 change points per "
     "trial.",
     "schedule: { strategy: { name: controlled, pick: pct, depth: 2 } }"},
    {"schedule.strategy.steps", "integer >= 0", "0",
     "controlled/pct: k, the steps (choices between two or more runnable threads) the change "
     "points are drawn among. 0: learned, the most steps of the case's earlier trials; replay "
     "lines then carry the trial's k as --steps.",
     "schedule: { strategy: { name: controlled, steps: 40 } }"},
    {"schedule.strategy.spin_limit", "integer >= 1", "1000",
     "controlled: a thread that keeps the turn for this many choices in a row while others "
     "could run is demoted, so a spin loop without a yield cannot run forever.",
     "schedule: { strategy: { name: controlled, spin_limit: 200 } }"},
    {"schedule.strategy.preemption_bound", "integer >= 0", "none (no bound)",
     "controlled/dfs: explore only the interleavings with at most this many preemptions (a "
     "switch away from a thread that could have gone on), as CHESS bounds its search: most "
     "concurrency bugs need two or fewer, and the bound keeps a search finite that would "
     "otherwise outlast its budget. A complete search then means complete within the bound.",
     "schedule: { strategy: { name: controlled, pick: dfs, preemption_bound: 2 } }"},
    {"schedule.strategy.plain_accesses", "off | shared | all", "shared",
     "controlled, for plugins built with INSTRUMENT (clang's ThreadSanitizer pass, steered by "
     "strain): which plain, non-atomic memory accesses are schedule points. `shared`: accesses "
     "to an address that a second thread of the case has touched (learned over its trials, so "
     "a flag published before its payload is written becomes reachable); `all`: every access "
     "the compiler instrumented (slow, thorough); `off`: only atomics and synchronisation.",
     "schedule: { strategy: { name: controlled, plain_accesses: all } }"},
    {"schedule.strategy.weak_memory", "boolean", "false",
     "controlled: relaxed and acquire loads of strain::Atomic (and of an instrumented "
     "plugin's std::atomic) may return an older value that the C++ memory model allows them to "
     "see, to find missing release/acquire ordering; dfs tries each. A case that names no "
     "strategy, or names only a pick, gets it on.",
     "schedule: { strategy: { name: controlled, weak_memory: true } }"},
    {"schedule.strategy.fibers", "boolean",
     "unset: fibers where the plugin brought no thread_local data",
     "controlled: run the roles, and the threads they start, as fibers (user-space contexts, "
     "Boost.Context) on one OS thread (true) or as a thread each (false). The interleavings "
     "are the same (a trial's seed gives the same one either way, so a failure replays in "
     "both); fibers run 8-72x the trials per second (docs/performance.md), since a hand-off is a "
     "switch of stacks "
     "on one core rather than a wake-up on another. Unset, the roles run as fibers unless the "
     "plugin, or a library its load brought, has thread_local data, which fibers would share "
     "(true runs them as fibers anyway, with a note). Each fiber has a pthread_self() of its "
     "own, and a std::recursive_mutex knows which fiber holds it; a function given a fiber's "
     "pthread_t (its name, affinity, signals) acts on the fibers' OS thread, but for its "
     "stack, and errno is each fiber's. run/replay "
     "--fibers and --no-fibers override the key. A ThreadSanitizer build runs threads.",
     "schedule: { strategy: { name: controlled, fibers: false } }"},
    {"schedule.strategy.starve_min_us", "number > 0", "1",
     "chaos: the shortest starvation at a change point, in microseconds; the length is "
     "log-uniform between starve_min_us and starve_max_us.",
     "schedule: { strategy: { name: chaos, starve_min_us: 5 } }"},
    {"schedule.strategy.starve_max_us", "number >= starve_min_us", "1000",
     "chaos: the longest starvation at a change point, in microseconds.",
     "schedule: { strategy: { name: chaos, starve_max_us: 2000 } }"},
    {"schedule.strategy.yield_p", "number in [0, 1]", "0",
     "random: the probability of sched_yield() at a point (yield_p + spin_p + sleep_p <= 1). "
     "chaos: the probability with which the lowest-priority thread yields at a point.",
     "schedule: { strategy: { name: random, yield_p: 0.2 } }"},
    {"schedule.strategy.spin_p", "number in [0, 1]", "0",
     "random: the probability of a busy spin of spin_iters iterations at a point.",
     "schedule: { strategy: { name: random, spin_p: 0.1 } }"},
    {"schedule.strategy.sleep_p", "number in [0, 1]", "0",
     "random: the probability of sleeping sleep_us microseconds at a point.",
     "schedule: { strategy: { name: random, sleep_p: 0.01 } }"},
    {"schedule.strategy.spin_iters", "integer >= 0", "200", "random: the length of a spin.",
     "schedule: { strategy: { name: random, spin_iters: 500 } }"},
    {"schedule.strategy.sleep_us", "number >= 0", "20",
     "random: the length of a sleep, in "
     "microseconds.",
     "schedule: { strategy: { name: random, sleep_us: 50 } }"},
    {"fixtures", "map", "none",
     "Real local services the scenario uses, started in the case's worker before its first "
     "trial and stopped after its last. A case's fixtures override the spec's option by option.",
     "fixtures: { site: { pages: 200, links_per_page: 8 } }"},
    {"fixtures.site", "map (may be empty)", "no site",
     "A real HTTP/1.1 web site (Boost.Beast) on 127.0.0.1 and an ephemeral port, with a seeded "
     "link graph. The plugin reaches it through ctx.site(); invariants get its facts and the "
     "trial's request log as site_* names (site_reachable, site_requests, site_bytes, "
     "site_max_requests_per_url, ...). `site: {}` asks for the defaults.",
     "fixtures: { site: {} }"},
    {"fixtures.site.pages", "integer in [1, 100000]", "200",
     "Pages of the site. Page 0 is the start page `/`, page k is `/page/k.html`.",
     "fixtures: { site: { pages: 50 } }"},
    {"fixtures.site.links_per_page", "integer in [0, 1000]", "8",
     "`<a href>` links on every page, their targets drawn from the site's seed; absolute, "
     "root-relative, relative and with a #fragment.",
     "fixtures: { site: { links_per_page: 4 } }"},
    {"fixtures.site.offsite_rate", "number in [0, 1]", "0.1",
     "Share of links to another host (http://offsite.invalid/...), which nothing may fetch.",
     "fixtures: { site: { offsite_rate: 0.2 } }"},
    {"fixtures.site.broken_rate", "number in [0, 1]", "0.1",
     "Share of links to pages that do not exist and answer 404.",
     "fixtures: { site: { broken_rate: 0 } }"},
    {"fixtures.site.latency_ms", "number, or [min, max], in [0, 60000]", "[1, 20]",
     "Every response first waits a uniform time in [min, max] real milliseconds (time_scale "
     "does not apply).",
     "fixtures: { site: { latency_ms: [1, 20] } }"},
    {"fixtures.site.error_rate", "number in [0, 1]", "0",
     "Probability that a request meets one of the enabled faults. Faults are drawn from the "
     "site seed, the trial seed, the path and its request count, so a replay meets the same.",
     "fixtures: { site: { error_rate: 0.05 } }"},
    {"fixtures.site.faults", "list of 500 | slow | drop", "[\"500\", slow, drop]",
     "The faults error_rate picks among: a 500 Internal Server Error, a slow body (a 200 sent "
     "in pieces), a dropped connection (closed without a response).",
     "fixtures: { site: { error_rate: 0.1, faults: [drop] } }"},
    {"fixtures.site.page_bytes", "integer, or [min, max], in [0, 1000000]", "[200, 2000]",
     "Filler text per page, before its links.", "fixtures: { site: { page_bytes: 500 } }"},
    {"fixtures.site.seed", "integer >= 0", "1", "The seed of the link graph and the page texts.",
     "fixtures: { site: { seed: 7 } }"},
    {"invariants", "list of expressions", "none",
     "Checked after every trial of every case. An expression over the case's params and the "
     "metrics the scenario recorded: + - * / %, comparisons, && || !, parentheses, integer, "
     "number, boolean and \"string\" literals. A violation names the expression and the value "
     "of every name in it. Quote one that starts with `!`.",
     "invariants: [ \"final_balance == initial_balance + deposited - withdrawn\" ]"},
    {"show", "list of metric names", "none",
     "Metrics to show in the reports, aggregated over the case's trials: mean, min and max "
     "(and how many trials recorded each) on a line under the case in the console, as "
     "`measured` in the JSON, in the JUnit text and in the HTML report. For what a scenario "
     "measures, such as sequential and parallel times and the speedup; nothing is checked.",
     "show: [sequential_s, parallel_s, speedup]"},
    {"matrix", "map of key -> list", "none",
     "A cartesian product: one case per combination of values. Keys are `params.<param>`, "
     "`schedule.<key>`, `schedule.roles.<role>` or `schedule.strategy.<key>`; the case id gets "
     "`/<key>=<value>,...` (the key's last part, or the whole key where two would clash). A "
     "value may be listed once (`[1, 01]` is one value twice) and hold no control character; "
     "a spec expands into at most 100000 cases.",
     "matrix: { schedule.roles.worker: [2, 4], schedule.topology: [threads, processes] }"},
    {"cases", "non-empty list of maps", "required",
     "The cases. Each takes the spec's params, schedule and invariants and may change them. "
     "Values resolve in the order: plugin defaults, spec, case, matrix point.",
     "cases: [ { name: fixed, expect: pass } ]"},
    {"cases[].name", "string [A-Za-z0-9_.-]+", "required",
     "The case's name, unique in the spec; the second part of its id.", "- name: bug_unlocked"},
    {"cases[].params", "map", "none", "Params for this case, over the spec's.",
     "  params: { variant: bug_unlocked }"},
    {"cases[].schedule", "map", "none",
     "Schedule keys for this case, over the spec's (same keys as `schedule`).",
     "  schedule: { roles: { withdraw: 3 } }"},
    {"cases[].invariants", "list of expressions", "none",
     "Invariants for this case, added to the spec's.", "  invariants: [ \"failed >= 0\" ]"},
    {"cases[].matrix", "map of key -> list", "the spec's matrix",
     "This case's own matrix, which replaces the spec's; `matrix: {}` means none.",
     "  matrix: { schedule.topology: [threads] }"},
    {"cases[].fixtures", "map", "the spec's fixtures",
     "Fixtures for this case, over the spec's option by option (same keys as `fixtures`).",
     "  fixtures: { site: { error_rate: 0.1 } }"},
    {"cases[].show", "list of metric names", "the spec's show",
     "This case's own list of shown metrics, which replaces the spec's; `show: []` shows none.",
     "  show: [elapsed_s]"},
    {"cases[].expect", "outcome, or map", "pass",
     "What the case must show: `pass` (no trial failed), or a failure outcome (`violation`, "
     "`race`, `deadlock`, `hang`, `crash`, `error`) that must be seen, with no other kind of "
     "failure, or `fail`: any failure outcome (for a bug whose outcome differs by strategy or "
     "build, as a lock cycle is a `deadlock` under the controlled scheduler and a `hang` under "
     "a real one). A bug case whose bug is not found within its budget is unmet.",
     "  expect: violation"},
    {"cases[].expect.outcome", "outcome", "pass", "The expectation in the plain build.",
     "  expect: { outcome: pass, tsan: race }"},
    {"cases[].expect.tsan", "outcome", "the `outcome` value",
     "The expectation in the ThreadSanitizer build, where races and lock-order inversions are "
     "seen that the plain build cannot see.",
     "  expect: { outcome: pass, tsan: race }"},
    {"cases[].expect.exhaustive", "bool", "false",
     "Strategy controlled/dfs only: the case is met only if its search explored every "
     "interleaving (within the preemption bound, if any) before its trials or budget ran out, "
     "so that a `pass` is a proof over the schedule points rather than a sample.",
     "  expect: { outcome: pass, exhaustive: true }"},
}};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Markdown table cells: a pipe would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::span<const KeyDoc> key_docs() { return kKeys; }

std::vector<const KeyDoc*> find_key_docs(std::string_view query) {
  std::vector<const KeyDoc*> out;
  for (const auto& k : kKeys)
    if (k.key == query) return {&k};
  for (const auto& k : kKeys)
    if (ends_with(k.key, "." + std::string(query)) || ends_with(k.key, "]." + std::string(query)))
      out.push_back(&k);
  if (!out.empty()) return out;
  for (const auto& k : kKeys)
    if (k.key.substr(0, query.size() + 1) == std::string(query) + ".") out.push_back(&k);
  return out;
}

std::string explain(const KeyDoc& d) {
  return fmt::format("{}\n  type:    {}\n  default: {}\n  {}\n  example: {}\n", d.key, d.type,
                     d.fallback, d.meaning, d.example);
}

std::string key_docs_markdown() {
  std::string out = "| key | type | default | meaning | example |\n|---|---|---|---|---|\n";
  for (const auto& d : kKeys)
    out += fmt::format("| `{}` | {} | {} | {} | `{}` |\n", d.key, cell(d.type), cell(d.fallback),
                       cell(d.meaning), cell(d.example));
  return out;
}

}  // namespace strain::spec
