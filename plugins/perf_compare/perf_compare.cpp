// The chapter's "Performance Comparison": the same I/O-bound work (fetch
// each URL, keep len(content)) and CPU-bound work (sum of squares) run five
// ways: sequentially, on a ThreadPoolExecutor, on a ProcessPoolExecutor,
// with asyncio (I/O gathered, CPU still sequential on the loop) and with
// asyncio plus a process pool for the CPU part. Each returns (elapsed,
// io_results, cpu_results); the results must be identical and the times
// make the table. Here: boost::asio::thread_pool, strain::ProcessPool,
// Beast on an io_context, and the case's loopback site.
//
// Variants:
//  seed   the chapter as written: len(response.content) whatever the
//         status, and a failed request raises out of the approach.
//  fixed  io_bound_task retries a request that failed or got a 5xx (up to
//         `retries` times), so every approach sees each page's real size.

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <future>
#include <optional>
#include <stdexcept>
#include <strain/process_pool.hpp>
#include <strain/strain.hpp>
#include <string>
#include <vector>

#include "http.hpp"
#include "loop.hpp"
#include "offload.hpp"

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kUrlMax = 160;
constexpr std::size_t kApproaches = 5;

// How a request is made; copied into the pool's workers with the task.
struct IoPolicy {
  bool retry = false;
  std::int64_t retries = 0;
  std::int64_t timeout_ms = 5000;
};

// def io_bound_task(url): len(requests.get(url).content)
std::int64_t io_bound_task(const std::string& url, const IoPolicy& p) {
  const auto timeout = std::chrono::milliseconds(p.timeout_ms);
  for (std::int64_t attempt = 0;; ++attempt) {
    strain_plugins::HttpResult r = strain_plugins::get(url, timeout);
    const bool bad = r.failed() || r.status >= 500;
    if (!bad || !p.retry) {
      if (r.failed()) throw std::runtime_error(url + ": " + r.error);
      return static_cast<std::int64_t>(r.body.size());
    }
    if (attempt == p.retries) throw std::runtime_error(url + ": failed after retries");
  }
}

// def cpu_bound_task(n): sum(i * i for i in range(n)), modulo 2^64
std::uint64_t cpu_bound_task(std::uint64_t n) {
  std::uint64_t result = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    result += i * i;
    asm volatile("" : "+r"(result));  // no closed form: keep the CPU work
  }
  return result;
}

// A ProcessPoolExecutor task: either kind, as plain bytes.
struct Job {
  bool io;
  char url[kUrlMax];
  std::uint64_t n;
  IoPolicy policy;
};
struct JobResult {
  std::uint64_t value;
};

JobResult run_job(const Job& j) {
  if (j.io) return {static_cast<std::uint64_t>(io_bound_task(j.url, j.policy))};
  return {cpu_bound_task(j.n)};
}

struct Results {
  double elapsed = 0;
  std::vector<std::int64_t> io;
  std::vector<std::uint64_t> cpu;
  bool failed = false;
};

class PerfCompare {
 public:
  static void declare(strain::Declare<PerfCompare>& d) {
    d.doc(
         "Chapter 'Performance Comparison': sequential, threads, processes, async and "
         "async+processes give the same results")
        .param("variant", "fixed", "which code runs", {"seed", "fixed"})
        .param("urls", 5, "pages fetched (the chapter's URLs)")
        .param("numbers", 4, "CPU tasks: n = base, 2 base, ...")
        .param("base", 1000000, "the first CPU task's n")
        .param("workers", 2, "processes of the process pools")
        .param("threads", 6, "threads of the thread pool (ThreadPoolExecutor(): cpus + 4)")
        .param("retries", 5, "fixed: retries of a request that failed or got a 5xx")
        .param("timeout_ms", 5000, "a request's deadline, in milliseconds")
        .role("main", &PerfCompare::main, "runs the five test_* functions one after the other")
        .metric("approaches", "approaches run")
        .metric("failed", "approaches that raised")
        .metric("io_agree", "approaches whose io_results equal the server's sizes")
        .metric("cpu_agree", "approaches whose cpu_results equal the closed form")
        .metric("t_sequential_s", "test_sequential's elapsed, in seconds")
        .metric("t_threads_s", "test_threading's elapsed")
        .metric("t_processes_s", "test_multiprocessing's elapsed")
        .metric("t_async_s", "test_asyncio's elapsed")
        .metric("t_async_processes_s", "test_asyncio_with_process_pool's elapsed")
        .metric("speedup_threads", "t_sequential_s / t_threads_s")
        .metric("speedup_processes", "t_sequential_s / t_processes_s")
        .metric("speedup_async", "t_sequential_s / t_async_s")
        .metric("speedup_async_processes", "t_sequential_s / t_async_processes_s");
  }

  void setup(strain::Context& ctx) {
    const strain::Site site = ctx.site();
    const std::int64_t n_urls = ctx.int_param("urls"), n_numbers = ctx.int_param("numbers");
    if (n_urls < 1 || n_urls > site.pages() || n_numbers < 0 || n_numbers > 64)
      throw std::invalid_argument("urls must be in [1, the site's pages], numbers in [0, 64]");
    urls_.clear();
    for (std::uint32_t k = 0; k < n_urls; ++k) {
      urls_.emplace_back(site.page_url(k));
      if (urls_.back().size() >= kUrlMax) throw std::invalid_argument("URL too long");
    }
    numbers_.clear();
    for (std::int64_t k = 1; k <= n_numbers; ++k)
      numbers_.push_back(static_cast<std::uint64_t>(k * ctx.int_param("base")));
    policy_ = {ctx.str_param("variant") == "fixed", ctx.int_param("retries"),
               ctx.int_param("timeout_ms")};
    for (auto& r : results_) r = Results{};
  }

  void main(strain::Context& ctx) {
    workers_ = static_cast<unsigned>(ctx.int_param("workers"));
    threads_ = static_cast<std::size_t>(ctx.int_param("threads"));
    run(0, [&](Results& r) { test_sequential(r); });
    run(1, [&](Results& r) { test_threading(r); });
    run(2, [&](Results& r) { test_multiprocessing(r); });
    run(3, [&](Results& r) { test_asyncio(r, false); });
    run(4, [&](Results& r) { test_asyncio(r, true); });
  }

  void check(strain::Context& ctx) {
    const strain::Site site = ctx.site();
    std::int64_t failed = 0, io_agree = 0, cpu_agree = 0;
    for (const Results& r : results_) {
      failed += r.failed;
      if (r.failed) continue;
      bool io = r.io.size() == urls_.size(), cpu = r.cpu.size() == numbers_.size();
      for (std::size_t k = 0; io && k < urls_.size(); ++k)
        io = r.io[k] == site.body_bytes(urls_[k]);
      for (std::size_t k = 0; cpu && k < numbers_.size(); ++k)
        cpu = r.cpu[k] == closed_form(numbers_[k]);
      io_agree += io;
      cpu_agree += cpu;
    }
    ctx.metric("approaches", static_cast<std::int64_t>(kApproaches));
    ctx.metric("failed", failed);
    ctx.metric("io_agree", io_agree);
    ctx.metric("cpu_agree", cpu_agree);
    const char* times[kApproaches] = {"t_sequential_s", "t_threads_s", "t_processes_s", "t_async_s",
                                      "t_async_processes_s"};
    const char* speedups[kApproaches] = {nullptr, "speedup_threads", "speedup_processes",
                                         "speedup_async", "speedup_async_processes"};
    for (std::size_t a = 0; a < kApproaches; ++a) {
      ctx.metric(times[a], results_[a].elapsed);
      if (speedups[a] != nullptr && results_[a].elapsed > 0)
        ctx.metric(speedups[a], results_[0].elapsed / results_[a].elapsed);
    }
  }

 private:
  static std::uint64_t closed_form(std::uint64_t n) {
    if (n == 0) return 0;
    __extension__ using u128 = unsigned __int128;
    const u128 m = n;
    return static_cast<std::uint64_t>((m - 1) * m * (2 * m - 1) / 6);
  }

  // Times one test_* function; an exception out of it is that approach failing.
  template <class F>
  void run(std::size_t a, F&& f) {
    Results& r = results_[a];
    const auto t0 = Clock::now();
    try {
      f(r);
    } catch (const std::exception&) {
      r.failed = true;
    }
    r.elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  }

  Job job_for_url(const std::string& url) const {
    Job j{};
    j.io = true;
    std::memcpy(j.url, url.c_str(), url.size() + 1);
    j.policy = policy_;
    return j;
  }

  void test_sequential(Results& r) {
    for (const auto& u : urls_) r.io.push_back(io_bound_task(u, policy_));
    for (const auto n : numbers_) r.cpu.push_back(cpu_bound_task(n));
  }

  // executor.map keeps the argument order: the futures are read in order.
  void test_threading(Results& r) {
    asio::thread_pool executor(threads_);
    std::vector<std::future<std::int64_t>> io;
    for (const auto& u : urls_) {
      std::packaged_task<std::int64_t()> t([this, &u] { return io_bound_task(u, policy_); });
      io.push_back(t.get_future());
      asio::post(executor, std::move(t));
    }
    std::vector<std::future<std::uint64_t>> cpu;
    for (const auto n : numbers_) {
      std::packaged_task<std::uint64_t()> t([n] { return cpu_bound_task(n); });
      cpu.push_back(t.get_future());
      asio::post(executor, std::move(t));
    }
    // Collect every future before raising, so no task outlives `r`.
    std::exception_ptr first;
    for (auto& f : io) try {
        r.io.push_back(f.get());
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    for (auto& f : cpu) r.cpu.push_back(f.get());
    executor.join();
    if (first) std::rethrow_exception(first);
  }

  void test_multiprocessing(Results& r) {
    strain::PoolOptions options;
    options.workers = workers_;
    strain::ProcessPool<Job, JobResult> executor(&run_job, options);
    std::vector<Job> io, cpu;
    for (const auto& u : urls_) io.push_back(job_for_url(u));
    for (const auto n : numbers_) cpu.push_back(Job{false, {}, n, policy_});
    for (const JobResult& x : executor.map(io)) r.io.push_back(static_cast<std::int64_t>(x.value));
    for (const JobResult& x : executor.map(cpu)) r.cpu.push_back(x.value);
  }

  void test_asyncio(Results& r, bool with_processes) {
    // The pool is made before the loop runs, from a process with no loop
    // threads yet (the chapter makes it inside the coroutine, same effect).
    std::optional<strain::ProcessPool<Job, JobResult>> executor;
    if (with_processes) {
      strain::PoolOptions options;
      options.workers = workers_;
      executor.emplace(&run_job, options);
    }
    strain_plugins::run_loop([&]() -> asio::awaitable<void> {
      // io_tasks = [async_io_bound_task(url, session) ...]; gather
      std::vector<std::int64_t> sizes(urls_.size(), -1);
      std::vector<asio::awaitable<void>> tasks;
      for (std::size_t k = 0; k < urls_.size(); ++k) tasks.push_back(async_io(k, sizes[k]));
      const strain_plugins::Gathered g = co_await strain_plugins::gather(std::move(tasks));
      if (auto e = g.first_error()) std::rethrow_exception(e);
      r.io = sizes;
      if (!with_processes) {
        // CPU-bound tasks (still sequential in asyncio)
        for (const auto n : numbers_) r.cpu.push_back(cpu_bound_task(n));
        co_return;
      }
      std::vector<strain::Future<JobResult>> futures;
      for (const auto n : numbers_) futures.push_back(executor->submit(Job{false, {}, n, policy_}));
      for (const auto& o : co_await strain_plugins::await_all(std::move(futures))) {
        if (o.error) std::rethrow_exception(o.error);
        r.cpu.push_back(o.value.value);
      }
    });
  }

  // async def async_io_bound_task(url, session): len(await response.read())
  asio::awaitable<void> async_io(std::size_t k, std::int64_t& size) {
    const auto timeout = std::chrono::milliseconds(policy_.timeout_ms);
    for (std::int64_t attempt = 0;; ++attempt) {
      strain_plugins::HttpResult r = co_await strain_plugins::async_get(urls_[k], timeout);
      const bool bad = r.failed() || r.status >= 500;
      if (!bad || !policy_.retry) {
        if (r.failed()) throw std::runtime_error(urls_[k] + ": " + r.error);
        size = static_cast<std::int64_t>(r.body.size());
        co_return;
      }
      if (attempt == policy_.retries) throw std::runtime_error(urls_[k] + ": failed after retries");
    }
  }

  std::vector<std::string> urls_;
  std::vector<std::uint64_t> numbers_;
  IoPolicy policy_;
  unsigned workers_ = 2;
  std::size_t threads_ = 6;
  Results results_[kApproaches];
};

}  // namespace

STRAIN_SCENARIO(PerfCompare, perf_compare);
