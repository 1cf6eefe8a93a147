// ABA on a lock-free (Treiber) stack of node indices: a pop reads the head A
// and its successor B, and is preempted before its compare-exchange;
// meanwhile another role pops A, pops B and pushes A back. The head is A
// again, so the first pop's compare-exchange succeeds and makes B, which the
// other role holds, the head: B is then both on the stack and in use.
// Fixed: the head carries a version counter that every change increments,
// so the stale compare-exchange fails.

#include <cstdint>
#include <vector>

#include "work.hpp"

namespace {

constexpr std::uint32_t kNil = 0xffffffffu;
constexpr std::uint32_t kNodes = 3;  // the stack starts as 0 -> 1 -> 2

class Aba {
 public:
  static void declare(strain::Declare<Aba>& d) {
    d.doc("Kernel: ABA on a Treiber stack whose head has no version");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before using the stack")
        .role("popper", &Aba::popper, "pops one node")
        .role("churner", &Aba::churner, "pops two nodes and pushes the first back");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
    for (std::uint32_t i = 0; i < kNodes; ++i) next_[i].store(i + 1 < kNodes ? i + 1 : kNil);
    head_.store(pack(0, 0));
  }
  void popper(strain::Context&) {
    kernels::work(work_);
    popped_ = pop();
  }
  void churner(strain::Context&) {
    kernels::work(work_);
    const std::uint32_t a = pop();
    held_ = pop();
    if (a != kNil) push(a);
  }
  void check(strain::Context& ctx) {
    // Every node must be in exactly one place: on the stack or held.
    int seen[kNodes] = {};
    std::uint32_t n = index(head_.load());
    for (std::uint32_t steps = 0; n != kNil && steps <= kNodes; ++steps) {
      ++seen[n];
      n = next_[n].load();
    }
    if (popped_ != kNil) ++seen[popped_];
    if (held_ != kNil) ++seen[held_];
    for (std::uint32_t i = 0; i < kNodes; ++i)
      ctx.expect(seen[i] == 1, "node " + std::to_string(i) + " is in " + std::to_string(seen[i]) +
                                   " places (on the stack and held, or lost)");
  }

 private:
  // The head: a node index and, in the fixed variant, a version above it.
  static std::uint64_t pack(std::uint32_t i, std::uint64_t version) { return version << 32 | i; }
  static std::uint32_t index(std::uint64_t h) { return static_cast<std::uint32_t>(h); }
  std::uint64_t bumped(std::uint64_t h, std::uint32_t i) const {
    return pack(i, bug_ ? 0 : (h >> 32) + 1);
  }
  std::uint32_t pop() {
    std::uint64_t h = head_.load();
    for (;;) {
      if (index(h) == kNil) return kNil;
      const std::uint32_t next = next_[index(h)].load();
      if (head_.compare_exchange_weak(h, bumped(h, next))) return index(h);
    }
  }
  void push(std::uint32_t i) {
    std::uint64_t h = head_.load();
    do {
      next_[i].store(index(h));
    } while (!head_.compare_exchange_weak(h, bumped(h, i)));
  }

  bool bug_ = true;
  std::int64_t work_ = 0;
  strain::Atomic<std::uint64_t> head_{0};
  strain::Atomic<std::uint32_t> next_[kNodes];
  std::uint32_t popped_ = kNil, held_ = kNil;  // each written by one role, read in check
};

}  // namespace

STRAIN_SCENARIO(Aba, aba);
