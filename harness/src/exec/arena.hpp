#pragma once
// The memory a case's trials share with its roles: the scenario state, the
// role contexts and the strategy state. Private to the process for the
// thread topology; a MAP_SHARED mapping for the process topology, made
// before the role processes fork, so every process sees it at the same
// address.

#include <cstddef>
#include <new>
#include <span>

#include "core/apart.hpp"

namespace strain::exec {

class Arena {
 public:
  //! Reserves `bytes` (rounded up to pages), shared across fork if `shared`.
  Arena(std::size_t bytes, bool shared);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  //! Carves `bytes` aligned to `align`, and at least to core::kApart: each piece
  //! (the state, each array of contexts) is written by its own set of
  //! threads. Throws std::bad_alloc when full.
  void* allocate(std::size_t bytes, std::size_t align);

  //! Default-constructs `n` objects of T in the arena.
  template <class T>
  std::span<T> make_array(std::size_t n) {
    T* p = static_cast<T*>(allocate(sizeof(T) * n, alignof(T)));
    for (std::size_t k = 0; k < n; ++k) new (p + k) T();
    return {p, n};
  }

  //! Bytes an arena needs for `bytes` of objects carved in `pieces` pieces.
  static std::size_t size_for(std::size_t bytes, std::size_t pieces) {
    return bytes + pieces * core::kApart + 4096;
  }

 private:
  char* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t used_ = 0;
};

}  // namespace strain::exec
