#pragma once
// What the sync primitive tests share: objects in a MAP_SHARED mapping that
// forked children see at the same address, forking and reaping children that
// cannot return into gtest, and a watchdog fixture.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "strain/sync.hpp"

namespace sync_test {

using namespace std::chrono_literals;

// A T constructed in an anonymous MAP_SHARED mapping, so the children forked
// after construction share it with the parent at the same address.
template <class T>
class Shared {
 public:
  template <class... Args>
  explicit Shared(Args&&... args) {
    void* p = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    obj_ = ::new (p) T(std::forward<Args>(args)...);
  }
  ~Shared() {
    obj_->~T();
    munmap(obj_, sizeof(T));
  }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  T& operator*() const { return *obj_; }
  T* operator->() const { return obj_; }

 private:
  T* obj_ = nullptr;
};

// Forks a child that runs `body` (returning 0 on success) and _exits with its
// result, so it never returns into gtest. alarm() ends a child stuck on a bug.
template <class F>
pid_t spawn(F body) {
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    alarm(20);
    int rc = 0;
    try {
      rc = body();
    } catch (...) {
      rc = 99;
    }
    _exit(rc);
  }
  return pid;
}

// Waits for `pids` until a deadline, then kills the rest. Returns each
// child's exit code, or 128 + signal for one that was killed.
inline std::vector<int> reap(const std::vector<pid_t>& pids) {
  std::vector<int> codes(pids.size(), -1);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::size_t left = pids.size();
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    for (std::size_t k = 0; k < pids.size(); ++k) {
      if (codes[k] != -1) continue;
      int status = 0;
      if (waitpid(pids[k], &status, WNOHANG) != pids[k]) continue;
      codes[k] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      --left;
    }
    if (left > 0) std::this_thread::sleep_for(1ms);
  }
  for (std::size_t k = 0; k < pids.size(); ++k) {
    if (codes[k] != -1) continue;
    kill(pids[k], SIGKILL);
    waitpid(pids[k], nullptr, 0);
    codes[k] = 128 + SIGKILL;
  }
  return codes;
}

inline void expect_all_ok(const std::vector<int>& codes) {
  for (std::size_t k = 0; k < codes.size(); ++k) EXPECT_EQ(codes[k], 0) << "child " << k;
}

// A watchdog for the parent too: a blocking call that never returns kills the
// test binary with SIGALRM, so a bug fails the run instead of hanging it.
class Sync : public ::testing::Test {
 protected:
  void SetUp() override { alarm(60); }
  void TearDown() override { alarm(0); }
};

}  // namespace sync_test
