// The chapter's "Process Pool with concurrent.futures" example:
// calculate_prime_factors(n) by trial division, run over a list of large
// numbers sequentially and then with ProcessPoolExecutor().map, both timed.
// The role `main` is that script. The numbers come from the spec (`numbers`,
// the chapter's six by default) plus `random_count` drawn from the trial's
// generator, so a spec can keep a trial short and still vary its inputs.
//
// Variants:
//  seed                    the chapter's code as written:
//                          list(executor.map(calculate_prime_factors, numbers)).
//                          It is correct.
//  fixed                   also correct, collected the other way the chapter
//                          shows (its thread-pool section): submit() each
//                          number, then as_completed() with a future -> number
//                          map, so each result is put back at its number.
//  bug_as_completed_order  submit() and as_completed(), but results are
//                          zipped with the numbers in submission order:
//                          whenever a later number finishes first, factor
//                          lists land on the wrong numbers.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace {

__extension__ using u128 = unsigned __int128;  // a GCC/Clang extension; -Wpedantic knows it so

constexpr std::size_t kMaxNumbers = 256;

//! A factor list, as the Python function's list: at most 64 factors, since
//! each is at least 2 and the number fits in 64 bits. Trivially copyable, so
//! a process pool can carry it.
struct Factors {
  std::uint32_t count = 0;
  std::uint64_t f[64] = {};
};

// The chapter's calculate_prime_factors, line for line.
Factors calculate_prime_factors(std::uint64_t n) {
  Factors factors;
  std::uint64_t d = 2;
  while (n > 1) {
    while (n % d == 0) {
      factors.f[factors.count++] = d;
      n /= d;
    }
    d += 1;
    if (d * d > n) {
      if (n > 1) factors.f[factors.count++] = n;
      break;
    }
  }
  return factors;
}

// Deterministic Miller-Rabin for 64-bit numbers (these seven bases are
// enough, Jim Sinclair 2011), so checking a factor of 1e15 does not cost a
// second factorisation.
bool is_prime(std::uint64_t n) {
  if (n < 2) return false;
  for (const std::uint64_t p : {2u, 3u, 5u, 7u, 11u, 13u, 17u, 19u, 23u, 29u, 31u, 37u}) {
    if (n % p == 0) return n == p;
  }
  const auto mul = [n](std::uint64_t a, std::uint64_t b) {
    return static_cast<std::uint64_t>(static_cast<u128>(a) * b % n);
  };
  const auto pow = [&](std::uint64_t b, std::uint64_t e) {
    std::uint64_t r = 1;
    for (b %= n; e > 0; e >>= 1, b = mul(b, b))
      if (e & 1) r = mul(r, b);
    return r;
  };
  std::uint64_t d = n - 1;
  int s = 0;
  for (; d % 2 == 0; d /= 2) ++s;
  for (const std::uint64_t a :
       {2ull, 325ull, 9375ull, 28178ull, 450775ull, 9780504ull, 1795265022ull}) {
    std::uint64_t x = pow(a, d);
    if (x == 0 || x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < s && composite; ++r) {
      x = mul(x, x);
      composite = x != n - 1;
    }
    if (composite) return false;
  }
  return true;
}

bool same(const Factors& a, const Factors& b) {
  return a.count == b.count && std::equal(a.f, a.f + a.count, b.f);
}

std::vector<std::uint64_t> parse_numbers(std::string_view text) {
  std::vector<std::uint64_t> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v < 2)
      throw std::invalid_argument("numbers: '" + std::string(item) +
                                  "' is not an integer >= 2 (write them comma-separated)");
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

enum class Variant { seed, fixed, bug_as_completed_order };

class PrimeFactors {
 public:
  static void declare(strain::Declare<PrimeFactors>& d) {
    d.doc(
         "Chapter 'Process Pool with concurrent.futures': prime factors by trial division, "
         "sequentially and with a ProcessPoolExecutor; every list multiplies back to its number, "
         "all factors prime, parallel equals sequential; the speedup is measured")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_as_completed_order"})
        .param("numbers",
               "112272535095293,112582705942171,112272535095293,115280095190773,"
               "115797848077099,1099726899285419",
               "comma-separated numbers to factorise (default: the chapter's six)")
        .param("random_count", 0, "more numbers, drawn from the trial's generator")
        .param("random_max", std::int64_t{1000000000000}, "upper bound of the drawn numbers")
        .param("workers", 0, "pool size; 0: one per CPU, as ProcessPoolExecutor()")
        .role("main", &PrimeFactors::main,
              "the chapter's script: factorise sequentially, then with the executor, timed")
        .metric("factorised", "how many numbers were factorised each way")
        .metric("wrong_product",
                "parallel factor lists whose product is not the number at their position")
        .metric("not_prime", "parallel factors that are not prime")
        .metric("mismatched", "parallel factor lists that differ from the sequential ones")
        .metric("sequential_s", "time of the sequential list comprehension, in seconds")
        .metric("parallel_s", "time of `with ProcessPoolExecutor() as executor: ...`, in seconds")
        .metric("speedup", "sequential_s / parallel_s");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed"    ? Variant::seed
               : v == "fixed" ? Variant::fixed
                              : Variant::bug_as_completed_order;
    const std::vector<std::uint64_t> given = parse_numbers(ctx.str_param("numbers"));
    random_count_ = ctx.int_param("random_count");
    random_max_ = ctx.int_param("random_max");
    workers_ = ctx.int_param("workers");
    if (random_count_ < 0 || random_max_ < 2 || workers_ < 0)
      throw std::invalid_argument("random_count and workers must be >= 0, random_max >= 2");
    if (given.size() + static_cast<std::size_t>(random_count_) > kMaxNumbers)
      throw std::invalid_argument("at most 256 numbers in all");
    std::copy(given.begin(), given.end(), given_);
    n_given_ = given.size();
  }

  void main(strain::Context& ctx) {
    std::vector<std::uint64_t> numbers(given_, given_ + n_given_);
    for (std::int64_t k = 0; k < random_count_; ++k)
      numbers.push_back(static_cast<std::uint64_t>(ctx.rng().uniform(2, random_max_)));

    // Sequential processing
    auto t0 = std::chrono::steady_clock::now();
    std::vector<Factors> sequential;
    for (const std::uint64_t n : numbers) sequential.push_back(calculate_prime_factors(n));
    sequential_s_ = seconds_since(t0);

    // Parallel processing
    t0 = std::chrono::steady_clock::now();
    std::vector<Factors> parallel = run_pool(numbers);
    parallel_s_ = seconds_since(t0);

    count_ = static_cast<std::int64_t>(numbers.size());
    for (std::size_t k = 0; k < numbers.size(); ++k) {
      const Factors& got = parallel[k];
      u128 product = 1;
      for (std::uint32_t i = 0; i < got.count; ++i) {
        product *= got.f[i];
        if (!is_prime(got.f[i])) ++not_prime_;
      }
      if (product != numbers[k]) ++wrong_product_;
      if (!same(got, sequential[k])) ++mismatched_;
    }
  }

  void check(strain::Context& ctx) {
    ctx.metric("factorised", count_);
    ctx.metric("wrong_product", wrong_product_);
    ctx.metric("not_prime", not_prime_);
    ctx.metric("mismatched", mismatched_);
    // Timings only from a trial that got through both runs: a failed one
    // has no parallel time to show, and `show:` then leaves it out.
    if (parallel_s_ > 0) {
      ctx.metric("sequential_s", sequential_s_);
      ctx.metric("parallel_s", parallel_s_);
      ctx.metric("speedup", sequential_s_ / parallel_s_);
    }
  }

 private:
  std::vector<Factors> run_pool(const std::vector<std::uint64_t>& numbers) const {
    strain::ProcessPool executor(&calculate_prime_factors,
                                 {.workers = static_cast<unsigned>(workers_)});
    if (variant_ == Variant::seed) return executor.map(numbers);  // list(executor.map(...))

    std::vector<strain::Future<Factors>> futures;
    for (const std::uint64_t n : numbers) futures.push_back(executor.submit(n));
    std::vector<Factors> results(numbers.size());
    std::size_t next = 0;
    for (strain::Future<Factors>& f : strain::as_completed(futures)) {
      if (variant_ == Variant::fixed) {
        // future_to_number[future]: the future's own position.
        results[static_cast<std::size_t>(&f - futures.data())] = f.get();
      } else {
        // for number, future in zip(numbers, as_completed(futures)): the
        // order of completion taken for the order of submission.
        results[next++] = f.get();
      }
    }
    return results;
  }

  Variant variant_ = Variant::fixed;
  // An array, not a vector: in the process topology setup() runs in another
  // process than the role, and only the state itself is shared memory.
  std::uint64_t given_[kMaxNumbers] = {};
  std::size_t n_given_ = 0;
  std::int64_t random_count_ = 0, random_max_ = 2, workers_ = 0;
  std::int64_t count_ = 0, wrong_product_ = 0, not_prime_ = 0, mismatched_ = 0;
  double sequential_s_ = 0, parallel_s_ = 0;
};

}  // namespace

STRAIN_SCENARIO(PrimeFactors, prime_factors);
