// The chapter's "Thread Synchronization" example: a bank account shared by a
// thread making withdrawals and one making deposits.
//
// Variants:
//  seed          the chapter's code as written: withdraw and deposit hold the
//                lock, but the caller prints the balance after the call by
//                reading it outside the lock, a data race (TSan's to find; the
//                invariants hold).
//  fixed         the balance the caller reports is returned from inside the
//                critical section.
//  bug_unlocked  withdraw checks and acts without the lock (check-then-act):
//                two withdrawals can both see enough money and overdraw.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>
#include <string_view>

namespace {

class BankAccount {
 public:
  static void declare(strain::Declare<BankAccount>& d) {
    d.doc(
         "Chapter 'Thread Synchronization': a locked bank account with withdraw and deposit "
         "threads")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_unlocked"})
        .param("initial_balance", 1000, "balance the account opens with")
        .param("ops", 5, "operations per thread (the chapter: 5)")
        .param("amount_min", 100, "smallest amount (random.randint lower bound)")
        .param("amount_max", 300, "largest amount (random.randint upper bound)")
        .param("processing_s", 0.1, "time.sleep inside withdraw/deposit, before time_scale")
        .param("think_s", 1.0,
               "upper bound of time.sleep(random()) between operations, before time_scale")
        .role("withdraw", &BankAccount::make_withdrawals,
              "make_withdrawals(): ops random withdrawals")
        .role("deposit", &BankAccount::make_deposits, "make_deposits(): ops random deposits")
        .metric("final_balance", "balance after every thread ended")
        .metric("deposited", "sum of all deposits")
        .metric("withdrawn", "sum of all successful withdrawals")
        .metric("min_balance", "lowest balance ever written")
        .metric("failed_withdrawals", "withdrawals refused for lack of money");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed" ? Variant::seed : v == "fixed" ? Variant::fixed : Variant::bug_unlocked;
    balance_ = ctx.int_param("initial_balance");
    min_balance_ = balance_;
    ops_ = ctx.int_param("ops");
    lo_ = ctx.int_param("amount_min");
    hi_ = ctx.int_param("amount_max");
    processing_s_ = ctx.num_param("processing_s");
    think_s_ = ctx.num_param("think_s");
  }

  void make_withdrawals(strain::Context& ctx) {
    for (std::int64_t k = 0; k < ops_; ++k) {
      const std::int64_t amount = ctx.rng().uniform(lo_, hi_);
      std::int64_t shown = 0;
      if (withdraw(ctx, amount, shown)) {
        withdrawn_.fetch_add(amount, std::memory_order_relaxed);
      } else {
        failed_.fetch_add(1, std::memory_order_relaxed);
      }
      report(shown);
      ctx.sleep(ctx.rng().real() * think_s_);
    }
  }

  void make_deposits(strain::Context& ctx) {
    for (std::int64_t k = 0; k < ops_; ++k) {
      const std::int64_t amount = ctx.rng().uniform(lo_, hi_);
      std::int64_t shown = 0;
      deposit(ctx, amount, shown);
      deposited_.fetch_add(amount, std::memory_order_relaxed);
      report(shown);
      ctx.sleep(ctx.rng().real() * think_s_);
    }
  }

  void check(strain::Context& ctx) {
    ctx.metric("final_balance", balance_);
    ctx.metric("deposited", deposited_.load());
    ctx.metric("withdrawn", withdrawn_.load());
    ctx.metric("min_balance", min_balance_);
    ctx.metric("failed_withdrawals", failed_.load());
  }

 private:
  enum class Variant { seed, fixed, bug_unlocked };

  // Returns whether the withdrawal happened; `shown` is the balance the
  // caller prints afterwards (the chapter's print(f"... balance: ...")).
  bool withdraw(strain::Context& ctx, std::int64_t amount, std::int64_t& shown) {
    if (variant_ == Variant::bug_unlocked) {
      // Check-then-act without the lock. The accesses are atomic so the bug
      // is the logic (an atomicity violation), not undefined behaviour.
      std::atomic_ref<std::int64_t> bal(balance_);
      if (bal.load(std::memory_order_relaxed) >= amount) {
        ctx.sleep(processing_s_);
        const std::int64_t now = bal.fetch_sub(amount, std::memory_order_relaxed) - amount;
        std::atomic_ref<std::int64_t> low(min_balance_);
        std::int64_t cur = low.load(std::memory_order_relaxed);
        while (now < cur && !low.compare_exchange_weak(cur, now, std::memory_order_relaxed)) {
        }
        shown = now;
        return true;
      }
      shown = bal.load(std::memory_order_relaxed);
      return false;
    }
    bool ok = false;
    {
      std::lock_guard<strain::Mutex> guard(lock_);
      if (balance_ >= amount) {
        ctx.sleep(processing_s_);
        balance_ -= amount;
        if (balance_ < min_balance_) min_balance_ = balance_;
        ok = true;
      }
      shown = balance_;
    }
    // The chapter prints account.balance after the call, outside the lock:
    // a racy read that the seed variant keeps.
    if (variant_ == Variant::seed) shown = balance_;
    return ok;
  }

  void deposit(strain::Context& ctx, std::int64_t amount, std::int64_t& shown) {
    if (variant_ == Variant::bug_unlocked) {
      // Deposits keep the lock's effect through an atomic add, so only the
      // withdrawal's check-then-act is broken.
      std::atomic_ref<std::int64_t> bal(balance_);
      ctx.sleep(processing_s_);
      shown = bal.fetch_add(amount, std::memory_order_relaxed) + amount;
      return;
    }
    {
      std::lock_guard<strain::Mutex> guard(lock_);
      ctx.sleep(processing_s_);
      balance_ += amount;
      shown = balance_;
    }
    if (variant_ == Variant::seed) shown = balance_;
  }

  // Stands in for print(): keeps the value observable without I/O.
  static void report(std::int64_t shown) { asm volatile("" : : "g"(shown) : "memory"); }

  Variant variant_ = Variant::fixed;
  strain::Mutex lock_;
  std::int64_t balance_ = 0;
  std::int64_t min_balance_ = 0;
  std::int64_t ops_ = 0, lo_ = 0, hi_ = 0;
  double processing_s_ = 0, think_s_ = 0;
  std::atomic<std::int64_t> deposited_{0}, withdrawn_{0}, failed_{0};
};

}  // namespace

STRAIN_SCENARIO(BankAccount, bank_account);
