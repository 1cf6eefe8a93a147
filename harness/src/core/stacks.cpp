#include "core/stacks.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <fmt/format.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/symbolizer.hpp"

namespace strain {

namespace {

constexpr int kMaxFrames = 48;
constexpr std::size_t kMaxThreads = 256;

// One slot per thread asked; the handler finds its own by pthread_self().
// Static storage: the handler may touch nothing it would have to allocate.
// Constant-initialized to zeros, so the 100 KB sit in .bss, untouched until
// asked: with `depth{-1}` the array was written by a static constructor at
// every start of strain, 25 page faults a worker (issue 12). capture_stacks()
// sets depth to -1 before it signals.
struct Slot {
  pthread_t thread{};
  std::array<void*, kMaxFrames> frames{};
  std::atomic<int> depth{0};
};
constinit std::array<Slot, kMaxThreads> g_slots{};
std::atomic<std::size_t> g_count{0};

// The C library's pthread_self: the host exports its own, which gives a
// role run as a fiber a stand-in (intercept/exports.cpp), and the signalled
// thread may be running one. Found before the first signal (dlsym is not
// async-signal-safe).
using SelfFn = pthread_t (*)();
std::atomic<SelfFn> g_self{nullptr};

void on_stack_signal(int) {
  const SelfFn self_fn = g_self.load(std::memory_order_acquire);
  const pthread_t self = self_fn != nullptr ? self_fn() : pthread_self();
  const std::size_t n = g_count.load(std::memory_order_acquire);
  for (std::size_t k = 0; k < n; ++k) {
    if (pthread_equal(g_slots[k].thread, self) == 0) continue;
    g_slots[k].depth.store(::backtrace(g_slots[k].frames.data(), kMaxFrames),
                           std::memory_order_release);
    return;
  }
}

bool system_library(const std::string& module) {
  return module.starts_with("/lib/") || module.starts_with("/usr/lib/") ||
         module.starts_with("/lib64/") || module.starts_with("/usr/lib64/");
}

// Symbolizes through libdw (core/symbolizer.hpp) and keeps the frames that
// say where the plugin is: the C library's frames it waits in, then the
// plugin's own, down to the first frame of strain that called it. Strain's
// frames (the thread team, the trial loop) and the thread's start in the
// C++ and C libraries are the same in every report and left out.
// `plugin_only` also leaves out strain's frames before the plugin's: the
// code that recorded the stack on the thread itself.
std::string symbolize(void* const* frames, int depth, int first, bool plugin_only) {
  std::vector<void*> pcs;
  for (int k = first; k < depth && pcs.size() < 48; ++k) pcs.push_back(frames[k]);
  const std::vector<SymbolizedFrame> all = symbolize_addresses(pcs);
  std::vector<const SymbolizedFrame*> kept;
  bool outside_host = false;
  for (const auto& f : all) {
    // Strain's role dispatch is compiled into the plugin from the public
    // header, but it is strain's frame all the same: where the plugin was
    // called, the same in every report.
    const bool dispatch = f.text.find("/strain/scenario.hpp:") != std::string::npos;
    if (f.in_host || dispatch) {
      if (outside_host) break;
      if (plugin_only) continue;
    } else {
      outside_host = true;
    }
    kept.push_back(&f);
    if (kept.size() == 24) break;
  }
  while (!kept.empty() && system_library(kept.back()->module)) kept.pop_back();
  if (kept.empty()) return "    (no frame of a plugin: the thread is in strain itself)\n";
  std::string out;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    const SymbolizedFrame& f = *kept[k];
    const std::string module = f.module.substr(f.module.rfind('/') + 1);
    out += fmt::format("    #{} {} ({}+0x{:x})\n", k, f.text.empty() ? "??" : f.text, module,
                       f.offset);
    for (const auto& caller : f.inlined_in) out += "       inlined in " + caller + "\n";
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
  if (g_self.load(std::memory_order_relaxed) == nullptr)
    g_self.store(reinterpret_cast<SelfFn>(::dlsym(RTLD_NEXT, "pthread_self")),
                 std::memory_order_release);
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

}  // namespace strain
