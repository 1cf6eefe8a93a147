#pragma once
// The worker zygote: a `strain __zygote` process, started once per run,
// that has paid for exec, the dynamic loader and strain's start-up once and
// forks a worker for each case instead. A case of the trivial plugin cost
// 13.0 ms with exec'd workers and 9.1 ms with forked ones (2-core CI
// machine, 11-case minus 1-case run, perf stat -r 8); `strain --version`
// alone is 7 ms, a C++ hello world 2.5. A first version forked twice so
// that the worker would be the host's own child: the second fork cost 2-4
// ms, and the gain was 1.5 ms.
//
// The host never forks (it is threaded): the zygote, single-threaded,
// forks each worker, in its own process group, with the descriptors,
// signals and environment an exec'd worker has, and relays its exit status
// over the socket (the worker is the zygote's child, so the host cannot wait
// for it). The zygote is no subreaper: what a worker leaves behind still
// comes back to the host's leftover sweep, which spares the zygote. A worker
// dies with the zygote, and the zygote with the host (parent-death signals).
// If the zygote cannot start or dies, the host goes back to exec'ing
// workers (STRAIN_ZYGOTE=0 asks for that).

#include <spawn.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace strain::exec {

//! The host's side: the zygote it started, and its socket.
class Zygote {
 public:
  //! The run's zygote for `exe` with `args` before `__zygote`, started on
  //! first use with the environment `env()` makes; null when disabled or it
  //! failed.
  static Zygote* get(const std::string& exe, const std::vector<std::string>& args,
                     std::vector<std::string> (*env)());

  //! Starts a worker for `plan_json` on descriptors 1 and 2 (`out`), 3
  //! (`results`) and 4 (`live`). Returns its pid, or -1 with `why` (the
  //! zygote is then given up and the caller exec's the worker itself).
  pid_t spawn(const std::string& plan_json, int out, int results, int live, std::string& why);

  //! The exit status (as waitpid gives it) of worker `worker`, once it
  //! exited; false while it runs (`block`: waits until it exited). If the
  //! zygote is gone, the worker died with it (or is killed now): SIGKILL,
  //! and `lost` is set.
  bool exited(pid_t worker, int& status, bool block, bool& lost);

  //! The zygote's pid, which the leftover sweep spares.
  pid_t pid() const { return pid_; }

  ~Zygote();

 private:
  Zygote() = default;
  void stop();
  // Reads one message (waiting if `block`); false if none or the zygote is
  // gone. Exit notices are kept in `exits_` until asked for.
  bool read_message(bool block, int kind_wanted, pid_t& spawned);
  pid_t pid_ = -1;
  int sock_ = -1;
  std::map<pid_t, int> exits_;
};

//! Initialises `attr` for a process the host starts for its cases (a
//! worker, the zygote): no signal blocked, every one at its default, and a
//! process group of its own, so a Ctrl-C on the terminal reaches the host
//! alone, which then ends it.
void init_worker_spawnattr(posix_spawnattr_t& attr);

//! The zygote's side (`strain __zygote`), on the socket `sock` to the host
//! `host`: serves requests and reports its workers' exits until the host
//! closes the socket, then returns -1. In each worker it forks, it returns
//! `run_worker(plan_json)`'s exit code instead, with descriptors 0-4 and the
//! signals set up as an exec'd worker has them: the caller returns it from
//! main.
int serve_zygote(int sock, pid_t host, const std::function<int(const std::string&)>& run_worker);

}  // namespace strain::exec
