// Threads started the other ways the standard library offers: std::async
// with launch::async and std::jthread (both start a pthread, so both join
// the steered trial). Two halves of a sum are computed concurrently into a
// shared total; the bug adds without the lock (a lost update between the
// INSTRUMENT build's plain read and write of the total).

#include <strain/plugin.hpp>

#include <future>
#include <mutex>
#include <string>
#include <thread>

STRAIN_TEST(std_async_sum, "fixed", "bug_unlocked_total") {
  const bool locked = ctx.str_param("variant") == "fixed";
  std::mutex m;
  long total = 0;
  auto add = [&](long from, long to) {
    long part = 0;
    for (long k = from; k < to; ++k) part += k;
    if (locked) {
      std::lock_guard<std::mutex> guard(m);
      total += part;
    } else {
      total += part;
    }
  };
  {
    std::future<void> first = std::async(std::launch::async, add, 0, 50);
    std::jthread second(add, 50, 100);
    first.get();
  }  // the jthread joins here
  strain::expect(total == 4950, "the sum is " + std::to_string(total) + ", not 4950");
}
