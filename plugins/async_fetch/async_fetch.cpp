// The chapter's "Asynchronous Web Requests": fetch(session, url) GETs a URL
// with aiohttp and returns its text; main() gathers a fetch per URL, prints
// each size and the total time, which is about the slowest fetch, not the
// sum. Here the session is Beast on the io_context, the URLs are pages of
// the case's loopback site, and gather is a parallel group.
//
// Variants:
//  seed            the chapter as written: the body is used whatever the
//                  status, and gather has no return_exceptions, so one
//                  failed fetch (a dropped connection) makes main() raise
//                  and no size is printed at all; an injected 500 is
//                  printed as the page with the error page's size.
//  fixed           a fetch that fails or gets a status other than 200 is
//                  reported as that URL's error (gather with
//                  return_exceptions=True, raise_for_status()); the others
//                  still print.
//  bug_sequential  `for url in urls: await fetch(session, url)`: correct
//                  results, but the total is the sum of the fetches.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <vector>

#include "deliveries.hpp"
#include "http.hpp"
#include "loop.hpp"

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

class AsyncFetch {
 public:
  static void declare(strain::Declare<AsyncFetch>& d) {
    d.doc("Chapter 'Asynchronous Web Requests': coroutines fetch pages concurrently")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_sequential"})
        .param("urls", 5, "how many pages to fetch (the chapter's five sites), 1 to 256")
        .param("timeout_ms", 5000, "a fetch's deadline, in milliseconds")
        .role("main", &AsyncFetch::main, "asyncio.run(main()): gathers a fetch per URL")
        .metric("delivered", "sizes or errors reported, over all URLs")
        .metric("once", "URLs reported exactly once")
        .metric("results", "URLs reported with a size")
        .metric("errors", "URLs reported as failed")
        .metric("aborted", "1 when an exception ended main() before it printed anything")
        .metric("size_mismatches", "reported sizes that differ from the server's page")
        .metric("bytes", "sum of the reported sizes")
        .metric("elapsed_s", "total time of the fetches, in seconds");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed" ? Variant::seed : v == "fixed" ? Variant::fixed : Variant::sequential;
    const std::int64_t n = ctx.int_param("urls");
    const strain::Site site = ctx.site();
    if (n < 1 || n > 256 || n > site.pages())
      throw std::invalid_argument("urls must be in [1, min(256, the site's pages)]");
    urls_.clear();
    for (std::uint32_t k = 0; k < n; ++k) urls_.emplace_back(site.page_url(k));
    deliveries_.reset(urls_.size());
    aborted_ = false;
  }

  void main(strain::Context& ctx) {
    timeout_ = std::chrono::milliseconds(ctx.int_param("timeout_ms"));
    try {
      strain_plugins::run_loop([this]() -> asio::awaitable<void> { co_await async_main(); });
    } catch (const std::exception&) {
      aborted_ = true;  // the traceback ends the program: nothing was printed
    }
  }

  void check(strain::Context& ctx) {
    deliveries_.record(ctx, urls_);
    ctx.metric("aborted", static_cast<std::int64_t>(aborted_));
    ctx.metric("elapsed_s", elapsed_s_);
  }

 private:
  enum class Variant { seed, fixed, sequential };

  // async def fetch(session, url): the page's text, or an exception.
  asio::awaitable<void> fetch(std::size_t k, std::vector<std::string>& texts) {
    strain_plugins::HttpResult r = co_await strain_plugins::async_get(urls_[k], timeout_);
    if (r.failed()) throw std::runtime_error(urls_[k] + ": " + r.error);
    if (variant_ != Variant::seed && r.status != 200)
      throw std::runtime_error(urls_[k] + ": HTTP " + std::to_string(r.status));
    texts[k] = std::move(r.body);
  }

  asio::awaitable<void> async_main() {
    const auto t0 = Clock::now();
    std::vector<std::string> texts(urls_.size());
    std::vector<std::exception_ptr> errors(urls_.size());
    if (variant_ == Variant::sequential) {
      for (std::size_t k = 0; k < urls_.size(); ++k) {
        try {
          co_await fetch(k, texts);
        } catch (...) {
          errors[k] = std::current_exception();
        }
      }
    } else {
      std::vector<asio::awaitable<void>> tasks;
      for (std::size_t k = 0; k < urls_.size(); ++k) tasks.push_back(fetch(k, texts));
      strain_plugins::Gathered g = co_await strain_plugins::gather(std::move(tasks));
      // Without return_exceptions, gather raises the first exception.
      if (variant_ == Variant::seed)
        if (auto e = g.first_error()) std::rethrow_exception(e);
      errors = std::move(g.errors);
    }
    elapsed_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
    // for url, data in zip(urls, results): print(f"{url} size: {len(data)}")
    for (std::size_t k = 0; k < urls_.size(); ++k)
      deliveries_.deliver(k, errors[k] ? -1 : static_cast<std::int64_t>(texts[k].size()));
  }

  Variant variant_ = Variant::fixed;
  std::chrono::milliseconds timeout_{5000};
  std::vector<std::string> urls_;
  strain_plugins::Deliveries deliveries_;
  bool aborted_ = false;
  double elapsed_s_ = 0;
};

}  // namespace

STRAIN_SCENARIO(AsyncFetch, async_fetch);
