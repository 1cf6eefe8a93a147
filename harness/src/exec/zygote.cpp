#include "exec/zygote.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "exec/leftovers.hpp"

namespace strain::exec {

namespace {

// A request is the plan's JSON (a few hundred bytes; far below this) with
// the worker's three descriptors attached.
constexpr std::size_t kMaxPlan = 256 * 1024;
constexpr int kFds = 3;  // output, results, live counters

// What the zygote says: a worker it started (pid, or -errno), or one that
// exited (pid and its wait status).
struct Message {
  enum Kind : std::int32_t { spawned = 1, exited = 2 };
  std::int32_t kind = 0;
  std::int32_t pid = 0;
  std::int32_t status = 0;
};

// Room for the descriptors of one request.
struct Control {
  alignas(cmsghdr) char bytes[CMSG_SPACE(sizeof(int) * kFds)] = {};
};

// A message of one buffer and the room for descriptors.
msghdr message(iovec& iov, Control& control) {
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.bytes;
  msg.msg_controllen = sizeof control.bytes;
  return msg;
}

bool send_request(int sock, const std::string& plan, const int (&fds)[kFds]) {
  iovec iov{const_cast<char*>(plan.data()), plan.size()};
  Control control;
  msghdr msg = message(iov, control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * kFds);
  std::memcpy(CMSG_DATA(c), fds, sizeof(int) * kFds);
  ssize_t n;
  while ((n = ::sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  return n == static_cast<ssize_t>(plan.size());
}

// One request: false at the end of the stream or on a malformed one.
bool receive_request(int sock, std::string& plan, int (&fds)[kFds]) {
  // One buffer for the zygote's life, written only as far as a request
  // goes: each page the zygote writes after a fork is a copy-on-write fault
  // (zero-filling 256 KiB a request cost ~5 ms a case in TLB shootdowns).
  static char* const buffer = static_cast<char*>(std::malloc(kMaxPlan));
  if (buffer == nullptr) return false;
  iovec iov{buffer, kMaxPlan};
  Control control;
  msghdr msg = message(iov, control);
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return false;
  plan.assign(buffer, static_cast<std::size_t>(n));
  const cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (c == nullptr || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int) * kFds) ||
      (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)
    return false;
  std::memcpy(fds, CMSG_DATA(c), sizeof(int) * kFds);
  return true;
}

// In the worker: descriptors 0-4 and signals as posix_spawn gives an exec'd
// worker (isolated_runner.cpp). False if the descriptors cannot be set.
bool become_worker(const int (&fds)[kFds]) {
  ::setpgid(0, 0);  // also done by the zygote: whichever runs first
  int high[kFds];
  for (int k = 0; k < kFds; ++k) high[k] = ::fcntl(fds[k], F_DUPFD_CLOEXEC, 10);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(high[0], 1) < 0 || ::dup2(high[0], 2) < 0 ||
      ::dup2(high[1], 3) < 0 || ::dup2(high[2], 4) < 0)
    return false;
  ::close_range(5, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  return true;
}

bool send_message(int sock, const Message& m) {
  ssize_t n;
  while ((n = ::send(sock, &m, sizeof m, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  return n == static_cast<ssize_t>(sizeof m);
}

}  // namespace

void init_worker_spawnattr(posix_spawnattr_t& attr) {
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}

Zygote* Zygote::get(const std::string& exe, const std::vector<std::string>& args,
                    std::vector<std::string> (*env)()) {
  static std::unique_ptr<Zygote> zygote;
  static bool tried = false;
  if (tried) return zygote && zygote->sock_ >= 0 ? zygote.get() : nullptr;
  tried = true;
  if (const char* z = std::getenv("STRAIN_ZYGOTE"); z != nullptr && std::strcmp(z, "0") == 0)
    return nullptr;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return nullptr;
  std::vector<std::string> argv_s{exe};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.insert(argv_s.end(), {"__zygote", "--parent-pid", std::to_string(::getpid())});
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env();
  // The zygote binds every symbol at start, so that the workers it forks
  // inherit the resolved tables instead of each resolving them lazily again
  // (_dl_fixup was the top of a forked worker's profile). It takes the
  // variable out of its environment before forking, unless the user set it.
  bool bind_now_set = false;
  for (const auto& e : env_copy) bind_now_set = bind_now_set || e.starts_with("LD_BIND_NOW=");
  if (!bind_now_set) env_copy.insert(env_copy.end(), {"LD_BIND_NOW=1", "STRAIN_ZYGOTE_BIND_NOW=1"});
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);
  posix_spawnattr_t attr;
  init_worker_spawnattr(attr);
  become_subreaper();  // before any worker: they must come back to this process
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    return nullptr;
  }
  zygote.reset(new Zygote());
  zygote->pid_ = pid;
  zygote->sock_ = sv[0];
  spare_from_leftovers(pid);
  return zygote.get();
}

pid_t Zygote::spawn(const std::string& plan_json, int out, int results, int live,
                    std::string& why) {
  const int fds[kFds] = {out, results, live};
  pid_t pid = -1;
  if (plan_json.size() < kMaxPlan && send_request(sock_, plan_json, fds) &&
      read_message(true, Message::spawned, pid) && pid > 0)
    return pid;
  why = "the worker zygote (pid " + std::to_string(pid_) + ") did not start a worker";
  stop();
  return -1;
}

bool Zygote::read_message(bool block, int kind_wanted, pid_t& spawned) {
  for (;;) {
    if (sock_ < 0) return false;
    Message m;
    ssize_t n;
    while ((n = ::recv(sock_, &m, sizeof m, block ? 0 : MSG_DONTWAIT)) < 0 && errno == EINTR) {
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    if (n != static_cast<ssize_t>(sizeof m)) {
      stop();  // the zygote is gone, or said something it never says
      return false;
    }
    if (m.kind == Message::exited) exits_[m.pid] = m.status;
    if (m.kind == kind_wanted) {
      spawned = m.pid;
      return true;
    }
  }
}

bool Zygote::exited(pid_t worker, int& status, bool block, bool& lost) {
  for (;;) {
    if (const auto it = exits_.find(worker); it != exits_.end()) {
      status = it->second;
      exits_.erase(it);
      return true;
    }
    if (sock_ < 0) {
      // The zygote died, and its workers with it (parent-death signal).
      ::kill(worker, SIGKILL);
      status = SIGKILL;  // a wait status: killed by SIGKILL
      lost = true;
      return true;
    }
    pid_t ignored;
    if (!read_message(block, Message::exited, ignored) && sock_ >= 0) return false;
  }
}

void Zygote::stop() {
  if (sock_ >= 0) ::close(sock_);  // the zygote reads the end and exits
  sock_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  spare_from_leftovers(-1);
  pid_ = -1;
}

Zygote::~Zygote() { stop(); }

int serve_zygote(int sock, pid_t host, const std::function<int(const std::string&)>& run_worker) {
  // It ends with the host, as a worker does.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != host) return -1;
  if (std::getenv("STRAIN_ZYGOTE_BIND_NOW") != nullptr) {
    ::unsetenv("LD_BIND_NOW");
    ::unsetenv("STRAIN_ZYGOTE_BIND_NOW");
  }
  // Its workers' exits, read from a descriptor: SIGCHLD blocked, so it
  // wakes poll() and never interrupts a call.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &chld, nullptr);
  const int exits = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (exits < 0) return -1;
  std::string plan;
  for (;;) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {exits, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (::read(exits, &info, sizeof info) > 0) {
      }
      int status = 0;
      for (pid_t p; (p = ::waitpid(-1, &status, WNOHANG)) > 0;)
        if (!send_message(sock, {Message::exited, p, status})) return -1;
    }
    if (fds[0].revents == 0) continue;
    int worker_fds[kFds];
    if (!receive_request(sock, plan, worker_fds)) return -1;
    const pid_t w = ::fork();
    const int fork_errno = errno;
    if (w == 0) {
      ::close(sock);
      ::close(exits);
      if (!become_worker(worker_fds)) ::_exit(127);
      return run_worker(plan);
    }
    // Its own process group before the host knows it, so the host's kill
    // of the group can never miss it.
    if (w > 0) ::setpgid(w, w);
    for (const int fd : worker_fds) ::close(fd);
    if (!send_message(sock, {Message::spawned, w > 0 ? w : -fork_errno, 0})) return -1;
  }
}

}  // namespace strain::exec
