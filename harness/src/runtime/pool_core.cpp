// strain::ProcessPool's untyped halves (strain/process_pool.hpp): PoolCore,
// FutureBase and FinishOrder, thin handles on the engine
// (runtime/pool_engine.hpp).

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "runtime/pool_engine.hpp"

namespace strain::detail {

PoolCore::PoolCore(const PoolOptions& options, std::size_t arg_size, std::size_t arg_align,
                   std::size_t result_size, std::size_t result_align, RunFn run, const void* self)
    : e_(std::make_unique<Engine>(options, arg_size, arg_align, result_size, result_align, run,
                                  self)) {}
PoolCore::~PoolCore() = default;
unsigned PoolCore::workers() const noexcept { return e_->workers(); }
std::size_t PoolCore::max_pending() const noexcept { return e_->max_pending(); }
std::vector<pid_t> PoolCore::pids() const { return e_->pids(); }
PoolCore::Handle PoolCore::submit(const void* arg) { return e_->submit(arg); }

FutureBase::FutureBase(FutureBase&& other) noexcept
    : core_(std::exchange(other.core_, nullptr)), handle_(other.handle_) {}

FutureBase& FutureBase::operator=(FutureBase&& other) noexcept {
  if (this != &other) {
    if (core_ != nullptr) core_->e_->drop(handle_);
    core_ = std::exchange(other.core_, nullptr);
    handle_ = other.handle_;
  }
  return *this;
}

FutureBase::~FutureBase() {
  if (core_ != nullptr) core_->e_->drop(handle_);
}

PoolCore& FutureBase::core() const {
  if (core_ == nullptr) throw std::logic_error("strain::Future: empty (already collected?)");
  return *core_;
}

bool FutureBase::ready() const { return core().e_->ready(handle_); }
void FutureBase::wait() const { (void)core().e_->wait(handle_, nullptr); }
bool FutureBase::wait_for(std::chrono::duration<double> timeout) const {
  const timespec deadline = deadline_after_seconds(timeout.count());
  return core().e_->wait(handle_, &deadline);
}

void FutureBase::take(void* out) {
  PoolCore& c = core();
  core_ = nullptr;
  c.e_->take(handle_, out);
}

void FinishOrder::add(const FutureBase& f) {
  handles_.push_back(f.handle_);
  taken_.push_back(f.valid() ? 0 : 1);
  if (!f.valid()) return;
  if (core_ == nullptr) core_ = f.core_;
  if (f.core_ != core_)
    throw std::invalid_argument("strain::as_completed: the futures come from different pools");
  ++left_;
}

std::size_t FinishOrder::next() {
  if (left_ == 0) return SIZE_MAX;
  const std::size_t k = core_->e_->wait_first(handles_, taken_);
  taken_[k] = 1;
  --left_;
  return k;
}

}  // namespace strain::detail
