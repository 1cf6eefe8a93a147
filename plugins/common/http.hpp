#pragma once
// HTTP GET for the I/O scenarios, on Boost.Beast: a C++20 coroutine for the
// async ports and a blocking call for the thread-pool ones, the chapter's
// aiohttp and requests. Compiled once into a static library, so Beast's
// templates are not compiled again in every plugin.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>

namespace strain_plugins {

//! What a GET returned: the status and body, or why there is none.
struct HttpResult {
  int status = 0;     // 0 when no response was read
  std::string body;   // the response body (whatever the status)
  std::string error;  // empty unless the request failed (refused, reset, timeout, bad URL)
  bool failed() const { return !error.empty(); }
};

//! True when `url` is an http URL whose host is 127.0.0.1 or localhost.
//! Nothing else is ever fetched: a scenario filters by host before it asks,
//! and the client refuses the rest without a name lookup.
bool is_local_http(std::string_view url);

//! GETs `url` (HTTP/1.1, one connection, Connection: close) within
//! `timeout`, on the calling coroutine's executor.
boost::asio::awaitable<HttpResult> async_get(std::string url, std::chrono::milliseconds timeout);

//! The same, blocking the calling thread (its own io_context).
HttpResult get(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace strain_plugins
