#pragma once
// The distinct interleavings a case's steered trials ran, counted in a set
// of fixed size made once per case: the trial loop adds to it without
// allocating. So "100000 trials passed" can be told apart from "the same 3
// interleavings 100000 times".

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include "model/result.hpp"

namespace strain::exec {

class DigestSet {
 public:
  //! Distinct digests counted before the set says "at least": half its
  //! slots, so that open addressing stays short (the hash below takes the
  //! top 16 bits: 2 * kCapacity slots).
  static constexpr std::uint64_t kCapacity = model::kDistinctInterleavingsCap;
  static_assert(2 * kCapacity == std::uint64_t{1} << 16);

  //! Throws std::bad_alloc if the slots cannot be had.
  DigestSet()
      : slots_(static_cast<std::uint64_t*>(std::calloc(2 * kCapacity, sizeof(std::uint64_t)))) {
    if (!slots_) throw std::bad_alloc();
  }

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
  // calloc, not make_unique<T[]>: 512 KB from calloc are fresh zero pages
  // (glibc maps them), touched only where a digest lands, where
  // make_unique's memset touched all 128 pages in every case: a third of a
  // case's page faults. With this and core/stacks.cpp's .bss slots, a case
  // of the trivial scenario went from 437 to 283 page faults and from 14.5
  // to 13.9 ms (2-vCPU VM; issue 12).
  struct Free {
    void operator()(std::uint64_t* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<std::uint64_t[], Free> slots_;
  std::uint64_t count_ = 0;
};

}  // namespace strain::exec
