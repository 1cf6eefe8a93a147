#include "exec/sanitizer_hook.hpp"

#include <atomic>
#include <cstring>

namespace strain::exec {

namespace {
std::atomic<std::uint64_t> g_reports{0};
std::atomic<const char*> g_kind{""};
}  // namespace

std::uint64_t sanitizer_report_count() noexcept {
  return g_reports.load(std::memory_order_acquire);
}

model::Outcome last_sanitizer_outcome() noexcept {
  const char* kind = g_kind.load(std::memory_order_acquire);
  return std::strcmp(kind, "lock-order-inversion") == 0 ? model::Outcome::deadlock
                                                        : model::Outcome::race;
}

const char* last_sanitizer_kind() noexcept { return g_kind.load(std::memory_order_acquire); }

}  // namespace strain::exec

// This file is built without TSan instrumentation (see harness/CMakeLists.txt),
// so the compiler's own TSan macros are off here: the build says instead.
#if defined(__SANITIZE_THREAD__)
#error "sanitizer_hook.cpp must be built with -fno-sanitize=thread"
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#error "sanitizer_hook.cpp must be built with -fno-sanitize=thread"
#endif
#endif

#if defined(STRAIN_BUILD_TSAN)
extern "C" {
// Part of the runtime's debugging interface (tsan_debugging.cpp); weak so a
// runtime without it still links, and then every report counts as a race.
__attribute__((weak)) int __tsan_get_report_data(void* report, const char** description, int* count,
                                                 int* stack_count, int* mop_count, int* loc_count,
                                                 int* mutex_count, int* thread_count,
                                                 int* unique_tid_count, void** sleep_trace,
                                                 unsigned long trace_size);

// Called by the runtime for every report it prints, in the reporting thread,
// while the runtime holds its report locks: nothing here may be instrumented
// (no TSan events), take a lock or allocate.
__attribute__((visibility("default"))) void __tsan_on_report(void* report) {
  const char* description = "data-race";
  if (__tsan_get_report_data != nullptr) {
    int count = 0, stacks = 0, mops = 0, locs = 0, mutexes = 0, threads = 0, tids = 0;
    void* sleep = nullptr;
    const char* d = nullptr;
    if (__tsan_get_report_data(report, &d, &count, &stacks, &mops, &locs, &mutexes, &threads, &tids,
                               &sleep, 0) != 0 &&
        d != nullptr)
      description = d;
  }
  strain::exec::g_kind.store(description, std::memory_order_release);
  strain::exec::g_reports.fetch_add(1, std::memory_order_acq_rel);
}
}
#endif
