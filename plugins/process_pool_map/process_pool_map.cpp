// The chapter's "Basic Multiprocessing" example: cpu_intensive_task(number)
// sums i * i for i in range(number); the main block computes it for each of
// [10000000, 20000000, 30000000, 40000000] with a list comprehension, then
// with multiprocessing.Pool(processes=4).map, and prints both times and the
// speedup. The role `main` is that block; the numbers are `base` times 1, 2,
// ..., `count`, so the spec chooses how long a trial takes.
//
// Variants:
//  seed                   the chapter's code as written. It is correct; what
//                         it measures (sequential_s, parallel_s, speedup) is
//                         shown in the report, pool start-up included, as the
//                         chapter times it.
//  fixed                  the same; kept so every plugin has seed/fixed/bug
//                         variants.
//  bug_overlapping_slots  the parallel step has each task store its result in
//                         a shared results array (multiprocessing.Array)
//                         instead of returning it, at byte offset k * 8, the
//                         size of a 64-bit result, while a result is 128 bits
//                         wide: neighbouring slots overlap, and each
//                         overlapped word holds whichever task wrote last.
//
// Python's integers do not overflow; the sums of the chapter's numbers reach
// 2.1e22, past 64 bits, so sums are 128-bit here.

#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

__extension__ using u128 = unsigned __int128;  // a GCC/Clang extension; -Wpedantic knows it so

constexpr std::int64_t kMaxCount = 64;

// cpu_intensive_task(number): the chapter's loop, kept a loop.
u128 cpu_intensive_task(std::int64_t number) {
  u128 result = 0;
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(number); ++i) {
    // An empty asm the optimiser cannot see through: without it clang
    // replaces the loop by its closed form, and there is no CPU work left
    // for the pool to share out.
    asm volatile("" : "+r"(i));
    result += static_cast<u128>(i) * i;
  }
  return result;
}

// sum(i * i for i in range(n)) = (n - 1) n (2n - 1) / 6.
u128 closed_form(std::int64_t number) {
  if (number <= 0) return 0;
  const auto n = static_cast<u128>(number);
  return (n - 1) * n * (2 * n - 1) / 6;
}

// Bytes in MAP_SHARED memory, the C++ side of multiprocessing.Array: made
// before the pool forks, so its workers write where the caller reads.
class SharedBytes {
 public:
  explicit SharedBytes(std::size_t n) : n_(n) {
    void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    p_ = static_cast<unsigned char*>(p);
  }
  ~SharedBytes() { ::munmap(p_, n_); }
  SharedBytes(const SharedBytes&) = delete;
  SharedBytes& operator=(const SharedBytes&) = delete;
  unsigned char* data() const { return p_; }

 private:
  std::size_t n_;
  unsigned char* p_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

class ProcessPoolMap {
 public:
  static void declare(strain::Declare<ProcessPoolMap>& d) {
    d.doc(
         "Chapter 'Basic Multiprocessing': sums of squares sequentially and with Pool.map; "
         "results equal the closed form, in order; the speedup is measured")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_overlapping_slots"})
        .param("base", 10000000,
               "the numbers are base * 1, ..., base * count (the chapter: 10000000)")
        .param("count", 4, "how many numbers (the chapter: 4); at most 64")
        .param("processes", 4, "pool size (the chapter: Pool(processes=4))")
        .role("main", &ProcessPoolMap::main,
              "the chapter's main block: sequential, then Pool(processes).map, timed")
        .metric("numbers", "how many numbers each way computed")
        .metric("wrong_sequential", "sequential results that differ from the closed form")
        .metric("wrong_parallel",
                "Pool.map results that differ from the closed form of the number at their "
                "position (a wrong or reordered result)")
        .metric("sequential_s", "time of the list comprehension, in seconds")
        .metric("parallel_s", "time of `with Pool(...) as pool: pool.map(...)`, in seconds")
        .metric("speedup", "sequential_s / parallel_s");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    overlapping_ = v == "bug_overlapping_slots";
    base_ = ctx.int_param("base");
    count_ = ctx.int_param("count");
    processes_ = ctx.int_param("processes");
    if (count_ < 1 || count_ > kMaxCount) throw std::invalid_argument("count must be in [1, 64]");
    if (base_ < 0) throw std::invalid_argument("base must be >= 0");
    if (processes_ < 1) throw std::invalid_argument("processes must be >= 1");
  }

  void main(strain::Context&) {
    std::vector<std::int64_t> numbers;
    for (std::int64_t k = 1; k <= count_; ++k) numbers.push_back(base_ * k);

    // Sequential execution
    auto t0 = std::chrono::steady_clock::now();
    std::vector<u128> sequential;
    for (const std::int64_t n : numbers) sequential.push_back(cpu_intensive_task(n));
    sequential_s_ = seconds_since(t0);

    // Parallel execution: the pool's start and stop are inside the timing,
    // as in the chapter's `with multiprocessing.Pool(processes=4) as pool:`.
    t0 = std::chrono::steady_clock::now();
    std::vector<u128> parallel =
        overlapping_ ? map_into_shared_array(numbers) : map_with_pool(numbers);
    parallel_s_ = seconds_since(t0);

    for (std::size_t k = 0; k < numbers.size(); ++k) {
      const u128 want = closed_form(numbers[k]);
      if (sequential[k] != want) ++wrong_sequential_;
      if (parallel[k] != want) ++wrong_parallel_;
    }
  }

  void check(strain::Context& ctx) {
    ctx.metric("numbers", count_);
    ctx.metric("wrong_sequential", wrong_sequential_);
    ctx.metric("wrong_parallel", wrong_parallel_);
    // Timings only from a trial that got through both runs: a failed one
    // has no parallel time to show, and `show:` then leaves it out.
    if (parallel_s_ > 0) {
      ctx.metric("sequential_s", sequential_s_);
      ctx.metric("parallel_s", parallel_s_);
      ctx.metric("speedup", sequential_s_ / parallel_s_);
    }
  }

 private:
  std::vector<u128> map_with_pool(const std::vector<std::int64_t>& numbers) const {
    strain::ProcessPool pool(&cpu_intensive_task, {.workers = static_cast<unsigned>(processes_)});
    return pool.map(numbers);
  }

  // The bug: results go into a shared array whose slots are 8 bytes apart
  // while each result is 16 bytes. Task k's high word and task k+1's low
  // word are the same bytes, [8k + 8, 8k + 16), and hold whichever of the two
  // wrote last. Result k reads back right only if task k wrote after both
  // its neighbours, which two neighbours cannot both do: with two numbers or
  // more some result is wrong in every run, and which one depends on the
  // order the workers finished in.
  std::vector<u128> map_into_shared_array(const std::vector<std::int64_t>& numbers) const {
    constexpr std::size_t kSlot = sizeof(std::uint64_t);  // the bug: sizeof(u128) was meant
    SharedBytes results(kSlot * numbers.size() + sizeof(u128));
    struct Task {
      std::int64_t index;
      std::int64_t number;
    };
    unsigned char* out = results.data();
    strain::ProcessPool<Task, int> pool(
        [out](const Task& t) {
          const u128 r = cpu_intensive_task(t.number);
          std::memcpy(out + static_cast<std::size_t>(t.index) * kSlot, &r, sizeof r);
          return 0;
        },
        {.workers = static_cast<unsigned>(processes_)});
    std::vector<Task> tasks;
    for (std::size_t k = 0; k < numbers.size(); ++k)
      tasks.push_back({static_cast<std::int64_t>(k), numbers[k]});
    (void)pool.map(tasks);
    std::vector<u128> got(numbers.size());
    for (std::size_t k = 0; k < numbers.size(); ++k)
      std::memcpy(&got[k], out + k * kSlot, sizeof(u128));
    return got;
  }

  bool overlapping_ = false;
  std::int64_t base_ = 0, count_ = 0, processes_ = 0;
  std::int64_t wrong_sequential_ = 0, wrong_parallel_ = 0;
  double sequential_s_ = 0, parallel_s_ = 0;
};

}  // namespace

STRAIN_SCENARIO(ProcessPoolMap, process_pool_map);
