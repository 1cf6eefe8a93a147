// The chapter's "Parallel Data Processing" example: a DataFrame of `size`
// rows (A, B: normal doubles; C: category X/Y/Z; D: int 0..99) is processed
// sequentially by process_chunk(df, complex_operation) and in parallel by
// parallel_process_dataframe: split into chunks of len(df) // num_processes
// rows, each chunk processed by a multiprocessing.Pool, both timed. The
// complex operation groups by C and computes A, B: mean, std, min, max and
// D: mean, std, min, max, sum.
//
// pandas is not available: the frame is four plain columns and the group-by
// statistics are computed here, per chunk, in one pass (Welford). The chapter
// never merges the chunk results (it returns the list), so its parallel
// answer cannot be compared with the sequential one; the port merges them
// exactly (counts and sums add, min and max combine, mean and variance by
// Chan et al.'s pairwise formula) and compares the merged statistics with the
// sequential ones within `tolerance`. The chapter's corr() and quantile() are
// left out: quantiles cannot be merged from chunk summaries at all.
//
// Variants:
//  seed                  the chapter's chunking as written: chunk_size =
//                        rows // processes and range(0, rows, chunk_size).
//                        When rows < processes, chunk_size is 0 and range()
//                        raises ValueError (here: the role throws, an
//                        `error`). When rows is not a multiple of processes
//                        it makes one more, short chunk than there are
//                        processes (`chunks` > `processes`).
//  fixed                 min(processes, rows) chunks whose sizes differ by at
//                        most one row, none empty; no rows, no chunks.
//  bug_unweighted_merge  chunks as fixed, but the merge averages the chunk
//                        means and the chunk standard deviations without
//                        weighting them by the chunks' group counts.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kGroups = 3;   // C: X, Y, Z
constexpr int kColumns = 3;  // A, B, D

//! One column of one group of one chunk, in one pass: count, Welford's mean
//! and sum of squared deviations, extremes and sum.
struct Moments {
  std::int64_t n = 0;
  double mean = 0, m2 = 0;
  double min = 0, max = 0;
  double sum = 0;

  void add(double x) {
    ++n;
    const double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
    min = n == 1 ? x : std::min(min, x);
    max = n == 1 ? x : std::max(max, x);
    sum += x;
  }
  // Chan, Golub and LeVeque's pairwise update: exact in real arithmetic.
  void merge(const Moments& o) {
    if (o.n == 0) return;
    if (n == 0) {
      *this = o;
      return;
    }
    const double na = static_cast<double>(n), nb = static_cast<double>(o.n);
    const double delta = o.mean - mean;
    mean += delta * nb / (na + nb);
    m2 += o.m2 + delta * delta * na * nb / (na + nb);
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    sum += o.sum;
    n += o.n;
  }
  // pandas' std(): ddof = 1, NaN below two values.
  double std_dev() const {
    return n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1))
                 : std::numeric_limits<double>::quiet_NaN();
  }
};

//! process_chunk's result: the group-by statistics of rows [begin, end).
//! Trivially copyable, so the pool carries it back from its worker.
struct ChunkStats {
  std::int64_t rows = 0;
  Moments m[kGroups][kColumns];
};

//! What the merged (or sequential) statistics say of one column of one group.
struct Summary {
  std::int64_t count = 0;
  double mean = 0, std = 0, min = 0, max = 0, sum = 0;
};

struct Range {
  std::int64_t begin = 0, end = 0;
};

//! The DataFrame, as columns.
struct Frame {
  std::vector<double> a, b;
  std::vector<std::uint8_t> c;  // 0, 1, 2 for X, Y, Z
  std::vector<std::int64_t> d;
};

Frame make_frame(strain::Rng& rng, std::int64_t rows) {
  Frame f;
  const auto n = static_cast<std::size_t>(rows);
  f.a.resize(n);
  f.b.resize(n);
  f.c.resize(n);
  f.d.resize(n);
  std::normal_distribution<double> randn;
  for (std::size_t i = 0; i < n; ++i) f.a[i] = randn(rng);  // np.random.randn(size)
  for (std::size_t i = 0; i < n; ++i) f.b[i] = randn(rng);
  for (std::size_t i = 0; i < n; ++i) f.c[i] = static_cast<std::uint8_t>(rng.uniform(0, 2));
  for (std::size_t i = 0; i < n; ++i) f.d[i] = rng.uniform(0, 99);  // randint(0, 100)
  return f;
}

// process_chunk(df_chunk, complex_operation): group by C, then the moments
// of A, B and D.
ChunkStats process_chunk(const Frame& f, Range r) {
  ChunkStats out;
  out.rows = r.end - r.begin;
  for (auto i = static_cast<std::size_t>(r.begin); i < static_cast<std::size_t>(r.end); ++i) {
    Moments* g = out.m[f.c[i]];
    g[0].add(f.a[i]);
    g[1].add(f.b[i]);
    g[2].add(static_cast<double>(f.d[i]));
  }
  return out;
}

Summary summary_of(const Moments& m) { return {m.n, m.mean, m.std_dev(), m.min, m.max, m.sum}; }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

enum class Variant { seed, fixed, bug_unweighted_merge };

class ParallelStats {
 public:
  static void declare(strain::Declare<ParallelStats>& d) {
    d.doc(
         "Chapter 'Parallel Data Processing': group-by statistics of a frame, sequentially and "
         "per chunk in a process pool, merged; merged equals sequential; the speedup is "
         "measured")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_unweighted_merge"})
        .param("rows", 1000000, "rows of the frame (the chapter's size = 1000000)")
        .param("processes", 4, "pool size (the chapter: multiprocessing.cpu_count())")
        .param("tolerance", 1e-9,
               "largest difference allowed between a merged and a sequential mean or std, "
               "relative above 1 in magnitude, absolute below")
        .role("main", &ParallelStats::main,
              "the chapter's main block: make the frame, process it sequentially, then in "
              "chunks on a pool, timed")
        .metric("frame_rows", "rows the frame had")
        .metric("workers", "processes in the pool")
        .metric("chunks", "chunks the frame was split into")
        .metric("count_mismatch",
                "group statistics that must match exactly but do not: counts, min, max, D's sum")
        .metric("max_error",
                "largest difference of a merged mean or std from the sequential one (relative "
                "above 1 in magnitude)")
        .metric("sequential_s", "time of process_chunk(df, complex_operation), in seconds")
        .metric("parallel_s", "time of parallel_process_dataframe plus the merge, in seconds")
        .metric("speedup", "sequential_s / parallel_s");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed"    ? Variant::seed
               : v == "fixed" ? Variant::fixed
                              : Variant::bug_unweighted_merge;
    rows_ = ctx.int_param("rows");
    processes_ = ctx.int_param("processes");
    if (rows_ < 0 || processes_ < 1)
      throw std::invalid_argument("rows must be >= 0 and processes >= 1");
  }

  void main(strain::Context& ctx) {
    const Frame df = make_frame(ctx.rng(), rows_);

    // Sequential processing
    auto t0 = std::chrono::steady_clock::now();
    const ChunkStats sequential = process_chunk(df, {0, rows_});
    sequential_s_ = seconds_since(t0);

    // Parallel processing
    t0 = std::chrono::steady_clock::now();
    const std::vector<Range> chunks = split(rows_);
    chunks_ = static_cast<std::int64_t>(chunks.size());
    std::vector<ChunkStats> results;
    {
      strain::ProcessPool<Range, ChunkStats> pool(
          [&df](const Range& r) { return process_chunk(df, r); },
          {.workers = static_cast<unsigned>(processes_)});
      results = pool.map(chunks);
    }
    Summary merged[kGroups][kColumns];
    merge(results, merged);
    parallel_s_ = seconds_since(t0);

    compare(sequential, merged);
  }

  void check(strain::Context& ctx) {
    ctx.metric("frame_rows", rows_);
    ctx.metric("workers", processes_);
    ctx.metric("chunks", chunks_);
    ctx.metric("count_mismatch", count_mismatch_);
    ctx.metric("max_error", max_error_);
    // Timings only from a trial that got through both runs: a failed one
    // has no parallel time to show, and `show:` then leaves it out.
    if (parallel_s_ > 0) {
      ctx.metric("sequential_s", sequential_s_);
      ctx.metric("parallel_s", parallel_s_);
      ctx.metric("speedup", sequential_s_ / parallel_s_);
    }
  }

 private:
  std::vector<Range> split(std::int64_t rows) const {
    std::vector<Range> chunks;
    if (variant_ == Variant::seed) {
      // chunk_size = len(df) // num_processes
      // chunks = [df.iloc[i:i+chunk_size] for i in range(0, len(df), chunk_size)]
      const std::int64_t chunk_size = rows / processes_;
      if (chunk_size == 0)
        throw std::invalid_argument(
            "ValueError: range() arg 3 must not be zero: the chapter's chunk_size = len(df) // "
            "num_processes = " +
            std::to_string(rows) + " // " + std::to_string(processes_) +
            " = 0 when the frame has fewer rows than processes");
      for (std::int64_t i = 0; i < rows; i += chunk_size)
        chunks.push_back({i, std::min(i + chunk_size, rows)});
      return chunks;
    }
    // As many chunks as processes, unless there are fewer rows; the first
    // rows % k chunks take one row more.
    const std::int64_t k = std::min(processes_, rows);
    for (std::int64_t j = 0, at = 0; j < k; ++j) {
      const std::int64_t size = rows / k + (j < rows % k ? 1 : 0);
      chunks.push_back({at, at + size});
      at += size;
    }
    return chunks;
  }

  void merge(const std::vector<ChunkStats>& results, Summary (&out)[kGroups][kColumns]) const {
    for (int g = 0; g < kGroups; ++g) {
      for (int c = 0; c < kColumns; ++c) {
        Moments all;
        for (const ChunkStats& r : results) all.merge(r.m[g][c]);
        out[g][c] = summary_of(all);
        if (variant_ != Variant::bug_unweighted_merge) continue;
        // The bug: mean of the chunk means and of the chunk stds, as if
        // every chunk held as many rows of the group.
        double means = 0, stds = 0;
        int parts = 0;
        for (const ChunkStats& r : results) {
          if (r.m[g][c].n == 0) continue;
          means += r.m[g][c].mean;
          stds += r.m[g][c].std_dev();
          ++parts;
        }
        if (parts > 0) {
          out[g][c].mean = means / parts;
          out[g][c].std = stds / parts;
        }
      }
    }
  }

  void compare(const ChunkStats& sequential, const Summary (&merged)[kGroups][kColumns]) {
    const auto error = [](double got, double want) {
      if (std::isnan(got) && std::isnan(want)) return 0.0;
      if (std::isnan(got) || std::isnan(want)) return std::numeric_limits<double>::infinity();
      return std::fabs(got - want) / std::max(1.0, std::fabs(want));
    };
    for (int g = 0; g < kGroups; ++g) {
      for (int c = 0; c < kColumns; ++c) {
        const Summary want = summary_of(sequential.m[g][c]);
        const Summary& got = merged[g][c];
        if (got.count != want.count) ++count_mismatch_;
        if (want.count == 0) continue;  // an absent group: pandas has no row for it
        // Extremes are values of the frame, and D's sum adds integers: both
        // must match exactly, whatever the order of the work.
        if (got.min != want.min || got.max != want.max) ++count_mismatch_;
        if (c == 2 && got.sum != want.sum) ++count_mismatch_;
        max_error_ = std::max({max_error_, error(got.mean, want.mean), error(got.std, want.std)});
      }
    }
  }

  Variant variant_ = Variant::fixed;
  std::int64_t rows_ = 0, processes_ = 1, chunks_ = 0;
  std::int64_t count_mismatch_ = 0;
  double max_error_ = 0;
  double sequential_s_ = 0, parallel_s_ = 0;
};

}  // namespace

STRAIN_SCENARIO(ParallelStats, parallel_stats);
