// The worker side of isolated_runner.hpp: runs the case it was handed and
// reports over the result pipe and the live counters.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "exec/isolated_runner.hpp"
#include "exec/live_counters.hpp"
#include "exec/worker_protocol.hpp"

namespace strain::exec {

namespace {

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Where the worker moves its result pipe: above the descriptors a plugin's
// own files and sockets take, and the 3-63 a careless loop writes to.
constexpr int kResultFdFloor = 512;

}  // namespace

int worker_main(const spec::Case& c, const model::RunPlan& plan, int result_fd, int live_fd) {
  void* mem = ::mmap(nullptr, sizeof(LiveCounters), PROT_READ | PROT_WRITE, MAP_SHARED, live_fd, 0);
  if (mem == MAP_FAILED) {
    std::fprintf(stderr, "strain worker: cannot map the live counters (fd %d): %s\n", live_fd,
                 std::strerror(errno));
    return 3;
  }
  // Nothing a plugin writes to an inherited descriptor may change a count
  // (issue 13: garbage written to fds 3-63 landed in the memfd and the JSON
  // said violation=5500394077097196834). The mapping outlives the memfd's
  // descriptor, so close it; and move the result pipe off the low numbers a
  // plugin's own stray writes and closes go to.
  ::close(live_fd);
  if (const int high = ::fcntl(result_fd, F_DUPFD_CLOEXEC, kResultFdFloor); high >= 0) {
    ::close(result_fd);
    result_fd = high;
  }
  CaseHooks hooks;
  hooks.live = static_cast<LiveCounters*>(mem);
  hooks.on_failure = [result_fd](const model::TrialFailure& f) {
    write_all(result_fd, encode_failure(f));
  };
  // No progress callback: the parent reads the live counters itself.
  const model::CaseResult r = run_case(c, plan, hooks);
  // Said in shared memory first: should the message below be lost (a plugin
  // closed every descriptor), the parent still knows the case ended on its
  // own and counts no phantom trial.
  hooks.live->finished.store(1);
  write_all(result_fd, encode_result(r));
  // What the plugin printed and stdio still holds (stdout into a pipe is
  // fully buffered): _exit would drop it. Not after a hang or a deadlock,
  // whose threads may still run and hold a stream's lock, which the flush
  // would wait for forever.
  const auto stuck = [&r](model::Outcome o) { return r.outcomes[static_cast<std::size_t>(o)] > 0; };
  if (!stuck(model::Outcome::hang) && !stuck(model::Outcome::deadlock)) std::fflush(nullptr);
  // _exit: a hung trial's threads are still running and must not be joined,
  // and nothing of this process is worth tearing down.
  ::_exit(0);
}

}  // namespace strain::exec
