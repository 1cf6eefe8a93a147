#pragma once
// How much thread_local data a loaded plugin has of its own: the size of the
// TLS segment (PT_TLS) of the shared object that holds a given address,
// less what the strain runtime linked into every plugin keeps there. Roles
// run as fibers share one thread's (sched/role_fibers.hpp), so a plugin
// with some of its own is told so.

#include <cstddef>

namespace strain::plugin {

//! Bytes of thread_local data in the loaded object that contains `inside`
//! (an address in its code or data) beyond the strain runtime's own; 0 if
//! it has none, or no loaded object contains the address.
std::size_t own_thread_local_bytes(const void* inside);

}  // namespace strain::plugin
