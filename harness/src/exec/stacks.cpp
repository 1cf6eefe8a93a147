#include "exec/stacks.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <fmt/format.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

namespace strain::exec {

namespace {

constexpr int kMaxFrames = 48;
constexpr std::size_t kMaxThreads = 256;

// One slot per thread asked; the handler finds its own by pthread_self().
// Static storage: the handler may touch nothing it would have to allocate.
struct Slot {
  pthread_t thread;
  std::array<void*, kMaxFrames> frames;
  std::atomic<int> depth{-1};
};
std::array<Slot, kMaxThreads> g_slots;
std::atomic<std::size_t> g_count{0};

void on_stack_signal(int) {
  const pthread_t self = pthread_self();
  const std::size_t n = g_count.load(std::memory_order_acquire);
  for (std::size_t k = 0; k < n; ++k) {
    if (pthread_equal(g_slots[k].thread, self) == 0) continue;
    g_slots[k].depth.store(::backtrace(g_slots[k].frames.data(), kMaxFrames),
                           std::memory_order_release);
    return;
  }
}

// Symbolizes with binutils' addr2line, one run per module for all its
// frames: it reads the DWARF of plugins whose functions are hidden (so
// dladdr alone cannot name them) and gives file:line, with the functions
// inlined at each frame (-i; -a marks where each address's answer starts).
// Boost.Stacktrace's addr2line backend in 1.81 passes absolute addresses,
// which are wrong for position-independent libraries; we pass
// module-relative ones.
std::string symbolize(void* const* frames, int depth, int first, bool plugin_only) {
  struct Frame {
    std::string module;
    std::uintptr_t offset = 0;
    std::string text;
    std::vector<std::string> inlined_in;  // callers this frame's code was inlined into
  };
  std::vector<Frame> fs;
  Dl_info self{};
  const bool know_self =
      plugin_only && ::dladdr(reinterpret_cast<void*>(&capture_stacks), &self) != 0;
  for (int k = first; k < depth && fs.size() < 24; ++k) {
    Frame f;
    Dl_info info{};
    if (::dladdr(frames[k], &info) != 0 && info.dli_fname != nullptr) {
      f.module = info.dli_fname;
      // Return addresses point after the call; -1 lands inside it.
      f.offset = reinterpret_cast<std::uintptr_t>(frames[k]) -
                 reinterpret_cast<std::uintptr_t>(info.dli_fbase) - 1;
      if (info.dli_sname != nullptr) f.text = info.dli_sname;
      // Only the plugin's frames say where it waits: skip the host's frames
      // that recorded the stack, and stop where the host called the plugin.
      if (know_self && info.dli_fbase == self.dli_fbase) {
        if (fs.empty()) continue;
        break;
      }
    }
    fs.push_back(std::move(f));
  }
  std::map<std::string, std::vector<std::size_t>> by_module;
  for (std::size_t k = 0; k < fs.size(); ++k)
    if (!fs[k].module.empty()) by_module[fs[k].module].push_back(k);
  for (const auto& [module, idx] : by_module) {
    std::string cmd = "addr2line -C -f -i -a -e '" + module + "'";
    for (std::size_t k : idx) cmd += fmt::format(" 0x{:x}", fs[k].offset);
    cmd += " 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) continue;
    // Per address: the address line, then (function, location) pairs from
    // the innermost inlined function out to the real one.
    std::vector<std::vector<std::string>> answers;
    char line[2048];
    while (std::fgets(line, sizeof line, p) != nullptr) {
      line[std::strcspn(line, "\n")] = '\0';
      if (std::strncmp(line, "0x", 2) == 0)
        answers.emplace_back();
      else if (!answers.empty())
        answers.back().emplace_back(line);
    }
    ::pclose(p);
    for (std::size_t a = 0; a < answers.size() && a < idx.size(); ++a) {
      Frame& f = fs[idx[a]];
      const auto& lines = answers[a];
      for (std::size_t j = 0; j + 1 < lines.size(); j += 2) {
        std::string text = lines[j] == "??" ? std::string() : lines[j];
        if (lines[j + 1].rfind("??", 0) != 0) text += " " + lines[j + 1];
        if (text.empty()) continue;
        if (j == 0)
          f.text = text;
        else
          f.inlined_in.push_back(text);
      }
    }
  }
  std::string out;
  for (std::size_t k = 0; k < fs.size(); ++k) {
    const std::string module = fs[k].module.substr(fs[k].module.rfind('/') + 1);
    out += fmt::format("    #{} {} ({}+0x{:x})\n", k, fs[k].text.empty() ? "??" : fs[k].text,
                       module, fs[k].offset);
    for (const auto& caller : fs[k].inlined_in) out += "       inlined in " + caller + "\n";
  }
  return out;
}

}  // namespace

std::string symbolize_frames(void* const* frames, int depth, bool plugin_only) {
  return symbolize(frames, depth, 0, plugin_only);
}

std::vector<std::string> capture_stacks(const std::vector<pthread_t>& threads, double wait_s) {
  std::vector<std::string> out;
  const std::size_t n = std::min(threads.size(), kMaxThreads);
  // backtrace() loads libgcc on first use, which allocates: do it here,
  // outside any signal handler.
  void* warm[1];
  ::backtrace(warm, 1);
  for (std::size_t k = 0; k < n; ++k) {
    g_slots[k].thread = threads[k];
    g_slots[k].depth.store(-1);
  }
  g_count.store(n, std::memory_order_release);
  struct sigaction sa {
  }, old{};
  sa.sa_handler = &on_stack_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGURG, &sa, &old);
  for (std::size_t k = 0; k < n; ++k) ::pthread_kill(threads[k], SIGURG);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  for (std::size_t k = 0; k < n; ++k)
    while (g_slots[k].depth.load(std::memory_order_acquire) < 0 &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (std::size_t k = 0; k < n; ++k) {
    const int depth = g_slots[k].depth.load(std::memory_order_acquire);
    out.push_back(depth < 0 ? "    (the thread did not answer the stack request)\n"
                            : symbolize(g_slots[k].frames.data(), depth, 2, false));
  }
  return out;
}

}  // namespace strain::exec
