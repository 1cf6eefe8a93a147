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
#include "exec/replay_command.hpp"
#include "exec/watchdog.hpp"
#include "exec/worker_protocol.hpp"
#include "exec/zygote.hpp"
#include "model/seed.hpp"
#include "model/verdict.hpp"
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

// Moves `fd` above the numbers the worker's descriptors get (0-4): the
// spawn's dup2 onto the same number would be a no-op that keeps O_CLOEXEC.
int above_std(int fd) {
  if (fd > 4) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  ::close(fd);
  return moved;
}

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
void collect_sanitizer_reports(model::CaseResult& r, tsan::ReportStream& stream,
                               std::uint64_t real) {
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

namespace {

// One worker process running (part of) a case, from its start to the
// result: the parent's side of the worker protocol.
class Worker {
 public:
  Worker(const spec::Case& c, const model::RunPlan& plan, const CaseHooks& hooks,
         const WorkerLaunch& launch)
      : c_(c),
        plan_(plan),
        hooks_(hooks),
        launch_(launch),
        result_(base_result(c, plan.seed, plan.tsan_build)),
        capture_(launch.output_limit),
        // The worker's own watchdog reports a hang after `timeout`; this one
        // is the backstop for a worker that cannot (e.g. stopped or wedged in
        // the runtime).
        // A batch is watched as a whole (exec/case_run.cpp).
        backstop_(c.schedule.timeout_s * c.schedule.batch + 10.0) {}
  ~Worker() {
    if (live_ != nullptr) ::munmap(live_, sizeof(LiveCounters));
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  model::CaseResult run() {
    std::string why;
    if (!make_channels(why) || !spawn(why)) {
      result_.stopped_by = model::StopReason::error;
      result_.note = why;
      result_.met = false;
      return result_;
    }
    pump();
    reap();
    if (interrupted_) return interrupted();
    // The counts are always those of shared memory, never the message's:
    // the pipe is a descriptor plugin code can write to, the mapping is not
    // (its memfd is closed in the worker), so nothing written can change a
    // count. A message is only believed from a worker that finished its case.
    if (final_ && live_->finished.load()) return from_message();
    if (live_->finished.load() && WIFEXITED(status_) && WEXITSTATUS(status_) == 0)
      return message_lost();
    return ended_without_result();
  }

 private:
  // The live counters (a memfd both processes map), the result pipe and the
  // output pipe.
  bool make_channels(std::string& why) {
    live_fd_.fd = ::memfd_create("strain-live", MFD_CLOEXEC);
    if (live_fd_.fd < 0 || ::ftruncate(live_fd_.fd, sizeof(LiveCounters)) != 0) {
      why = std::string("memfd_create: ") + std::strerror(errno);
      return false;
    }
    void* mem =
        ::mmap(nullptr, sizeof(LiveCounters), PROT_READ | PROT_WRITE, MAP_SHARED, live_fd_.fd, 0);
    if (mem == MAP_FAILED) {
      why = std::string("mmap: ") + std::strerror(errno);
      return false;
    }
    live_ = new (mem) LiveCounters();
    int res[2], out[2];
    if (::pipe2(res, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      why = std::string("pipe: ") + std::strerror(errno);
      return false;
    }
    res_r_.fd = res[0];
    res_w_.fd = above_std(res[1]);
    out_r_.fd = out[0];
    out_w_.fd = above_std(out[1]);
    live_fd_.fd = above_std(live_fd_.fd);
    return true;
  }

  // Starts `strain __worker --plan JSON` on descriptors 0-4: /dev/null, the
  // output pipe twice, the result pipe, the live counters.
  bool spawn(std::string& why) {
    if (Zygote* z = Zygote::get(launch_.exe, launch_.global_args, &worker_environment)) {
      pid_ = z->spawn(model::to_json(plan_), out_w_.fd, res_w_.fd, live_fd_.fd, why);
      if (pid_ > 0) {
        zygote_ = z;
        zygote_pid_ = z->pid();
        return spawned();
      }
      // The zygote is given up: exec this worker, and the next, as before.
    }
    std::vector<std::string> args{launch_.exe};
    args.insert(args.end(), launch_.global_args.begin(), launch_.global_args.end());
    args.insert(args.end(), {"__worker", "--plan", model::to_json(plan_), "--result-fd", "3",
                             "--live-fd", "4", "--parent-pid", std::to_string(::getpid())});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w_.fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_w_.fd, 2);
    posix_spawn_file_actions_adddup2(&fa, res_w_.fd, 3);
    posix_spawn_file_actions_adddup2(&fa, live_fd_.fd, 4);
    // Nothing else: a descriptor strain inherited from whoever started it (a
    // pipe whose reader is gone, a file) is none of the worker's business,
    // and a plugin's stray write to it could kill the worker with SIGPIPE.
    posix_spawn_file_actions_addclosefrom_np(&fa, 5);
    // The worker gets default signal handling and its own process group, so
    // a Ctrl-C on the terminal reaches the host, which then ends the worker.
    posix_spawnattr_t attr;
    init_worker_spawnattr(attr);
    std::vector<std::string> env = worker_environment();
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    become_subreaper();
    const int rc = ::posix_spawn(&pid_, launch_.exe.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      why = "cannot start worker " + launch_.exe + ": " + std::strerror(rc);
      return false;
    }
    return spawned();
  }

  // The worker runs: only it holds the pipes' write ends now.
  bool spawned() {
    res_w_.reset();
    out_w_.reset();
    t0_ = Clock::now();
    watch_ = TrialWatch(backstop_, t0_);
    return true;
  }

  // Whether the worker exited (`block`: waits until it did), its status in
  // status_: from waitpid, or from the zygote for a worker it forked.
  bool exited(bool block) {
    if (zygote_ != nullptr) return zygote_->exited(pid_, status_, block, zygote_lost_);
    for (;;) {
      const pid_t p = ::waitpid(pid_, &status_, block ? 0 : WNOHANG);
      if (p == pid_) return true;
      if (p < 0 && errno == EINTR) continue;
      return false;
    }
  }

  // Reads both pipes until the worker is gone, and watches it meanwhile.
  void pump() {
    // After the worker exits, its output is read for this long at most: a
    // process it left holding the pipe (issue 13: a child holding stdout
    // kept a case with a 10 s budget running for 101 s) must not keep the
    // case open.
    constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);
    Clock::time_point exited_at{};
    while (res_r_.fd >= 0 || out_r_.fd >= 0) {
      if (!reaped_ && exited(false)) {
        reaped_ = true;
        exited_at = Clock::now();
        end_leftovers(pid_);
      }
      if (reaped_ && Clock::now() - exited_at > kDrainAfterExit) break;
      pollfd fds[2] = {{res_r_.fd, POLLIN, 0}, {out_r_.fd, POLLIN, 0}};
      const int n = ::poll(fds, 2, 100);
      if (n < 0 && errno != EINTR) break;
      if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) read_results();
      if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_output();
      if (!look()) break;
    }
  }

  void read_results() {
    char buf[16384];
    const ssize_t got = ::read(res_r_.fd, buf, sizeof buf);
    if (got <= 0) {
      res_r_.reset();
      return;
    }
    pending_.append(buf, static_cast<std::size_t>(got));
    std::size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      WorkerMessage m;
      if (decode_line(std::string_view(pending_).substr(0, nl), m)) {
        if (m.type == WorkerMessage::Type::failure && !first_failure_) first_failure_ = m.failure;
        if (m.type == WorkerMessage::Type::result) final_ = m.result;
      }
      pending_.erase(0, nl + 1);
    }
  }

  void read_output() {
    char buf[16384];
    const ssize_t got = ::read(out_r_.fd, buf, sizeof buf);
    if (got <= 0) {
      out_r_.reset();
      return;
    }
    const std::string_view chunk(buf, static_cast<std::size_t>(got));
    capture_.add(chunk);
    if (plan_.tsan_build) tsan_reports_.add(chunk);
  }

  // Progress, Ctrl-C and the backstop watchdog. False: the worker was
  // killed, stop reading.
  bool look() {
    const auto now = Clock::now();
    if (hooks_.progress && now - last_progress_ >= std::chrono::milliseconds(100) &&
        live_->running.load()) {
      last_progress_ = now;
      hooks_.progress(model::CaseProgress{c_.id, live_->trials_done.load(),
                                          plan_.only_trial ? plan_.repeat : c_.schedule.trials,
                                          std::chrono::duration<double>(now - t0_).count(),
                                          c_.schedule.budget_s, live_->snapshot()});
    }
    if (launch_.interrupted != nullptr && launch_.interrupted->load()) {
      interrupted_ = true;
      ::kill(-pid_, SIGKILL);
      return false;
    }
    if (live_->classifying.load() != 0) watch_.rest(now);  // the worker's own time
    if (watch_.expired(live_->current_trial.load(), live_->progress(), now) && !final_) {
      killed_for_hang_ = true;
      ::kill(-pid_, SIGKILL);
      return false;
    }
    return true;
  }

  // Waits for the worker, ends what it left running, and takes its output
  // and sanitizer reports into the result.
  void reap() {
    if (!reaped_) (void)exited(true);
    end_leftovers(pid_);
    result_.output = capture_.text();
    result_.output_bytes = capture_.total();
    // Reports made during a trial that killed the worker were counted by the
    // hook after the last store, and nobody knows how many: keep them all.
    const std::uint64_t real =
        live_->finished.load() ? live_->sanitizer_reports.load() : UINT64_MAX;
    collect_sanitizer_reports(result_, tsan_reports_, real);
    result_.elapsed_s = std::chrono::duration<double>(Clock::now() - t0_).count();
  }

  model::CaseResult interrupted() {
    result_.stopped_by = model::StopReason::interrupted;
    result_.trials = live_->trials_done.load();
    result_.outcomes = live_->snapshot();
    result_.first_failure = first_failure_;
    return result_;
  }

  // The worker finished its case and said so.
  model::CaseResult from_message() {
    result_.trials = live_->trials_done.load();
    result_.outcomes = live_->snapshot();
    result_.first_failure = final_->first_failure;
    result_.metrics = final_->metrics;
    result_.measured = final_->measured;
    result_.stopped_by = final_->stopped_by;
    result_.note = final_->note;
    result_.schedules = live_->schedules.load();
    result_.explored = final_->explored;
    result_.unsteerable = final_->unsteerable;
    if (final_->elapsed_s > 0) result_.elapsed_s = final_->elapsed_s;
    result_.met = model::verdict(result_);
    return result_;
  }

  // The worker finished the case but its result message did not arrive:
  // plugin code closed or wrote over the worker's descriptors. The counts in
  // shared memory are whole; no trial failed for it.
  model::CaseResult message_lost() {
    result_.trials = live_->trials_done.load();
    result_.outcomes = live_->snapshot();
    result_.first_failure = first_failure_;
    result_.stopped_by = result_.outcomes[0] == result_.trials ? model::StopReason::trials
                                                               : model::StopReason::failure;
    result_.note =
        "the worker finished but its result message was lost (plugin code closed or wrote over "
        "the worker's descriptors); the counts are from shared memory, metrics are missing";
    result_.met = model::verdict(result_);
    return result_;
  }

  // The worker ended without a result: the trial that was running caused it.
  model::CaseResult ended_without_result() {
    const std::uint64_t trial = live_->current_trial.load();
    const std::string trial_text = live_->trial_text();
    model::Outcome outcome;
    std::string why;
    if (zygote_lost_) {
      // Not the plugin's doing, unless its code killed strain's processes.
      outcome = model::Outcome::error;
      why = fmt::format("the worker zygote (pid {}) died during trial {}, and the worker with it",
                        zygote_pid_, trial_text);
    } else if (killed_for_hang_) {
      outcome = model::Outcome::hang;
      why = fmt::format("trial {} made no progress for {}s; the worker was killed", trial_text,
                        backstop_);
    } else if (WIFSIGNALED(status_)) {
      outcome = model::Outcome::crash;
      why = fmt::format("the worker was killed by signal {} during trial {}",
                        signal_text(WTERMSIG(status_)), trial_text);
    } else {
      outcome = model::Outcome::error;
      why = fmt::format(
          "the worker exited with status {} during trial {} without reporting a result "
          "(exit() or _exit() called by plugin code?)",
          WIFEXITED(status_) ? WEXITSTATUS(status_) : -1, trial_text);
    }
    result_.outcomes = live_->snapshot();
    result_.schedules = live_->schedules.load();
    result_.outcomes[static_cast<std::size_t>(outcome)] += 1;
    result_.trials = live_->trials_done.load() + 1;
    result_.first_failure = first_failure_;
    if (!result_.first_failure)
      result_.first_failure = model::TrialFailure{
          trial,
          model::trial_seed(plan_.seed, c_.id,
                            model::seeded_as(trial, model::searches(c_.schedule.strategy))),
          outcome,
          why,
          result_.elapsed_s,
          replay_command(c_, plan_.seed, trial, live_->steps.load(), plan_.command_prefix),
          {}};
    else
      result_.note = why;
    result_.stopped_by = model::StopReason::failure;
    result_.met = model::verdict(result_);
    return result_;
  }

  const spec::Case& c_;
  const model::RunPlan& plan_;
  const CaseHooks& hooks_;
  const WorkerLaunch& launch_;
  model::CaseResult result_;
  BoundedCapture capture_;
  double backstop_;
  TrialWatch watch_{0};
  Fd live_fd_, res_r_, res_w_, out_r_, out_w_;
  LiveCounters* live_ = nullptr;
  pid_t pid_ = -1;
  Zygote* zygote_ = nullptr;  // the zygote that forked the worker, if one did
  pid_t zygote_pid_ = -1;
  bool zygote_lost_ = false;  // it died before it said how the worker ended
  int status_ = 0;
  bool reaped_ = false, interrupted_ = false, killed_for_hang_ = false;
  Clock::time_point t0_, last_progress_;
  tsan::ReportStream tsan_reports_;
  std::string pending_;  // a partial line from the result pipe
  std::optional<model::TrialFailure> first_failure_;
  std::optional<model::CaseResult> final_;
};

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
  // A search does not go on in the next worker: it starts over there (its
  // tree was the ended worker's), so only the last one's reach is told.
  if (seg.explored) total.explored = seg.explored;
}

}  // namespace

model::CaseResult run_isolated(const spec::Case& c, const model::RunPlan& plan,
                               const CaseHooks& hooks, const WorkerLaunch& launch) {
  model::CaseResult total = Worker(c, plan, hooks, launch).run();
  if (!plan.keep_going || plan.only_trial) return total;
  // --keep-going counts every trial, but a crash, an exit() or a hang ends
  // the worker that ran it (issue 13: --keep-going stopped at the first of
  // them). A fresh worker then goes on from the next trial, with the same
  // trial seeds an unbroken run would have used, within what is left of the
  // budget.
  std::uint64_t workers = 1;
  while (total.stopped_by == model::StopReason::failure && total.trials < c.schedule.trials &&
         total.elapsed_s < c.schedule.budget_s &&
         (launch.interrupted == nullptr || !launch.interrupted->load())) {
    model::RunPlan next = plan;
    next.first_trial = total.trials;
    next.budget_s = c.schedule.budget_s - total.elapsed_s;
    model::CaseResult seg = Worker(c, next, hooks, launch).run();
    if (seg.stopped_by == model::StopReason::interrupted ||
        seg.stopped_by == model::StopReason::error) {
      total.stopped_by = seg.stopped_by;
      if (seg.stopped_by == model::StopReason::error) total.note = seg.note;
      break;
    }
    ++workers;
    add_segment(total, std::move(seg), launch.output_limit);
  }
  if (workers > 1) {
    total.note += fmt::format(
        "{}--keep-going: the case ran in {} workers, as failures ended {} "
        "of them",
        total.note.empty() ? "" : "; ", workers, workers - 1);
    total.met = model::verdict(total);
  }
  return total;
}

}  // namespace strain::exec
