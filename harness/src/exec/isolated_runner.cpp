#include "exec/isolated_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/signal_text.hpp"
#include "exec/leftovers.hpp"
#include "exec/worker_protocol.hpp"
#include "tsan/report_parser.hpp"
#include "tsan/report_stream.hpp"

extern char** environ;

namespace strain::exec {

namespace {

using Clock = std::chrono::steady_clock;

// Keeps the head and the tail of a stream, counting every byte: a plugin that
// floods its output costs bounded memory and the run goes on.
class BoundedCapture {
 public:
  explicit BoundedCapture(std::size_t limit) : half_(limit / 2) {}
  void add(std::string_view s) {
    total_ += s.size();
    const std::size_t to_head = std::min(s.size(), half_ - std::min(half_, head_.size()));
    head_.append(s.substr(0, to_head));
    s.remove_prefix(to_head);
    if (s.empty()) return;
    tail_.append(s);
    if (tail_.size() > 2 * half_) tail_.erase(0, tail_.size() - half_);
  }
  std::string text() const {
    if (total_ <= head_.size() + tail_.size()) return head_ + tail_;
    const std::string_view tail =
        std::string_view(tail_).substr(tail_.size() > half_ ? tail_.size() - half_ : 0);
    return head_ +
           fmt::format("\n[... {} bytes of output omitted ...]\n",
                       total_ - head_.size() - tail.size()) +
           std::string(tail);
  }
  std::uint64_t total() const { return total_; }

 private:
  std::size_t half_;
  std::string head_, tail_;
  std::uint64_t total_ = 0;
};

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

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

// Moves `fd` above the numbers the worker's descriptors get (0-4): the
// spawn's dup2 onto the same number would be a no-op that keeps O_CLOEXEC.
int above_std(int fd) {
  if (fd > 4) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  ::close(fd);
  return moved;
}

// Where the worker moves its result pipe: above the descriptors a plugin's
// own files and sockets take, and the 3-63 a careless loop writes to.
constexpr int kResultFdFloor = 512;

// The worker's environment: ours, with the TSan options the harness needs
// put before the user's own (later options win, so a user can override).
std::vector<std::string> worker_environment() {
  std::vector<std::string> env;
  std::string user_tsan;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view kv(*e);
    if (kv.starts_with("TSAN_OPTIONS="))
      user_tsan = std::string(kv.substr(13));
    else
      env.emplace_back(kv);
  }
  // Keep running after a report (the runner attributes it to its trial and
  // decides), never turn reports into an exit code, show both stacks of a
  // lock-order inversion, and let deadly signals kill the worker as they
  // would without TSan, so the parent names the signal. TSan reports a race
  // once per process by default (the same stacks or the same address are
  // suppressed), which would make every trial after the first pass: report
  // each occurrence, and let the parser's signatures fold them into counts.
  env.push_back(
      "TSAN_OPTIONS=halt_on_error=0:exitcode=0:second_deadlock_stack=1:handle_segv=0:handle_sigbus="
      "0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:suppress_equal_stacks=0:"
      "suppress_equal_addresses=0" +
      (user_tsan.empty() ? "" : ":" + user_tsan));
  return env;
}

// The frames of each access a report keeps: enough to see the caller of the
// racing function, few enough for a readable JSON report.
constexpr int kFramesKept = 5;

// Fills the result's sanitizer reports from those collected off the
// worker's output stream (not from the bounded capture, which would drop
// all but the first few of a report per trial).
void collect_sanitizer_reports(model::CaseResult& r, tsan::ReportStream& stream, std::uint64_t real) {
  stream.finish();
  std::vector<tsan::Deduped> found = stream.take();
  tsan::keep_real(found, real);
  for (auto& d : found) {
    model::SanitizerReport s;
    s.kind = d.report.kind;
    s.outcome = d.report.outcome;
    s.signature = d.report.signature;
    s.count = d.count;
    s.brief = tsan::brief(d.report);
    s.text = std::move(d.report.text);
    for (const tsan::Access& a : d.report.accesses) {
      model::SanitizerAccess out;
      // An access without a size is an edge of a lock-order cycle.
      out.op = a.size == 0 && !a.write && a.address.empty()
                   ? "lock"
                   : std::string(a.atomic ? "atomic " : "") + (a.write ? "write" : "read");
      out.size = a.size;
      out.address = a.address;
      out.thread = a.thread;
      out.mutexes_held = a.mutexes_held;
      for (const tsan::Frame& f : tsan::top_frames(a.stack, kFramesKept))
        out.frames.push_back({f.function, f.file, f.line});
      s.accesses.push_back(std::move(out));
    }
    s.location = std::move(d.report.location);
    s.mutexes = std::move(d.report.mutexes);
    s.threads = std::move(d.report.threads);
    r.sanitizer_reports.push_back(std::move(s));
  }
}

}  // namespace

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

int worker_main(const spec::Case& c, RunOptions opt, int result_fd, int live_fd) {
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
  opt.live = static_cast<LiveCounters*>(mem);
  opt.on_failure = [result_fd](const model::TrialFailure& f) { write_all(result_fd, encode_failure(f)); };
  opt.progress = nullptr;  // the parent reads the live counters itself
  const model::CaseResult r = run_case(c, opt);
  // Said in shared memory first: should the message below be lost (a plugin
  // closed every descriptor), the parent still knows the case ended on its
  // own and counts no phantom trial.
  opt.live->finished.store(1);
  write_all(result_fd, encode_result(r));
  // _exit: a hung trial's threads are still running and must not be joined,
  // and nothing of this process is worth tearing down.
  ::_exit(0);
}

namespace {

model::CaseResult run_worker(const spec::Case& c, const RunOptions& opt, const WorkerLaunch& launch) {
  const std::uint64_t spec_seed = opt.seed.value_or(c.schedule.seed);
  model::CaseResult result = base_result(c, spec_seed, opt.tsan_build);
  auto fail_to_start = [&](const std::string& why) {
    result.stopped_by = model::StopReason::error;
    result.note = why;
    result.met = false;
    return result;
  };

  // The live counters: a memfd both processes map.
  Fd live_fd(::memfd_create("strain-live", MFD_CLOEXEC));
  if (live_fd.fd < 0 || ::ftruncate(live_fd.fd, sizeof(LiveCounters)) != 0)
    return fail_to_start(std::string("memfd_create: ") + std::strerror(errno));
  void* mem =
      ::mmap(nullptr, sizeof(LiveCounters), PROT_READ | PROT_WRITE, MAP_SHARED, live_fd.fd, 0);
  if (mem == MAP_FAILED) return fail_to_start(std::string("mmap: ") + std::strerror(errno));
  auto* live = new (mem) LiveCounters();
  struct Unmap {
    void* m;
    ~Unmap() { ::munmap(m, sizeof(LiveCounters)); }
  } unmap{mem};

  int res[2], out[2];
  if (::pipe2(res, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
    return fail_to_start(std::string("pipe: ") + std::strerror(errno));
  Fd res_r(res[0]), res_w(above_std(res[1])), out_r(out[0]), out_w(above_std(out[1]));
  live_fd.fd = above_std(live_fd.fd);

  std::vector<std::string> args{launch.exe};
  args.insert(args.end(), launch.global_args.begin(), launch.global_args.end());
  args.insert(args.end(), {"__worker", "--spec", c.spec_path, "--case", c.id, "--result-fd", "3",
                           "--live-fd", "4", "--seed", std::to_string(spec_seed), "--parent-pid",
                           std::to_string(::getpid())});
  if (opt.keep_going) args.push_back("--keep-going");
  if (!c.strategy_flag.empty()) args.insert(args.end(), {"--strategy", c.strategy_flag});
  args.insert(args.end(), launch.worker_args.begin(), launch.worker_args.end());
  if (opt.only_trial) {
    args.insert(args.end(), {"--trial", std::to_string(*opt.only_trial), "--repeat",
                             std::to_string(opt.repeat)});
  }
  if (opt.steps) args.insert(args.end(), {"--steps", std::to_string(*opt.steps)});
  if (!opt.trace_in.empty()) args.insert(args.end(), {"--trace", opt.trace_in});
  if (!opt.trace_out.empty()) args.insert(args.end(), {"--record-trace", opt.trace_out});
  if (opt.first_trial > 0) {
    args.insert(args.end(), {"--first-trial", std::to_string(opt.first_trial), "--budget-s",
                             fmt::format("{}", opt.budget_s.value_or(c.schedule.budget_s))});
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, 2);
  posix_spawn_file_actions_adddup2(&fa, res_w.fd, 3);
  posix_spawn_file_actions_adddup2(&fa, live_fd.fd, 4);
  // Nothing else: a descriptor strain inherited from whoever started it (a
  // pipe whose reader is gone, a file) is none of the worker's business, and
  // a plugin's stray write to it could kill the worker with SIGPIPE.
  posix_spawn_file_actions_addclosefrom_np(&fa, 5);
  // The worker gets default signal handling and its own process group, so
  // a Ctrl-C on the terminal reaches the host, which then ends the worker.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  std::vector<std::string> env = worker_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  become_subreaper();
  const int rc = ::posix_spawn(&pid, launch.exe.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail_to_start("cannot start worker " + launch.exe + ": " + std::strerror(rc));
  res_w.reset();
  out_w.reset();

  const auto t0 = Clock::now();
  BoundedCapture capture(launch.output_limit);
  tsan::ReportStream tsan_reports;
  std::string pending;  // a partial line from the result pipe
  std::optional<model::TrialFailure> first_failure;
  std::optional<model::CaseResult> final;
  bool killed_for_hang = false, interrupted = false;
  std::uint64_t watched_trial = 0, watched_done = 0;
  auto watched_since = t0;
  auto last_progress = t0;
  // The worker's own watchdog reports a hang after `timeout`; this one is the
  // backstop for a worker that cannot (e.g. stopped or wedged in the runtime).
  const double backstop_s = c.schedule.timeout_s + 10.0;

  int status = 0;
  bool reaped = false;
  // After the worker exits, its output is read for this long at most: a
  // process it left holding the pipe (issue 13: a child holding stdout kept
  // a case with a 10 s budget running for 101 s) must not keep the case open.
  constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);
  Clock::time_point exited_at{};

  char buf[16384];
  while (res_r.fd >= 0 || out_r.fd >= 0) {
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      exited_at = Clock::now();
      end_leftovers(pid);
    }
    if (reaped && Clock::now() - exited_at > kDrainAfterExit) break;
    pollfd fds[2] = {{res_r.fd, POLLIN, 0}, {out_r.fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, 100);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t got = ::read(res_r.fd, buf, sizeof buf);
      if (got <= 0) {
        res_r.reset();
      } else {
        pending.append(buf, static_cast<std::size_t>(got));
        std::size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
          WorkerMessage m;
          if (decode_line(std::string_view(pending).substr(0, nl), m)) {
            if (m.type == WorkerMessage::Type::failure && !first_failure) first_failure = m.failure;
            if (m.type == WorkerMessage::Type::result) final = m.result;
          }
          pending.erase(0, nl + 1);
        }
      }
    }
    if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t got = ::read(out_r.fd, buf, sizeof buf);
      if (got <= 0) {
        out_r.reset();
      } else {
        capture.add(std::string_view(buf, static_cast<std::size_t>(got)));
        if (opt.tsan_build) tsan_reports.add(std::string_view(buf, static_cast<std::size_t>(got)));
      }
    }
    const auto now = Clock::now();
    if (opt.progress && now - last_progress >= std::chrono::milliseconds(100) &&
        live->running.load()) {
      last_progress = now;
      opt.progress(model::CaseProgress{
          c.id, live->trials_done.load(), opt.only_trial ? opt.repeat : c.schedule.trials,
          std::chrono::duration<double>(now - t0).count(), c.schedule.budget_s, live->snapshot()});
    }
    if (launch.interrupted != nullptr && launch.interrupted->load()) {
      interrupted = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    const std::uint64_t cur = live->current_trial.load(), done = live->trials_done.load();
    if (cur != watched_trial || done != watched_done) {
      watched_trial = cur;
      watched_done = done;
      watched_since = now;
    } else if (!final && std::chrono::duration<double>(now - watched_since).count() > backstop_s) {
      killed_for_hang = true;
      ::kill(-pid, SIGKILL);
      break;
    }
  }

  while (!reaped && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  end_leftovers(pid);
  result.output = capture.text();
  result.output_bytes = capture.total();
  // Reports made during a trial that killed the worker were counted by the
  // hook after the last store, and nobody knows how many: keep them all then.
  const std::uint64_t real = live->finished.load() ? live->sanitizer_reports.load() : UINT64_MAX;
  collect_sanitizer_reports(result, tsan_reports, real);
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (interrupted) {
    result.stopped_by = model::StopReason::interrupted;
    result.trials = live->trials_done.load();
    result.outcomes = live->snapshot();
    result.first_failure = first_failure;
    return result;
  }
  // The counts are always those of shared memory, never the message's: the
  // pipe is a descriptor plugin code can write to, the mapping is not (its
  // memfd is closed in the worker), so nothing written can change a count.
  // A message is only believed from a worker that finished its case.
  if (final && live->finished.load()) {
    const double elapsed = result.elapsed_s;
    std::string output = std::move(result.output);
    const std::uint64_t bytes = result.output_bytes;
    auto reports = std::move(result.sanitizer_reports);
    result.trials = live->trials_done.load();
    result.outcomes = live->snapshot();
    result.first_failure = final->first_failure;
    result.metrics = final->metrics;
    result.measured = final->measured;
    result.stopped_by = final->stopped_by;
    result.note = final->note;
    result.schedules = live->schedules.load();
    result.elapsed_s = final->elapsed_s > 0 ? final->elapsed_s : elapsed;
    result.output = std::move(output);
    result.output_bytes = bytes;
    result.sanitizer_reports = std::move(reports);
    result.met = verdict(result);
    return result;
  }

  // The worker finished the case but its result message did not arrive:
  // plugin code closed or wrote over the worker's descriptors. The counts in
  // shared memory are whole; no trial failed for it.
  if (live->finished.load() && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    result.trials = live->trials_done.load();
    result.outcomes = live->snapshot();
    result.first_failure = first_failure;
    result.stopped_by = result.outcomes[0] == result.trials ? model::StopReason::trials
                                                           : model::StopReason::failure;
    result.note =
        "the worker finished but its result message was lost (plugin code closed or wrote over "
        "the worker's descriptors); the counts are from shared memory, metrics are missing";
    result.met = verdict(result);
    return result;
  }

  // The worker ended without a result: the trial that was running caused it.
  const std::uint64_t trial = live->current_trial.load();
  model::Outcome outcome;
  std::string why;
  if (killed_for_hang) {
    outcome = model::Outcome::hang;
    why =
        fmt::format("trial {} made no progress for {}s; the worker was killed", trial, backstop_s);
  } else if (WIFSIGNALED(status)) {
    outcome = model::Outcome::crash;
    why = fmt::format("the worker was killed by signal {} during trial {}",
                      signal_text(WTERMSIG(status)), trial);
  } else {
    outcome = model::Outcome::error;
    why = fmt::format(
        "the worker exited with status {} during trial {} without reporting a result "
        "(exit() or _exit() called by plugin code?)",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1, trial);
  }
  result.outcomes = live->snapshot();
  result.schedules = live->schedules.load();
  result.outcomes[static_cast<std::size_t>(outcome)] += 1;
  result.trials = live->trials_done.load() + 1;
  result.first_failure = first_failure;
  if (!result.first_failure) {
    result.first_failure = model::TrialFailure{trial,
                                        trial_seed(spec_seed, c.id, trial),
                                        outcome,
                                        why,
                                        result.elapsed_s,
                                        replay_command(c, spec_seed, trial, live->steps.load(),
                                                       opt.command_prefix),
                                        {}};
  } else {
    result.note = why;
  }
  result.stopped_by = model::StopReason::failure;
  result.met = verdict(result);
  return result;
}

// Adds what a later worker of the same case ran (--keep-going) to `total`.
void add_segment(model::CaseResult& total, model::CaseResult seg, std::size_t output_limit) {
  total.trials += seg.trials;
  for (std::size_t k = 0; k < model::kOutcomeCount; ++k) total.outcomes[k] += seg.outcomes[k];
  if (!total.first_failure) total.first_failure = seg.first_failure;
  if (total.output.size() < output_limit && !seg.output.empty())
    total.output += "\n[... the next worker of the case ...]\n" + seg.output;
  total.output_bytes += seg.output_bytes;
  for (auto& rep : seg.sanitizer_reports) {
    const auto same =
        std::find_if(total.sanitizer_reports.begin(), total.sanitizer_reports.end(),
                     [&](const model::SanitizerReport& x) { return x.signature == rep.signature; });
    if (same != total.sanitizer_reports.end())
      same->count += rep.count;
    else
      total.sanitizer_reports.push_back(std::move(rep));
  }
  if (!seg.metrics.empty()) total.metrics = std::move(seg.metrics);
  for (const auto& m : seg.measured) {
    const auto same = std::find_if(total.measured.begin(), total.measured.end(),
                                   [&](const model::Measured& x) { return x.name == m.name; });
    if (same == total.measured.end()) {
      total.measured.push_back(m);
    } else if (m.count > 0) {
      const double n = static_cast<double>(same->count), k = static_cast<double>(m.count);
      same->min = same->count ? std::min(same->min, m.min) : m.min;
      same->max = same->count ? std::max(same->max, m.max) : m.max;
      same->mean = (same->mean * n + m.mean * k) / (n + k);
      same->count += m.count;
    }
  }
  total.elapsed_s += seg.elapsed_s;
  total.stopped_by = seg.stopped_by;
  total.schedules = std::max(total.schedules, seg.schedules);
}

}  // namespace

model::CaseResult run_isolated(const spec::Case& c, const RunOptions& opt, const WorkerLaunch& launch) {
  model::CaseResult total = run_worker(c, opt, launch);
  if (!opt.keep_going || opt.only_trial) return total;
  // --keep-going counts every trial, but a crash, an exit() or a hang ends
  // the worker that ran it (issue 13: --keep-going stopped at the first of
  // them). A fresh worker then goes on from the next trial, with the same
  // trial seeds an unbroken run would have used, within what is left of the
  // budget.
  std::uint64_t workers = 1;
  while (total.stopped_by == model::StopReason::failure && total.trials < c.schedule.trials &&
         total.elapsed_s < c.schedule.budget_s &&
         (launch.interrupted == nullptr || !launch.interrupted->load())) {
    RunOptions next = opt;
    next.first_trial = total.trials;
    next.budget_s = c.schedule.budget_s - total.elapsed_s;
    model::CaseResult seg = run_worker(c, next, launch);
    if (seg.stopped_by == model::StopReason::interrupted || seg.stopped_by == model::StopReason::error) {
      total.stopped_by = seg.stopped_by;
      if (seg.stopped_by == model::StopReason::error) total.note = seg.note;
      break;
    }
    ++workers;
    add_segment(total, std::move(seg), launch.output_limit);
  }
  if (workers > 1) {
    total.note += fmt::format("{}--keep-going: the case ran in {} workers, as failures ended {} "
                              "of them",
                              total.note.empty() ? "" : "; ", workers, workers - 1);
    total.met = verdict(total);
  }
  return total;
}

}  // namespace strain::exec
