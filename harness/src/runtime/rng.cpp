// strain::Rng's seeding and its ranged draw (strain/rng.hpp), out of line: the header keeps the
// generator's step, which the strategies take at every schedule point.

#include "strain/rng.hpp"

namespace strain {

void Rng::reseed(std::uint64_t seed) noexcept {
  for (auto& word : s_) word = splitmix64(seed);
}

std::int64_t Rng::uniform(std::int64_t lo, std::int64_t hi) noexcept {
  if (hi <= lo) return lo;
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>((*this)());  // [INT64_MIN, INT64_MAX]
  return lo + static_cast<std::int64_t>((*this)() % span);
}

std::uint64_t Rng::splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t Rng::mix(std::uint64_t a, std::uint64_t b) noexcept {
  std::uint64_t s = a ^ (b * 0x9e3779b97f4a7c15ULL);
  return splitmix64(s);
}

}  // namespace strain
