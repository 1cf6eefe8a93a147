#pragma once
// The decisions of a controlled trial: which thread ran at each choice
// between runnable threads, which timed wait timed out, which store a
// weak-memory load read. Given the same program and seed the scheduler makes
// the same decisions; a recorded trace also replays them without the seed's
// strategy, and shows the interleaving step by step.

#include <cstdint>
#include <string>
#include <vector>

namespace strain::sched {

//! One decision: what was chosen (`kind`) and the choice.
struct Decision {
  char kind = 't';  // t: thread to run, w: timed wait to time out, m: store a load reads
  std::uint32_t value = 0;
  bool operator==(const Decision&) const = default;
};

//! A trial's schedule as a file holds it.
struct Trace {
  std::string case_id;
  std::uint64_t seed = 0;   // the spec seed
  std::uint64_t trial = 0;  // the trial index
  std::string strategy;     // e.g. "controlled/pct depth=3 steps=57"
  std::uint64_t steps = 0;  // PCT's k for this trial (0 if not PCT)
  std::string digest;       // of the interleaving: every step's thread and label
  std::vector<Decision> decisions;
  std::vector<std::string> interleaving;  // "role#i label" per step, for people
};

//! "t1 t0 m2 w1": decisions as text, and back (false on a malformed token).
std::string decisions_text(const std::vector<Decision>& d);
bool parse_decisions(const std::string& text, std::vector<Decision>& out);

//! Writes `t` as JSON to `path` (temp file + rename). Throws
//! std::runtime_error if it cannot.
void write_trace(const std::string& path, const Trace& t);
//! Reads a trace written by write_trace. Throws std::runtime_error with the
//! path and the reason if it cannot.
Trace read_trace(const std::string& path);

//! FNV-1a, 64 bits, over the interleaving of a trial: each step's thread
//! index and label. Stable across runs and builds (addresses are left out).
class Digest {
 public:
  void reset() { h_ = 1469598103934665603ULL; }
  void add(unsigned thread, const char* label) {
    mix(static_cast<unsigned char>(thread));
    mix(static_cast<unsigned char>(thread >> 8));
    for (const char* p = label; *p != '\0'; ++p) mix(static_cast<unsigned char>(*p));
    mix(0xff);
  }
  //! The thread's load read the store `back` places before the newest
  //! (the weak memory model's choice): another execution of the same order.
  void add_read(unsigned thread, unsigned back) {
    mix(static_cast<unsigned char>(thread));
    mix(static_cast<unsigned char>(thread >> 8));
    mix(0xfe);
    mix(static_cast<unsigned char>(back));
    mix(0xff);
  }
  std::uint64_t value() const { return h_; }
  std::string text() const;

 private:
  void mix(unsigned char c) { h_ = (h_ ^ c) * 1099511628211ULL; }
  std::uint64_t h_ = 1469598103934665603ULL;
};

}  // namespace strain::sched
