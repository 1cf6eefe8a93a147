#include "http.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <exception>

namespace strain_plugins {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Target {
  std::uint16_t port = 80;
  std::string host_header;
  std::string target;
};

// Parses and checks `url`; on failure fills `error`.
bool parse(std::string_view url, Target& t, std::string& error) {
  const auto u = boost::urls::parse_uri(url);
  if (!u) {
    error = "bad URL '" + std::string(url) + "': " + u.error().message();
    return false;
  }
  if (u->scheme() != "http") {
    error = "not an http URL: " + std::string(url);
    return false;
  }
  const std::string host = u->host();
  if (host != "127.0.0.1" && host != "localhost") {
    error = "refusing to fetch '" + std::string(url) + "': its host is not this machine";
    return false;
  }
  if (u->has_port()) {
    const auto p = u->port_number();
    if (p == 0) {
      error = "bad port in '" + std::string(url) + "'";
      return false;
    }
    t.port = p;
  }
  t.host_header = host + (u->has_port() ? ":" + std::string(u->port()) : "");
  t.target = u->encoded_target().empty() ? "/" : std::string(u->encoded_target());
  if (t.target.front() != '/') t.target.insert(0, 1, '/');
  return true;
}

}  // namespace

bool is_local_http(std::string_view url) {
  Target t;
  std::string error;
  return parse(url, t, error);
}

asio::awaitable<HttpResult> async_get(std::string url, std::chrono::milliseconds timeout) {
  HttpResult r;
  Target t;
  if (!parse(url, t, r.error)) co_return r;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  // One deadline for the whole exchange, as a client's total timeout.
  stream.expires_after(timeout);
  const asio::ip::tcp::endpoint at(asio::ip::make_address_v4("127.0.0.1"), t.port);
  if (auto [ec] = co_await stream.async_connect(at, kTuple); ec) {
    r.error = "connect: " + ec.message();
    co_return r;
  }
  http::request<http::empty_body> req{http::verb::get, t.target, 11};
  req.set(http::field::host, t.host_header);
  req.set(http::field::user_agent, "strain-plugin");
  req.keep_alive(false);
  if (auto [ec, n] = co_await http::async_write(stream, req, kTuple); ec) {
    r.error = "send: " + ec.message();
    co_return r;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (auto [ec, n] = co_await http::async_read(stream, buffer, res, kTuple); ec) {
    r.error = "receive: " + ec.message();
    co_return r;
  }
  r.status = static_cast<int>(res.result_int());
  r.body = std::move(res.body());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return r;
}

HttpResult get(std::string_view url, std::chrono::milliseconds timeout) {
  asio::io_context ioc(1);
  HttpResult out;
  std::exception_ptr failure;
  asio::co_spawn(ioc, async_get(std::string(url), timeout),
                 [&](std::exception_ptr e, HttpResult r) {
                   failure = e;
                   out = std::move(r);
                 });
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace strain_plugins
