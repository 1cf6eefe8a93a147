// Faults that take a process down or never end, at a chosen trial: the
// harness must turn each into an outcome of that trial and run on.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <strain/strain.hpp>
#include <string>
#include <string_view>

namespace {

class Fault {
 public:
  static void declare(strain::Declare<Fault>& d) {
    d.doc("Crashes, exits, hangs or floods its output at trial `at`")
        .param("mode", "none", "what to do",
               {"none", "segfault", "abort", "sigbus", "sigkill", "exit", "_exit", "throw",
                "spin_forever", "deadlock", "flood", "pipes", "spin_handoff"})
        .param("at", 0, "the trial index at which to fault")
        .param("flood_bytes", 8 << 20, "bytes written by mode flood")
        .role("first", &Fault::first)
        .role("second", &Fault::second)
        .metric("ok", "1 when the trial finished");
  }
  void setup(strain::Context& ctx) {
    mode_ = ctx.str_param("mode");
    active_ = ctx.trial() == static_cast<std::uint64_t>(ctx.int_param("at"));
    flood_ = ctx.int_param("flood_bytes");
    if (active_ && mode_ == "pipes" && (::pipe(to_second_) != 0 || ::pipe(to_first_) != 0))
      ctx.fail("pipe() failed");
  }
  ~Fault() {
    for (int fd : {to_second_[0], to_second_[1], to_first_[0], to_first_[1]})
      if (fd >= 0) ::close(fd);
  }
  void first(strain::Context&) {
    if (!active_) return;
    if (mode_ == "segfault") {
      volatile int* p = nullptr;
      *p = 1;
    }
    if (mode_ == "abort") std::abort();
    if (mode_ == "sigbus") ::raise(SIGBUS);
    if (mode_ == "sigkill") ::raise(SIGKILL);
    if (mode_ == "exit") std::exit(3);
    if (mode_ == "_exit") ::_exit(4);
    if (mode_ == "throw") throw std::runtime_error("thrown at the chosen trial");
    if (mode_ == "spin_forever") {
      while (!stop_.load(std::memory_order_relaxed)) {
      }
    }
    if (mode_ == "deadlock") lock_both(a_, b_);
    // A handshake over two pipes: each role blocks in read() until the
    // other wrote. The controlled scheduler parks a read of an empty pipe
    // and runs the other role (intercept/steered_io.cpp).
    if (mode_ == "pipes") {
      char byte = 1;
      if (::write(to_second_[1], &byte, 1) != 1 || ::read(to_first_[0], &byte, 1) != 1)
        throw std::runtime_error("pipe handshake failed");
    }
    // The same handshake over two std::atomic flags in code not built with
    // INSTRUMENT: fine on a real scheduler; under the controlled one the
    // role holding the turn spins where the scheduler does not see,
    // whichever runs first, and no schedule point is passed again.
    if (mode_ == "spin_handoff") {
      to_second_flag_.store(true);
      while (!to_first_flag_.load()) {
      }
    }
    if (mode_ == "flood") {
      std::string line(1023, 'x');
      line += '\n';
      for (std::int64_t k = 0; k < flood_; k += 1024)
        std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);
    }
  }
  void second(strain::Context&) {
    if (active_ && mode_ == "deadlock") lock_both(b_, a_);
    if (active_ && mode_ == "pipes") {
      char byte = 0;
      if (::read(to_second_[0], &byte, 1) != 1 || ::write(to_first_[1], &byte, 1) != 1)
        throw std::runtime_error("pipe handshake failed");
    }
    if (active_ && mode_ == "spin_handoff") {
      while (!to_second_flag_.load()) {
      }
      to_first_flag_.store(true);
    }
  }
  void check(strain::Context& ctx) { ctx.metric("ok", 1); }

 private:
  // Takes x then y after both threads hold their first lock: a certain
  // lock-order deadlock, not a likely one.
  void lock_both(std::mutex& x, std::mutex& y) {
    std::lock_guard<std::mutex> gx(x);
    holders_.fetch_add(1);
    while (holders_.load() < 2) {
    }
    std::lock_guard<std::mutex> gy(y);
  }

  std::string_view mode_;
  bool active_ = false;
  std::int64_t flood_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> holders_{0};
  std::atomic<bool> to_second_flag_{false}, to_first_flag_{false};
  std::mutex a_, b_;
  int to_second_[2] = {-1, -1}, to_first_[2] = {-1, -1};
};

}  // namespace

STRAIN_SCENARIO(Fault, fault);
