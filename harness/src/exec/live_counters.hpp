#pragma once
// Counters of a running case that the parent reads while the worker runs and
// after it died. The worker writes them with relaxed stores (no syscalls, no
// locks: this is the trial loop); they live in a memfd both processes map, so
// nothing already counted is lost when a plugin crashes the worker.

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "model/outcome.hpp"

namespace strain::exec {

struct LiveCounters {
  std::atomic<std::uint64_t> current_trial{0};  // index of the trial being prepared or run
  std::atomic<std::uint64_t> trials_done{0};    // trials finished and classified
  //! Trials begun, counted or not: the search's first trial and a replay's
  //! warm-up trials run under the index of the trial after them, and count
  //! as none (issue 11: a search's first counted trial was taken for a hang
  //! of its warm-up when the two together ran past the timeout).
  std::atomic<std::uint64_t> trials_begun{0};
  std::atomic<std::uint64_t> outcomes[model::kOutcomeCount] = {};
  std::atomic<std::uint32_t> running{0};  // 1 once the first trial started
  //! PCT's learned k for the current trial (0 if it needs none), which a
  //! replay line must pass on.
  std::atomic<std::uint64_t> steps{0};
  //! Distinct interleavings the steered trials ran so far (DigestSet's
  //! count), so a worker that dies still says how far it explored.
  std::atomic<std::uint64_t> schedules{0};
  //! Reports ThreadSanitizer made in the worker (its hook's count), so the
  //! parent keeps no more parsed reports than were real.
  std::atomic<std::uint64_t> sanitizer_reports{0};
  //! 1 once the worker's case ended on its own, before it sends the result.
  std::atomic<std::uint32_t> finished{0};
  //! 1 while the harness classifies a trial that ended (after the plugin's
  //! check): a deadlock's message symbolizes every blocked thread's stack,
  //! which under load took longer than a 0.5 s timeout, and the watchdog
  //! took it for a hang of the trial, an extra one (issue 11, item 6).
  std::atomic<std::uint32_t> classifying{0};
  //! Last, so that the lines the trial loop writes are as they were.
  //! Trials in flight from current_trial on: a batch's (schedule.batch)
  //! while its roles run them, else 1. A crash among them is one of them.
  std::atomic<std::uint32_t> in_flight{1};

  //! Changes whenever a trial begins or ends: what a watchdog watches.
  std::uint64_t progress() const {
    return trials_begun.load(std::memory_order_relaxed) +
           trials_done.load(std::memory_order_relaxed);
  }

  //! The trial in progress, as a message names it.
  std::string trial_text() const {
    const std::uint64_t t = current_trial.load(std::memory_order_relaxed);
    const std::uint32_t n = in_flight.load(std::memory_order_relaxed);
    if (n <= 1) return fmt::format("{}", t);
    return fmt::format(
        "{} (or one of the {} trials after it, run with it as a batch: rerun with "
        "schedule.batch 1 to tell which)",
        t, n - 1);
  }

  model::OutcomeCounts snapshot() const {
    model::OutcomeCounts out{};
    for (std::size_t k = 0; k < model::kOutcomeCount; ++k)
      out[k] = outcomes[k].load(std::memory_order_relaxed);
    return out;
  }
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "LiveCounters is shared across processes");

}  // namespace strain::exec
