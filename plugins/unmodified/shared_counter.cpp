// The chapter's shared counter (Shared Memory) as ordinary C++: threads
// started with std::thread add to one counter. `fixed` locks a std::mutex;
// `bug_no_lock` increments a plain int (a data race: under INSTRUMENT both
// the read and the write are schedule points, so an update can be lost);
// `bug_split_atomic` loads and stores a std::atomic in two steps.

#include <strain/plugin.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

STRAIN_TEST(std_shared_counter, "fixed", "bug_no_lock", "bug_split_atomic") {
  const std::string variant(ctx.str_param("variant"));
  constexpr int kThreads = 2, kIncrements = 3;
  std::mutex m;
  int counter = 0;
  std::atomic<int> atomic_counter{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        if (variant == "fixed") {
          std::lock_guard<std::mutex> guard(m);
          ++counter;
        } else if (variant == "bug_no_lock") {
          ++counter;
        } else {
          atomic_counter.store(atomic_counter.load() + 1);
        }
      }
    });
  for (auto& w : workers) w.join();
  const int total = variant == "bug_split_atomic" ? atomic_counter.load() : counter;
  strain::expect(total == kThreads * kIncrements,
                 "lost updates: counter " + std::to_string(total) + ", expected " +
                     std::to_string(kThreads * kIncrements));
}
