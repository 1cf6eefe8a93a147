// The chapter's "Web Scraping with asyncio": crawl(start_url, max_pages)
// takes up to five URLs at a time from a to_visit set, fetches them with
// gather, records each page's size, and (while fewer than max_pages were
// visited) calls extract_links, which fetches the page again and collects
// the links that start with the site's base URL ('/'-links made absolute).
// Here the site is the case's loopback site, pages are parsed with gumbo
// (the chapter's BeautifulSoup), and fetches are Beast coroutines.
//
// Variants:
//  seed   the chapter as written. Two flaws show on any site: every page is
//         fetched twice (once by the batch, once more by extract_links),
//         and visited can pass max_pages, because a whole batch is visited
//         before the count is checked again (1 + 5 + 5 + 5 + 5 = 21 > 20).
//         It also keeps '#fragment' links as distinct URLs, so one page can
//         be visited under several names, and it drops relative links
//         ("7.html").
//  fixed  each page is fetched once and parsed from that fetch; links are
//         resolved against the page with Boost.URL, fragments dropped, and
//         only http links to the same host and port are followed; a batch
//         never takes more than the pages left of max_pages; a fetch that
//         fails (dropped connection, 5xx) is retried up to `retries` times.

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "html_links.hpp"
#include "http.hpp"
#include "loop.hpp"

namespace {

namespace asio = boost::asio;
using Page = std::optional<std::string>;

// The URL with its fragment resolved against `base`, or nothing when it is
// not an http link to base's host and port.
std::optional<std::string> same_site(const boost::urls::url_view& base, std::string_view href) {
  const auto ref = boost::urls::parse_uri_reference(href);
  if (!ref) return std::nullopt;
  boost::urls::url out;
  if (!boost::urls::resolve(base, *ref, out)) return std::nullopt;
  out.remove_fragment();
  out.normalize();
  if (out.scheme() != "http" || out.encoded_host_and_port() != base.encoded_host_and_port())
    return std::nullopt;
  return std::string(out.buffer());
}

class Crawler {
 public:
  static void declare(strain::Declare<Crawler>& d) {
    d.doc("Chapter 'Web Scraping with asyncio': a batched async crawler over the site")
        .param("variant", "fixed", "which code runs", {"seed", "fixed"})
        .param("max_pages", 20, "crawl(start_url, max_pages=...)")
        .param("batch", 5, "URLs fetched concurrently (the chapter's five)")
        .param("retries", 5, "fixed: retries of a fetch that failed or got a 5xx")
        .param("timeout_ms", 5000, "a fetch's deadline (the chapter's timeout=10 s)")
        .role("main", &Crawler::main, "asyncio.run(crawl(start_url, max_pages))")
        .metric("pages_visited", "len(visited): URLs the crawl visited")
        .metric("pages_found", "distinct pages (URLs without fragment) fetched with a 200")
        .metric("size_mismatches", "recorded sizes that differ from the server's page");
  }

  void setup(strain::Context& ctx) {
    seed_ = ctx.str_param("variant") == "seed";
    max_pages_ = ctx.int_param("max_pages");
    batch_ = ctx.int_param("batch");
    retries_ = ctx.int_param("retries");
    timeout_ = std::chrono::milliseconds(ctx.int_param("timeout_ms"));
    if (max_pages_ < 1 || batch_ < 1 || retries_ < 0)
      throw std::invalid_argument("max_pages and batch must be >= 1, retries >= 0");
    start_url_ = std::string(ctx.site().start_url());
    results_.clear();
    visited_ = 0;
  }

  void main(strain::Context&) {
    strain_plugins::run_loop([this]() -> asio::awaitable<void> {
      if (seed_)
        co_await crawl_seed();
      else
        co_await crawl_fixed();
    });
  }

  void check(strain::Context& ctx) {
    const strain::Site site = ctx.site();
    std::set<std::string> pages;
    std::int64_t mismatches = 0;
    for (const auto& [url, size] : results_) {
      pages.insert(url.substr(0, url.find('#')));
      mismatches += size != site.body_bytes(url);
    }
    ctx.metric("pages_visited", visited_);
    ctx.metric("pages_found", static_cast<std::int64_t>(pages.size()));
    ctx.metric("size_mismatches", mismatches);
  }

 private:
  // async def fetch_page(session, url): the text of a 200, else None.
  asio::awaitable<void> fetch_page(std::string url, Page& out) {
    const int attempts = seed_ ? 1 : static_cast<int>(retries_) + 1;
    for (int a = 0; a < attempts; ++a) {
      strain_plugins::HttpResult r = co_await strain_plugins::async_get(url, timeout_);
      if (!r.failed() && r.status == 200) {
        out = std::move(r.body);
        co_return;
      }
      if (!r.failed() && r.status < 500) break;  // a 404 will not change
    }
    out.reset();
  }

  asio::awaitable<std::vector<Page>> fetch_all(const std::vector<std::string>& urls) {
    std::vector<Page> pages(urls.size());
    std::vector<asio::awaitable<void>> tasks;
    for (std::size_t k = 0; k < urls.size(); ++k) tasks.push_back(fetch_page(urls[k], pages[k]));
    co_await strain_plugins::gather(std::move(tasks));
    co_return pages;
  }

  // async def extract_links(session, url, base_url): fetches the page
  // (again) and keeps the links that start with base_url.
  asio::awaitable<std::vector<std::string>> extract_links(const std::string& url,
                                                          const std::string& base_url) {
    Page html;
    co_await fetch_page(url, html);
    std::vector<std::string> links;
    if (!html) co_return links;
    for (std::string href : crawler::html_links(*html)) {
      if (href.starts_with("/")) href = base_url + href;
      if (href.starts_with(base_url)) links.push_back(std::move(href));
    }
    co_return links;
  }

  asio::awaitable<void> crawl_seed() {
    // base_url = '/'.join(start_url.split('/')[:3])
    std::string base_url = start_url_;
    std::size_t slashes = 0, cut = base_url.size();
    for (std::size_t k = 0; k < base_url.size(); ++k)
      if (base_url[k] == '/' && ++slashes == 3) {
        cut = k;
        break;
      }
    base_url.resize(cut);
    // Python's sets iterate in an arbitrary order; sorted sets are one such
    // order that does not depend on the server's port (every URL here
    // starts with the same base), so a run and its replay take the same
    // batches.
    std::set<std::string> visited, to_visit{start_url_};
    while (!to_visit.empty() && static_cast<std::int64_t>(visited.size()) < max_pages_) {
      // current_batch = list(to_visit)[:5]; to_visit = to_visit - set(current_batch)
      std::vector<std::string> current;
      for (auto it = to_visit.begin();
           it != to_visit.end() && static_cast<std::int64_t>(current.size()) < batch_; ++it)
        current.push_back(*it);
      for (const auto& u : current) to_visit.erase(u);
      const std::vector<Page> pages = co_await fetch_all(current);
      for (std::size_t k = 0; k < current.size(); ++k) {
        visited.insert(current[k]);
        if (!pages[k]) continue;
        results_[current[k]] = static_cast<std::int64_t>(pages[k]->size());
        if (static_cast<std::int64_t>(visited.size()) < max_pages_) {
          std::vector<std::string> links = co_await extract_links(current[k], base_url);
          for (auto& link : links)
            if (!visited.count(link)) to_visit.insert(std::move(link));
        }
      }
    }
    visited_ = static_cast<std::int64_t>(visited.size());
  }

  asio::awaitable<void> crawl_fixed() {
    std::unordered_set<std::string> seen{start_url_};
    std::deque<std::string> queue{start_url_};
    while (!queue.empty() && visited_ < max_pages_) {
      const auto n = static_cast<std::size_t>(std::min<std::int64_t>(
          {batch_, max_pages_ - visited_, static_cast<std::int64_t>(queue.size())}));
      std::vector<std::string> current(queue.begin(), queue.begin() + static_cast<long>(n));
      queue.erase(queue.begin(), queue.begin() + static_cast<long>(n));
      visited_ += static_cast<std::int64_t>(n);
      const std::vector<Page> pages = co_await fetch_all(current);
      for (std::size_t k = 0; k < n; ++k) {
        if (!pages[k]) continue;
        results_[current[k]] = static_cast<std::int64_t>(pages[k]->size());
        const boost::urls::url base = boost::urls::parse_uri(current[k]).value();
        for (const std::string& href : crawler::html_links(*pages[k]))
          if (auto url = same_site(base, href))
            if (seen.insert(*url).second) queue.push_back(std::move(*url));
      }
    }
  }

  bool seed_ = false;
  std::int64_t max_pages_ = 20, batch_ = 5, retries_ = 5, visited_ = 0;
  std::chrono::milliseconds timeout_{5000};
  std::string start_url_;
  std::map<std::string, std::int64_t> results_;
};

}  // namespace

STRAIN_SCENARIO(Crawler, crawler);
