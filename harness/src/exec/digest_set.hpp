#pragma once
// The distinct interleavings a case's steered trials ran, counted in a set
// of fixed size made once per case: the trial loop adds to it without
// allocating. So "100000 trials passed" can be told apart from "the same 3
// interleavings 100000 times".

#include <cstdint>
#include <memory>

#include "model/result.hpp"

namespace strain::exec {

class DigestSet {
 public:
  //! Distinct digests counted before the set says "at least": half its
  //! slots, so that open addressing stays short (the hash below takes the
  //! top 16 bits: 2 * kCapacity slots).
  static constexpr std::uint64_t kCapacity = model::kDistinctInterleavingsCap;
  static_assert(2 * kCapacity == std::uint64_t{1} << 16);

  DigestSet() : slots_(std::make_unique<std::uint64_t[]>(2 * kCapacity)) {}

  //! Adds a digest (an interleaving's hash, never 0 in practice: 0 is
  //! stored as 1).
  void add(std::uint64_t digest) noexcept {
    if (count_ >= kCapacity) return;
    if (digest == 0) digest = 1;
    std::uint64_t h = (digest * 0x9e3779b97f4a7c15ULL) >> 48;
    for (;; h = (h + 1) & (2 * kCapacity - 1)) {
      std::uint64_t& s = slots_[h];
      if (s == digest) return;
      if (s == 0) {
        s = digest;
        ++count_;
        return;
      }
    }
  }
  //! Distinct digests added (kCapacity: at least that many).
  std::uint64_t count() const noexcept { return count_; }
  bool saturated() const noexcept { return count_ >= kCapacity; }

 private:
  std::unique_ptr<std::uint64_t[]> slots_;
  std::uint64_t count_ = 0;
};

}  // namespace strain::exec
