#pragma once
// The loopback web site a spec can ask for (`fixtures: { site: ... }`): a real HTTP/1.1 server on
// 127.0.0.1 for the case, reached through Context::site().

#include <cstdint>
#include <string_view>

namespace strain {

namespace detail {
struct SiteData;  // the host's facts of the running site (harness/src/runtime)
}  // namespace detail

//! A view of the case's site. Cheap to copy; valid while the case runs.
class Site {
 public:
  //! A view of the host's site; made by Context::site().
  explicit Site(const detail::SiteData* d) noexcept : d_(d) {}

  //! "http://127.0.0.1:<port>", without a trailing slash.
  std::string_view base_url() const noexcept;
  //! The start page: base_url() + "/".
  std::string_view start_url() const noexcept { return page_url(0); }
  //! The server's TCP port on 127.0.0.1.
  std::uint16_t port() const noexcept;
  //! How many pages the generated site has.
  std::uint32_t pages() const noexcept;
  //! How many pages on-site links reach from the start page (from the generated link graph, not
  //! from a crawl).
  std::uint32_t reachable() const noexcept;
  //! The full URL of page `k`; throws std::out_of_range when k >= pages().
  std::string_view page_url(std::uint32_t k) const;
  //! The body size the server sends for `url` (a URL of this site or a path such as
  //! "/page/3.html"); -1 when it has no such page (a 404).
  std::int64_t body_bytes(std::string_view url) const noexcept;

 private:
  const detail::SiteData* d_;
};

}  // namespace strain
