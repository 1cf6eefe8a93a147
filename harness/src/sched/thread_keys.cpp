#include "sched/thread_keys.hpp"

#include <atomic>
#include <cerrno>

namespace strain::sched {

namespace {

// Process-wide, as glibc's key table: written by pthread_key_create and
// pthread_key_delete on any thread, read by the trial's threads. A
// generation is odd while its key exists.
std::atomic<std::uint32_t> g_generation[ThreadKeys::kKeys];
std::atomic<void (*)(void*)> g_destructor[ThreadKeys::kKeys];

bool live(unsigned key, std::uint32_t generation) noexcept {
  return key < ThreadKeys::kKeys &&
         g_generation[key].load(std::memory_order_acquire) == generation && (generation & 1) != 0;
}

}  // namespace

void ThreadKeys::created(unsigned key, void (*destructor)(void*)) noexcept {
  if (key >= kKeys) return;
  g_destructor[key].store(destructor, std::memory_order_relaxed);
  // A new odd generation: values of an earlier key of this number (deleted,
  // or, odd already, deleted where the host did not see it) are gone.
  const std::uint32_t g = g_generation[key].load(std::memory_order_relaxed);
  g_generation[key].store((g & 1) != 0 ? g + 2 : g + 1, std::memory_order_release);
}

void ThreadKeys::deleted(unsigned key) noexcept {
  if (key >= kKeys) return;
  const std::uint32_t g = g_generation[key].load(std::memory_order_relaxed);
  if ((g & 1) != 0) g_generation[key].store(g + 1, std::memory_order_release);
}

const ThreadKeys::Entry* ThreadKeys::find(unsigned key) const noexcept {
  for (unsigned k = 0; k < used_; ++k)
    if (entries_[k].key == key) return &entries_[k];
  return nullptr;
}

void* ThreadKeys::get(unsigned key) const noexcept {
  const Entry* e = find(key);
  return e != nullptr && live(key, e->generation) ? e->value : nullptr;
}

int ThreadKeys::set(unsigned key, const void* value) noexcept {
  if (key >= kKeys) return EINVAL;
  const std::uint32_t g = g_generation[key].load(std::memory_order_acquire);
  if ((g & 1) == 0) return EINVAL;
  auto* e = const_cast<Entry*>(find(key));
  if (e == nullptr) {
    if (value == nullptr) return 0;
    if (used_ == kCapacity) return ENOMEM;
    e = &entries_[used_++];
    e->key = key;
  }
  e->generation = g;
  e->value = const_cast<void*>(value);
  return 0;
}

void ThreadKeys::run_destructors() {
  for (int round = 0; round < kDestructorRounds; ++round) {
    bool ran = false;
    // By index, not pointer: a destructor may set values, which appends.
    for (unsigned k = 0; k < used_; ++k) {
      Entry& e = entries_[k];
      if (e.value == nullptr || !live(e.key, e.generation)) continue;
      void (*destructor)(void*) = g_destructor[e.key].load(std::memory_order_relaxed);
      void* value = e.value;
      e.value = nullptr;
      if (destructor == nullptr) continue;
      destructor(value);
      ran = true;
    }
    if (!ran) break;
  }
  used_ = 0;
}

}  // namespace strain::sched
