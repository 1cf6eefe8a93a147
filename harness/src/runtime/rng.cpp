// strain::Rng's ranged draw (strain/rng.hpp), out of line: the header keeps the generator's step
// and its seeding, which the strategies and the host take at every point and trial.

#include "strain/rng.hpp"

namespace strain {

std::int64_t Rng::uniform(std::int64_t lo, std::int64_t hi) noexcept {
  if (hi <= lo) return lo;
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>((*this)());  // [INT64_MIN, INT64_MAX]
  return lo + static_cast<std::int64_t>((*this)() % span);
}

}  // namespace strain
