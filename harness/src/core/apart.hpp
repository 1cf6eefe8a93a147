#pragma once
// How far apart two things written by different threads (or processes)
// must be. The adjacent-line prefetcher of x86 cores fetches 64-byte lines
// in aligned pairs, so two lines of one pair bounce between cores like one
// line; this is what C++17 calls hardware_destructive_interference_size,
// which GCC 12 gives as 64 and warns is unstable across -mtune.

#include <cstddef>

namespace strain::core {

inline constexpr std::size_t kApart = 128;

}  // namespace strain::core
