#include "sched/steer.hpp"

namespace strain::sched {

__thread Steer* tls_steer = nullptr;

}  // namespace strain::sched
