#pragma once
// The asyncio pieces the async scenarios share: an event loop that runs a
// main coroutine to its end (asyncio.run), gather over any number of
// coroutines (asyncio.gather), and a non-blocking sleep (asyncio.sleep).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <vector>

namespace strain_plugins {

//! asyncio.run(main()): runs the coroutine `main` makes on a fresh
//! io_context served by `threads` threads (the caller's among them) until
//! no work is left, then rethrows what it threw.
void run_loop(const std::function<boost::asio::awaitable<void>()>& main, int threads = 1);

//! asyncio.sleep(seconds): a timer wait on the coroutine's executor.
boost::asio::awaitable<void> async_sleep(std::chrono::nanoseconds d);

//! What gather() saw: each task's exception (null if it ended normally) and
//! the order the tasks ended in, by index.
struct Gathered {
  std::vector<std::size_t> completion_order;
  std::vector<std::exception_ptr> errors;
  std::exception_ptr first_error() const {
    for (std::size_t k : completion_order)
      if (errors[k]) return errors[k];
    return nullptr;
  }
};

//! Runs every task concurrently on the caller's executor and waits for all
//! of them, like asyncio.gather(*tasks, return_exceptions=True): one that
//! fails does not cancel the others.
inline boost::asio::awaitable<Gathered> gather(std::vector<boost::asio::awaitable<void>> tasks) {
  namespace asio = boost::asio;
  Gathered out;
  if (tasks.empty()) co_return out;
  const auto ex = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(ex, std::move(tasks.front()), asio::deferred));
  std::vector<Op> ops;
  ops.reserve(tasks.size());
  for (auto& t : tasks) ops.push_back(asio::co_spawn(ex, std::move(t), asio::deferred));
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  out.completion_order = std::move(order);
  out.errors = std::move(errors);
  co_return out;
}

}  // namespace strain_plugins
