// The host's side of strain::expect() on a thread without a strain::Context
// (a thread the code under test started): the failure belongs to the role
// whose line started it.

#include <cstddef>
#include <string_view>

#include "sched/steer.hpp"
#include "strain/context.hpp"

extern "C" __attribute__((visibility("default"))) bool strain_record_failure(
    int kind, const char* what, std::size_t len) noexcept {
  strain::sched::Steer* s = strain::sched::tls_steer;
  if (s == nullptr || s->owner == nullptr) return false;
  s->owner->record(static_cast<strain::FailureKind>(kind), std::string_view(what, len));
  return true;
}
