#pragma once
// The loopback web site a spec can ask for (`fixtures: { site: ... }`): a
// real HTTP/1.1 server on 127.0.0.1, started by the harness for the case.
// A scenario reaches it through Context::site().

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace strain {

namespace detail {

//! The host-owned facts of a running site. Plain data and function pointers
//! into the host, so no library type crosses the plugin boundary. Every
//! string stays valid for as long as the case runs.
struct SiteData {
  const char* base_url = nullptr;  // "http://127.0.0.1:<port>", no trailing slash
  std::uint32_t base_url_len = 0;
  std::uint32_t pages = 0;      // pages of the generated site
  std::uint32_t reachable = 0;  // pages reachable from the start page over on-site links
  std::uint16_t port = 0;
  const void* host = nullptr;  // the host's server object, passed back to the functions below
  //! The full URL of page `k` (0 is the start page); null when out of range.
  const char* (*page_url)(const void* host, std::uint32_t k, std::size_t* len) noexcept = nullptr;
  //! The body size the server sends with a 200 for `target` (a URL of this
  //! site or a path); -1 when the site has no such page.
  std::int64_t (*body_bytes)(const void* host, const char* target,
                             std::size_t len) noexcept = nullptr;
};

}  // namespace detail

//! A view of the case's site. Cheap to copy; valid while the case runs.
class Site {
 public:
  explicit Site(const detail::SiteData* d) noexcept : d_(d) {}

  //! "http://127.0.0.1:<port>", without a trailing slash.
  std::string_view base_url() const noexcept { return {d_->base_url, d_->base_url_len}; }
  //! The start page: base_url() + "/".
  std::string_view start_url() const noexcept { return page_url(0); }
  //! The server's TCP port on 127.0.0.1.
  std::uint16_t port() const noexcept { return d_->port; }
  //! How many pages the generated site has.
  std::uint32_t pages() const noexcept { return d_->pages; }
  //! How many pages can be reached from the start page by following on-site
  //! links (computed from the generated link graph, not from any crawl).
  std::uint32_t reachable() const noexcept { return d_->reachable; }
  //! The full URL of page `k`; throws std::out_of_range when k >= pages().
  std::string_view page_url(std::uint32_t k) const {
    std::size_t len = 0;
    const char* s = d_->page_url(d_->host, k, &len);
    if (s == nullptr) throw std::out_of_range("the site has no page with that index");
    return {s, len};
  }
  //! The body size the server sends with a 200 for `url` (a URL of this site
  //! or a path such as "/page/3.html"), the truth a fetched size is compared
  //! with; -1 when the site has no such page (it answers 404).
  std::int64_t body_bytes(std::string_view url) const noexcept {
    return d_->body_bytes(d_->host, url.data(), url.size());
  }

 private:
  const detail::SiteData* d_;
};

}  // namespace strain
