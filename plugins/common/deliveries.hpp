#pragma once
// What a fetching scenario handed back for each of its URLs, and the
// metrics that judge it against the site: how often each URL was delivered
// (exactly once is right), as data or as an error, and whether each size
// is the size of the page the server sends.

#include <cstdint>
#include <strain/strain.hpp>
#include <string>
#include <vector>

namespace strain_plugins {

class Deliveries {
 public:
  //! Forgets everything; `n` URLs, none delivered.
  void reset(std::size_t n) {
    count_.assign(n, 0);
    size_.assign(n, -1);
  }
  //! URL `k` was delivered with `size` bytes of data, or as an error (-1).
  void deliver(std::size_t k, std::int64_t size) {
    ++count_[k];
    size_[k] = size;
  }
  //! Records the metrics delivered, once, results, errors, size_mismatches
  //! and bytes; `urls` are the URLs by index.
  void record(strain::Context& ctx, const std::vector<std::string>& urls) const {
    const strain::Site site = ctx.site();
    std::int64_t delivered = 0, once = 0, results = 0, errors = 0, mismatches = 0, bytes = 0;
    for (std::size_t k = 0; k < urls.size(); ++k) {
      delivered += count_[k];
      once += count_[k] == 1;
      if (count_[k] == 0) continue;
      if (size_[k] < 0) {
        ++errors;
        continue;
      }
      ++results;
      bytes += size_[k];
      mismatches += size_[k] != site.body_bytes(urls[k]);
    }
    ctx.metric("delivered", delivered);
    ctx.metric("once", once);
    ctx.metric("results", results);
    ctx.metric("errors", errors);
    ctx.metric("size_mismatches", mismatches);
    ctx.metric("bytes", bytes);
  }

 private:
  std::vector<std::int32_t> count_;
  std::vector<std::int64_t> size_;
};

}  // namespace strain_plugins
