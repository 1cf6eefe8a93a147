// What a controlled trial says when it fails to go on: the deadlock report
// (every role blocked, with each one's wait and stack) and the stall report
// the watchdog adds to a hang (who holds the turn and where it was last seen).

#include <fmt/format.h>

#include "core/stacks.hpp"
#include "core/tsan_ignore.hpp"
#include "sched/controller.hpp"

namespace strain::sched {

std::string Controller::deadlock_report(bool stacks) const {
  return fmt::format("every role thread is blocked: a deadlock, after {} steps under {}{}", steps_,
                     describe(), waits(stacks));
}

// Each thread's wait, a line each (and, with `stacks`, where in the code).
std::string Controller::waits(bool stacks) const {
  std::string out;
  for (unsigned t = 0; t < live_; ++t) {
    const Slot& s = slots_[t];
    if (s.state == State::finished) {
      out += fmt::format("\n  thread {} had finished", names_[t]);
      continue;
    }
    if (s.state != State::blocked) {
      out += fmt::format("\n  thread {} is runnable", names_[t]);
      continue;
    }
    if (s.io != nullptr)
      out += fmt::format("\n  thread {} waits in {} for {}", names_[t], s.label, s.io->what());
    else
      out += fmt::format("\n  thread {} waits in {}{} (on {})", names_[t], s.label,
                         s.timed ? " with a timeout" : "", s.blocked_on);
    // The shadow stack names the user's code where it has it: the frames
    // the code recorded itself, fewer and closer to the point than the
    // unwound ones.
    if (stacks && !s.where.empty()) {
      out += sched::describe(s.where, "      ");
    } else if (stacks && s.depth > 0) {
      out += "\n";
      out += symbolize_frames(s.frames.data(), s.depth, true);
      while (!out.empty() && out.back() == '\n') out.pop_back();
    }
  }
  return out;
}

std::string Controller::stall_report(double quiet_s) const {
  // The watchdog reads the turn holder's shadow stack, in that thread's TLS,
  // while it runs: racy on purpose (relaxed loads of words), and TSan would
  // report it against the TLS's initialisation.
  TsanIgnore ignore;
  if (aborted_.load(std::memory_order_acquire)) return {};
  if (io_idle_.load(std::memory_order_acquire))
    return fmt::format(
        "\nunder strategy controlled every thread of the trial is blocked, and the scheduler "
        "waits in the kernel for I/O that none of them provided (no schedule point passed for "
        "{:.1f} s):{}\nA wait for I/O ends when its descriptor is ready: a read of a pipe whose "
        "writer waits for the reader (a deadlock through the pipe), or a peer outside the "
        "process that never answers, waits until the timeout.",
        quiet_s, waits(true));
  const unsigned cur = current_.load(std::memory_order_acquire);
  if (cur == kNobody)
    return "\nunder strategy controlled: no role thread holds the turn (every one had ended)";
  // Where the holder is: the last instrumented access or exported call it
  // made (noted even when it was not a point), and its shadow stack, which
  // the holder itself keeps up to date while it runs. Read racily (relaxed
  // loads): a few frames may be a step old.
  const void* site = __atomic_load_n(&steers_[cur].site, __ATOMIC_RELAXED);
  const WhereAt where = WhereAt::of(site, __atomic_load_n(&steers_[cur].shadow, __ATOMIC_RELAXED));
  const std::string at = where.empty() ? "" : sched::describe(where, "  ");
  return fmt::format(
      "\nunder strategy controlled one thread runs at a time: {} holds the turn; the last "
      "schedule point ({}) was passed {:.1f} s ago or more.{}\nA thread that spins or blocks on "
      "something the scheduler cannot see stops every other one: a spin on a plain variable "
      "in code not built with INSTRUMENT (or with plain_accesses: off), a spin on a "
      "std::atomic in such code, a blocking call strain does not model (a FILE* read of a "
      "pipe, a blocking connect), or a std::mutex in a build that does not steer them (the "
      "sanitizer presets). "
      "Build the code with INSTRUMENT, call ctx.yield() in spin loops, or run the case under "
      "strategy chaos.{}",
      names_[cur], last_label_.load(std::memory_order_relaxed), quiet_s, at,
      switched_out_fibers(cur));
}

// As fibers the other threads of the trial are stacks switched out on the
// one thread, which no signal can sample: each is named with where it was
// switched out (its last call into the scheduler, and its shadow stack in
// an INSTRUMENT plugin), as a deadlock names each thread's wait.
std::string Controller::switched_out_fibers(unsigned cur) const {
  if (fibers_ == nullptr) return {};
  std::string out;
  for (unsigned t = 0; t < live_; ++t) {
    const Slot& s = slots_[t];
    if (t == cur || s.state == State::finished || s.state == State::unused) continue;
    const WhereAt where = WhereAt::of(__atomic_load_n(&steers_[t].site, __ATOMIC_RELAXED),
                                      __atomic_load_n(&steers_[t].shadow, __ATOMIC_RELAXED));
    out += fmt::format("\nthread {} (a fiber, switched out{}){}", names_[t],
                       s.state == State::blocked ? fmt::format(", waits in {}", s.label) : "",
                       where.empty() ? "" : ":" + sched::describe(where, "    "));
  }
  return out.empty() ? out : "\nThe trial's other threads, fibers switched out:" + out;
}

}  // namespace strain::sched
