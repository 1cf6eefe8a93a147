#include "loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

namespace strain_plugins {

namespace asio = boost::asio;

void run_loop(const std::function<asio::awaitable<void>()>& main, int threads) {
  asio::io_context ioc(threads);
  std::exception_ptr failure;
  asio::co_spawn(ioc, main(), [&failure](std::exception_ptr e) { failure = e; });
  std::vector<std::thread> extra;
  for (int k = 1; k < threads; ++k) extra.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : extra) t.join();
  if (failure) std::rethrow_exception(failure);
}

asio::awaitable<void> async_sleep(std::chrono::nanoseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace strain_plugins
