// What steering unmodified code costs outside a steered trial, against the
// native operation, in one run (issue: the interposed entry points and the
// instrumented accesses must cost a branch there):
//  - an uncontended std::mutex lock + unlock, which in this executable goes
//    through the exported pthread_mutex_lock/unlock (intercept/), against
//    the C library's own functions called directly;
//  - a plain int write in code compiled with the ThreadSanitizer pass
//    (steer_bench_instrumented.cpp, -fsanitize=thread at compile time
//    only), which calls __tsan_func_entry/__tsan_write4/__tsan_func_exit
//    (instrument/), against the same function compiled without it;
//  - a poll of an eventfd with no timeout, which goes through the exported
//    poll (intercept/exports_io.cpp), against the C library's poll.
//
//   build/default/tests/bench/steer_bench

#include <benchmark/benchmark.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <mutex>

#include "intercept/real.hpp"

// The same bodies in two translation units: one instrumented, one not.
void steer_bench_writes_native(int* p, int v);
void steer_bench_writes_instrumented(int* p, int v);
int steer_bench_call_native(int v);
int steer_bench_call_instrumented(int v);

namespace {

void BM_MutexNative(benchmark::State& state) {
  std::mutex m;
  const auto& real = strain::intercept::real();
  for (auto _ : state) {
    real.mutex_lock(m.native_handle());
    real.mutex_unlock(m.native_handle());
  }
}
BENCHMARK(BM_MutexNative);

void BM_MutexInterposed(benchmark::State& state) {
  std::mutex m;
  for (auto _ : state) {
    m.lock();
    m.unlock();
  }
}
BENCHMARK(BM_MutexInterposed);

// Per plain write (eight per call).
void BM_WriteNative(benchmark::State& state) {
  int x[8] = {};
  int v = 0;
  for (auto _ : state) steer_bench_writes_native(x, ++v);
  benchmark::DoNotOptimize(x);
  state.SetItemsProcessed(8 * state.iterations());
}
BENCHMARK(BM_WriteNative);

void BM_WriteInstrumented(benchmark::State& state) {
  int x[8] = {};
  int v = 0;
  for (auto _ : state) steer_bench_writes_instrumented(x, ++v);
  benchmark::DoNotOptimize(x);
  state.SetItemsProcessed(8 * state.iterations());
}
BENCHMARK(BM_WriteInstrumented);

// A call of an empty function: the instrumented one adds the shadow stack's
// entry and exit.
void BM_CallNative(benchmark::State& state) {
  int v = 0;
  for (auto _ : state) benchmark::DoNotOptimize(v = steer_bench_call_native(v));
}
BENCHMARK(BM_CallNative);

void BM_CallInstrumented(benchmark::State& state) {
  int v = 0;
  for (auto _ : state) benchmark::DoNotOptimize(v = steer_bench_call_instrumented(v));
}
BENCHMARK(BM_CallInstrumented);

// A poll that returns at once (nothing to read, no timeout): a system call,
// the cheapest of the I/O calls the host exports.
void poll_bench(benchmark::State& state, bool interposed) {
  const int fd = ::eventfd(0, EFD_NONBLOCK);
  const auto& real = strain::intercept::real();
  for (auto _ : state) {
    pollfd p{fd, POLLIN, 0};
    benchmark::DoNotOptimize(interposed ? ::poll(&p, 1, 0) : real.poll(&p, 1, 0));
  }
  ::close(fd);
}
void BM_PollNative(benchmark::State& state) { poll_bench(state, false); }
BENCHMARK(BM_PollNative);
void BM_PollInterposed(benchmark::State& state) { poll_bench(state, true); }
BENCHMARK(BM_PollInterposed);

}  // namespace

BENCHMARK_MAIN();
