#pragma once
// A small, fast, seedable random number generator for scenarios.

#include <bit>
#include <cstdint>
#include <limits>

namespace strain {

//! xoshiro256** seeded through splitmix64: cheap on the hot path and fully determined by its
//! seed, so a trial's random choices replay exactly; std distributions accept it (a URBG).
class Rng {
 public:
  using result_type = std::uint64_t;

  //! Seeds the generator; equal seeds give equal sequences.
  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

  //! Restarts the sequence from `seed`.
  void reseed(std::uint64_t seed) noexcept;

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  //! The next 64 random bits.
  result_type operator()() noexcept {
    const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

  //! A uniformly distributed integer in [lo, hi] (inclusive, like Python's random.randint).
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) noexcept;

  //! A uniformly distributed double in [0, 1) (like Python's random.random).
  double real() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  //! True with probability p.
  bool chance(double p) noexcept { return real() < p; }

  //! One step of splitmix64; also used by the host to derive trial seeds.
  static std::uint64_t splitmix64(std::uint64_t& state) noexcept;
  //! splitmix64 of a ^ b * the golden ratio: how each seed of a run derives from the one above.
  static std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept;

 private:
  std::uint64_t s_[4]{};
};

}  // namespace strain
