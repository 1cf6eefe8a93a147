// The chapter's bank account (Thread Synchronization) as ordinary C++: an
// Account guarded by a std::mutex, two threads withdrawing. Nothing from
// <strain/sync.hpp>: the controlled strategy steers std::mutex and
// std::thread through the pthread functions the host exports, and the
// accesses through the ThreadSanitizer pass (INSTRUMENT).

#include <strain/plugin.hpp>

#include <mutex>
#include <thread>

namespace {

class Account {
 public:
  explicit Account(int balance) : balance_(balance) {}

  // The fixed withdraw: check and act under one lock.
  bool withdraw(int amount) {
    std::lock_guard<std::mutex> guard(m_);
    if (balance_ < amount) return false;
    balance_ -= amount;
    return true;
  }

  // The seeded bug: the check outside the lock (check-then-act), so both
  // threads may pass it before either takes the money.
  bool withdraw_unlocked_check(int amount) {
    if (balance_ < amount) return false;
    std::lock_guard<std::mutex> guard(m_);
    balance_ -= amount;
    return true;
  }

  void deposit(int amount) {
    std::lock_guard<std::mutex> guard(m_);
    balance_ += amount;
  }

  int balance() {
    std::lock_guard<std::mutex> guard(m_);
    return balance_;
  }

 private:
  std::mutex m_;
  int balance_;
};

}  // namespace

STRAIN_TEST(std_bank_account, "fixed", "bug_unlocked_check") {
  const bool bug = ctx.str_param("variant") == "bug_unlocked_check";
  Account account{100};
  auto withdraw = [&] { return bug ? account.withdraw_unlocked_check(80) : account.withdraw(80); };
  std::thread other([&] {
    withdraw();
    account.deposit(10);
  });
  withdraw();
  other.join();
  const int balance = account.balance();
  strain::expect(balance >= 0, "the balance went negative: " + std::to_string(balance));
}
