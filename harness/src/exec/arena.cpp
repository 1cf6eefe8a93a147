#include "exec/arena.hpp"

#include <sys/mman.h>

#include <algorithm>

namespace strain::exec {

Arena::Arena(std::size_t bytes, bool shared) {
  size_ = (bytes + 4095) & ~std::size_t{4095};
  // Anonymous mappings are zeroed and page aligned either way; only the
  // sharing differs.
  void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<char*>(p);
}

Arena::~Arena() { ::munmap(base_, size_); }

void* Arena::allocate(std::size_t bytes, std::size_t align) {
  align = std::max(align, core::kApart);
  const std::size_t start = (used_ + align - 1) & ~(align - 1);
  if (start + bytes > size_) throw std::bad_alloc();
  used_ = start + bytes;
  return base_ + start;
}

}  // namespace strain::exec
