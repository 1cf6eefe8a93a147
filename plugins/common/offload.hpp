#pragma once
// loop.run_in_executor for a strain::ProcessPool: awaits the pool's futures
// from a coroutine without blocking the event loop. A waiter thread per
// future blocks on it and hands the index back through a concurrent
// channel (asyncio does the same with call_soon_threadsafe), so the loop
// thread keeps running other coroutines meanwhile.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <strain/process_pool.hpp>
#include <utility>
#include <vector>

namespace strain_plugins {

//! A task's result, or the exception its future raised.
template <class R>
struct Outcome {
  R value{};
  std::exception_ptr error;
};

//! Awaits every future (asyncio.gather over run_in_executor futures):
//! results in the futures' order, each task's exception kept in its slot.
template <class R>
boost::asio::awaitable<std::vector<Outcome<R>>> await_all(std::vector<strain::Future<R>> futures) {
  namespace asio = boost::asio;
  using Done = asio::experimental::concurrent_channel<void(boost::system::error_code, std::size_t)>;
  std::vector<Outcome<R>> out(futures.size());
  if (futures.empty()) co_return out;
  Done done(co_await asio::this_coro::executor, futures.size());
  asio::thread_pool waiters(futures.size());
  for (std::size_t k = 0; k < futures.size(); ++k)
    asio::post(waiters, [k, &done, &out, f = std::move(futures[k])]() mutable {
      try {
        out[k].value = f.get();
      } catch (...) {
        out[k].error = std::current_exception();
      }
      // The channel's lock orders this thread's write of out[k] before the
      // loop's read of it.
      done.try_send(boost::system::error_code{}, k);
    });
  for (std::size_t n = 0; n < out.size(); ++n) co_await done.async_receive(asio::use_awaitable);
  // The last sender may still be inside try_send: wait for it (microseconds)
  // before the channel goes away with this frame.
  waiters.join();
  co_return out;
}

}  // namespace strain_plugins
