// The chapter's "Thread Pooling with concurrent.futures": fetch_url(url)
// GETs a page and returns its text; a ThreadPoolExecutor(max_workers=5) gets
// one submit() per URL, and as_completed() hands each future to the main
// thread as it finishes, which prints the page's size or the exception.
// Here the pool is a boost::asio::thread_pool, the URLs are pages of the
// case's loopback site, and requests.get is a Beast GET.
//
// Variants:
//  seed                  the chapter as written. fetch_url returns the body
//                        whatever the status (requests does not raise for
//                        a 500), so an injected server error is reported as
//                        the page, with the error page's size.
//  fixed                 fetch_url raises for a status other than 200 (as
//                        response.raise_for_status() would): a failed fetch
//                        is delivered as an error, never as data.
//  bug_results_unlocked  the workers store their results into a shared
//                        results table themselves, without a lock (the
//                        catalogue's "results map without lock"): two stores
//                        at once take the same slot and a result is lost.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <thread>
#include <vector>

#include "deliveries.hpp"
#include "http.hpp"

namespace {

constexpr std::uint32_t kMaxUrls = 256;

// concurrent.futures.as_completed: the indices of finished futures, in the
// order they finished.
class Completions {
 public:
  void push(std::size_t k) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(k);
    }
    cv_.notify_one();
  }
  std::size_t pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !done_.empty(); });
    const std::size_t k = done_.front();
    done_.pop_front();
    return k;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::size_t> done_;
};

class PoolFetch {
 public:
  static void declare(strain::Declare<PoolFetch>& d) {
    d.doc(
         "Chapter 'Thread Pooling with concurrent.futures': a thread pool fetches pages, "
         "results as completed")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_results_unlocked"})
        .param("urls", 5, "how many pages to fetch (the chapter's five sites), at most 256")
        .param("max_workers", 5, "threads of the pool (ThreadPoolExecutor(max_workers=5))")
        .param("timeout_ms", 5000, "a fetch's deadline, in milliseconds")
        .param("store_pause_us", 200,
               "bug_results_unlocked: microseconds between reading the table's count and "
               "publishing it")
        .role("main", &PoolFetch::main, "submits a fetch per URL and collects them as completed")
        .metric("delivered", "results and errors handed to the main thread, over all URLs")
        .metric("once", "URLs whose result or error was delivered exactly once")
        .metric("results", "URLs delivered as data")
        .metric("errors", "URLs delivered as an exception")
        .metric("size_mismatches", "data whose size differs from the server's page")
        .metric("bytes", "sum of the sizes delivered as data");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed" ? Variant::seed : v == "fixed" ? Variant::fixed : Variant::bug_unlocked;
    const std::int64_t n = ctx.int_param("urls");
    const strain::Site site = ctx.site();
    if (n < 1 || n > kMaxUrls || n > site.pages())
      throw std::invalid_argument("urls must be in [1, min(256, the site's pages)]");
    urls_.clear();
    for (std::uint32_t k = 0; k < n; ++k) urls_.emplace_back(site.page_url(k));
    deliveries_.reset(urls_.size());
    table_count_ = 0;
  }

  void main(strain::Context& ctx) {
    const auto timeout = std::chrono::milliseconds(ctx.int_param("timeout_ms"));
    const bool raise_for_status = variant_ != Variant::seed;
    // fetch_url(url): the page's text; raises when the fetch fails.
    auto fetch_url = [timeout, raise_for_status](const std::string& url) {
      strain_plugins::HttpResult r = strain_plugins::get(url, timeout);
      if (r.failed()) throw std::runtime_error(r.error);
      if (raise_for_status && r.status != 200)
        throw std::runtime_error("HTTP " + std::to_string(r.status));
      return std::move(r.body);
    };
    boost::asio::thread_pool pool(static_cast<std::size_t>(ctx.int_param("max_workers")));
    if (variant_ == Variant::bug_unlocked) {
      const auto store_pause = std::chrono::microseconds(ctx.int_param("store_pause_us"));
      for (std::size_t k = 0; k < urls_.size(); ++k)
        boost::asio::post(pool, [this, k, &fetch_url, store_pause] {
          std::int64_t size = -1;
          try {
            size = static_cast<std::int64_t>(fetch_url(urls_[k]).size());
          } catch (const std::exception&) {
          }
          // results[url] = size, on a table without a lock: read the count,
          // fill the slot, publish the count. The pause stands for the work
          // a real store does in between (hashing, allocating); it is where
          // another worker finishing at about the same time gets in, so the
          // lost result shows within a few trials rather than one in many.
          const std::uint32_t slot = table_count_;
          std::this_thread::sleep_for(store_pause);
          table_[slot] = {static_cast<std::uint32_t>(k), size};
          table_count_ = slot + 1;
        });
      pool.join();
      for (std::uint32_t s = 0; s < table_count_; ++s) deliver(table_[s].url, table_[s].size);
      return;
    }
    // future_to_url = {executor.submit(fetch_url, url): url for url in urls}
    Completions completions;
    std::vector<std::future<std::string>> futures;
    for (std::size_t k = 0; k < urls_.size(); ++k) {
      std::packaged_task<std::string()> task(
          [&fetch_url, url = urls_[k]] { return fetch_url(url); });
      futures.push_back(task.get_future());
      boost::asio::post(pool, [task = std::move(task), k, &completions]() mutable {
        task();
        completions.push(k);
      });
    }
    // for future in as_completed(future_to_url): data = future.result() ...
    for (std::size_t n = 0; n < urls_.size(); ++n) {
      const std::size_t k = completions.pop();
      try {
        deliver(k, static_cast<std::int64_t>(futures[k].get().size()));
      } catch (const std::exception&) {
        deliver(k, -1);  // print(f"{url} generated an exception: {e}")
      }
    }
    pool.join();
  }

  void check(strain::Context& ctx) { deliveries_.record(ctx, urls_); }

 private:
  enum class Variant { seed, fixed, bug_unlocked };
  struct Entry {
    std::uint32_t url;
    std::int64_t size;
  };

  // Only the main thread delivers (after the pool joined, for the bug).
  void deliver(std::size_t k, std::int64_t size) { deliveries_.deliver(k, size); }

  Variant variant_ = Variant::fixed;
  std::vector<std::string> urls_;
  strain_plugins::Deliveries deliveries_;
  Entry table_[kMaxUrls] = {};
  std::uint32_t table_count_ = 0;  // deliberately plain: bug_results_unlocked races on it
};

}  // namespace

STRAIN_SCENARIO(PoolFetch, pool_fetch);
