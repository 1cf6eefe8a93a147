// The bodies of steer_bench's plain-access benchmarks. Compiled twice (see
// tests/bench/CMakeLists.txt): as is, and with the ThreadSanitizer pass
// under other names. Not inlined into the loop, so that both variants pay
// the same call.
#ifndef STEER_BENCH_SUFFIX
#define STEER_BENCH_SUFFIX native
#endif
#define STEER_CAT2(a, b) a##b
#define STEER_CAT(a, b) STEER_CAT2(a, b)

// Eight plain writes: the instrumented variant calls __tsan_write4 before
// each, and __tsan_func_entry/exit once, so the per-write cost is mostly
// the access's own.
__attribute__((noinline)) void STEER_CAT(steer_bench_writes_, STEER_BENCH_SUFFIX)(int* p, int v) {
  p[0] = v;
  p[1] = v;
  p[2] = v;
  p[3] = v;
  p[4] = v;
  p[5] = v;
  p[6] = v;
  p[7] = v;
}

// An empty function: the instrumented variant's cost is its entry and exit.
__attribute__((noinline)) int STEER_CAT(steer_bench_call_, STEER_BENCH_SUFFIX)(int v) {
  return v + 1;
}
