// Strain's definitions of the entry points clang's (and gcc's)
// ThreadSanitizer pass calls from code compiled with -fsanitize=thread: a
// plugin built with strain_add_plugin(... INSTRUMENT) is compiled that way
// and not linked with the TSan runtime, so the dynamic linker binds these
// calls to the host's definitions (the executable exports them).
//
// On a thread of a steered trial (sched::tls_steer set) every atomic
// operation is a schedule point with its memory order fed to the weak memory
// model, and plain accesses are points as the spec's plain_accesses says.
// Everywhere else each entry point does the operation itself (atomics) or
// nothing (plain accesses) after one thread-local load and a branch: an
// instrumented plugin runs at close to native speed under `none`.
//
// The signatures follow compiler-rt's tsan_interface.h and
// tsan_interface_atomic.h (the ABI both compilers emit calls to); the
// memory orders are numbered as std::memory_order's.

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/shadow_stack.hpp"
#include "sched/steer.hpp"
#include "strain/context.hpp"

#define STRAIN_TSAN_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using strain::detail::Access;
using strain::sched::Steer;
using strain::sched::tls_steer;
using a8 = char;
using a16 = short;
using a32 = int;
using a64 = long long;
__extension__ typedef __int128 a128;

using strain::sched::ShadowStack;
using strain::sched::tls_shadow;

// The helpers below are always inlined into the exported entry points, so
// that __builtin_return_address(0) in them is the instrumented code's pc:
// the site a report names (sched/shadow_stack.hpp). It is read on a steered
// thread only.
#define STRAIN_INLINE inline __attribute__((always_inline))
#define STRAIN_NOTE_SITE(s) ((s)->site = __builtin_return_address(0))

// A plain access on a steered thread. Out of line and cold: inlined, its
// calls made every entry point save two registers and grow the stack before
// the check, on the path that does nothing (steer_bench, a plain int write:
// 2.2 ns over native with that prologue, 1.45-1.6 ns with one push left,
// which gcc 12 keeps).
[[gnu::noinline, gnu::cold]] void steered_plain_access(const void* addr, bool write,
                                                       void* site) noexcept {
  Steer* s = tls_steer;
  // Noted even when the access is not a point: a thread spinning on a plain
  // variable under plain_accesses: off is named at its loop in a hang.
  s->site = site;
  if (s->plain == Steer::Plain::off) return;
  if (s->plain == Steer::Plain::shared && !s->controller->shared_access(s->index, addr)) return;
  s->controller->point(s->index, write ? "write" : "read", addr,
                       write ? Access::write : Access::read);
}

STRAIN_INLINE void plain_access(const void* addr, bool write) noexcept {
  if (tls_steer == nullptr) [[likely]]
    return;
  steered_plain_access(addr, write, __builtin_return_address(0));
}

// Atomics on the real object: a steered thread runs alone, and outside a
// steered trial the operation is what the code asked for. A memory order
// not known at compile time makes the builtins seq_cst, which is never
// weaker than the one asked for.
template <class T>
T do_load(const volatile T* a) noexcept {
  return __atomic_load_n(a, __ATOMIC_SEQ_CST);
}

template <class T>
constexpr bool kModelled = sizeof(T) <= sizeof(std::uint64_t);

template <class T>
std::uint64_t bits(T v) noexcept {
  if constexpr (kModelled<T>)
    return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v));
  else
    return 0;
}

template <class T>
STRAIN_INLINE T load(const volatile T* a, int mo) noexcept {
  Steer* s = tls_steer;
  if (s == nullptr) [[likely]]
    return do_load(a);
  STRAIN_NOTE_SITE(s);
  s->controller->point(s->index, "atomic.load", const_cast<const T*>(a), Access::read);
  const T newest = do_load(a);
  if constexpr (kModelled<T>)
    return static_cast<T>(s->controller->load(s->index, const_cast<const T*>(a), bits(newest), mo));
  return newest;
}

template <class T>
STRAIN_INLINE void store(volatile T* a, T v, int mo) noexcept {
  Steer* s = tls_steer;
  if (s == nullptr) [[likely]] {
    if (mo <= static_cast<int>(std::memory_order_release))
      __atomic_store_n(a, v, __ATOMIC_RELEASE);
    else
      __atomic_store_n(a, v, __ATOMIC_SEQ_CST);
    return;
  }
  STRAIN_NOTE_SITE(s);
  s->controller->point(s->index, "atomic.store", const_cast<const T*>(a), Access::write);
  const T before = do_load(a);
  __atomic_store_n(a, v, __ATOMIC_SEQ_CST);
  if constexpr (kModelled<T>)
    s->controller->store(s->index, const_cast<const T*>(a), bits(before), bits(v), mo, false);
}

// A read-modify-write: `op` returns the previous value.
template <class T, class Op>
STRAIN_INLINE T update(volatile T* a, int mo, const char* label, Op op) noexcept {
  Steer* s = tls_steer;
  if (s == nullptr) [[likely]]
    return op();
  STRAIN_NOTE_SITE(s);
  s->controller->point(s->index, label, const_cast<const T*>(a), Access::update);
  const T before = op();
  if constexpr (kModelled<T>)
    s->controller->store(s->index, const_cast<const T*>(a), bits(before), bits(do_load(a)), mo,
                         true);
  return before;
}

template <class T>
STRAIN_INLINE bool cas(volatile T* a, T* expected, T desired, int mo, int fmo) noexcept {
  Steer* s = tls_steer;
  if (s == nullptr) [[likely]]
    return __atomic_compare_exchange_n(a, expected, desired, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
  STRAIN_NOTE_SITE(s);
  s->controller->point(s->index, "atomic.compare_exchange", const_cast<const T*>(a),
                       Access::update);
  const T before = *expected;
  const bool ok =
      __atomic_compare_exchange_n(a, expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  if constexpr (kModelled<T>) {
    if (ok)
      s->controller->store(s->index, const_cast<const T*>(a), bits(before), bits(desired), mo,
                           true);
    else  // a failed compare-exchange reads the newest value
      (void)s->controller->load(s->index, const_cast<const T*>(a), bits(*expected),
                                fmo | strain::detail::kLoadNewest);
  }
  return ok;
}

}  // namespace

// --- start-up, functions, vtables -------------------------------------------
STRAIN_TSAN_EXPORT void __tsan_init() {}
// The shadow stack (sched/shadow_stack.hpp) is kept on every thread, steered
// or not: a thread's frames entered before its trial was steered are still
// on it. Relaxed atomic stores compile to plain movs.
STRAIN_TSAN_EXPORT void __tsan_func_entry(void* pc) {
  ShadowStack& st = tls_shadow;
  const int d = st.depth;
  if (d < ShadowStack::kDepth) [[likely]] {
    __atomic_store_n(&st.fn[d], __builtin_return_address(0), __ATOMIC_RELAXED);
    __atomic_store_n(&st.call[d], pc, __ATOMIC_RELAXED);
  }
  __atomic_store_n(&st.depth, d + 1, __ATOMIC_RELAXED);
}
STRAIN_TSAN_EXPORT void __tsan_func_exit() {
  ShadowStack& st = tls_shadow;
  __atomic_store_n(&st.depth, st.depth - 1, __ATOMIC_RELAXED);
}
STRAIN_TSAN_EXPORT void __tsan_ignore_thread_begin() {}
STRAIN_TSAN_EXPORT void __tsan_ignore_thread_end() {}
// A vptr store is the object's construction or destruction, not data the
// threads share through; reads of it likewise.
STRAIN_TSAN_EXPORT void __tsan_vptr_update(void**, void*) {}
STRAIN_TSAN_EXPORT void __tsan_vptr_read(void**) {}

// --- plain accesses -------------------------------------------------------------
#define STRAIN_PLAIN(size)                                                                       \
  STRAIN_TSAN_EXPORT void __tsan_read##size(void* a) { plain_access(a, false); }                 \
  STRAIN_TSAN_EXPORT void __tsan_write##size(void* a) { plain_access(a, true); }                 \
  STRAIN_TSAN_EXPORT void __tsan_read##size##_pc(void* a, void*) { plain_access(a, false); }     \
  STRAIN_TSAN_EXPORT void __tsan_write##size##_pc(void* a, void*) { plain_access(a, true); }     \
  STRAIN_TSAN_EXPORT void __tsan_unaligned_read##size(const void* a) { plain_access(a, false); } \
  STRAIN_TSAN_EXPORT void __tsan_unaligned_write##size(void* a) { plain_access(a, true); }       \
  STRAIN_TSAN_EXPORT void __tsan_volatile_read##size(void* a) { plain_access(a, false); }        \
  STRAIN_TSAN_EXPORT void __tsan_volatile_write##size(void* a) { plain_access(a, true); }
STRAIN_PLAIN(1)
STRAIN_PLAIN(2)
STRAIN_PLAIN(4)
STRAIN_PLAIN(8)
STRAIN_PLAIN(16)
#undef STRAIN_PLAIN
STRAIN_TSAN_EXPORT void __tsan_read_range(void* a, unsigned long) { plain_access(a, false); }
STRAIN_TSAN_EXPORT void __tsan_write_range(void* a, unsigned long) { plain_access(a, true); }

// --- atomics ----------------------------------------------------------------------
#define STRAIN_ATOMIC(w)                                                                       \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_load(const volatile a##w* a, int mo) {            \
    return load(a, mo);                                                                        \
  }                                                                                            \
  STRAIN_TSAN_EXPORT void __tsan_atomic##w##_store(volatile a##w* a, a##w v, int mo) {         \
    store(a, v, mo);                                                                           \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_exchange(volatile a##w* a, a##w v, int mo) {      \
    return update(a, mo, "atomic.exchange",                                                    \
                  [&] { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); });                \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_fetch_add(volatile a##w* a, a##w v, int mo) {     \
    return update(a, mo, "atomic.fetch_add",                                                   \
                  [&] { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); });                 \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_fetch_sub(volatile a##w* a, a##w v, int mo) {     \
    return update(a, mo, "atomic.fetch_sub",                                                   \
                  [&] { return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); });                 \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_fetch_and(volatile a##w* a, a##w v, int mo) {     \
    return update(a, mo, "atomic.fetch_and",                                                   \
                  [&] { return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST); });                 \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_fetch_or(volatile a##w* a, a##w v, int mo) {      \
    return update(a, mo, "atomic.fetch_or",                                                    \
                  [&] { return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST); });                  \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_fetch_xor(volatile a##w* a, a##w v, int mo) {     \
    return update(a, mo, "atomic.fetch_xor",                                                   \
                  [&] { return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST); });                 \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_fetch_nand(volatile a##w* a, a##w v, int mo) {    \
    return update(a, mo, "atomic.fetch_nand",                                                  \
                  [&] { return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST); });                \
  }                                                                                            \
  STRAIN_TSAN_EXPORT int __tsan_atomic##w##_compare_exchange_strong(volatile a##w* a, a##w* c, \
                                                                    a##w v, int mo, int fmo) { \
    return cas(a, c, v, mo, fmo);                                                              \
  }                                                                                            \
  STRAIN_TSAN_EXPORT int __tsan_atomic##w##_compare_exchange_weak(volatile a##w* a, a##w* c,   \
                                                                  a##w v, int mo, int fmo) {   \
    return cas(a, c, v, mo, fmo);                                                              \
  }                                                                                            \
  STRAIN_TSAN_EXPORT a##w __tsan_atomic##w##_compare_exchange_val(volatile a##w* a, a##w c,    \
                                                                  a##w v, int mo, int fmo) {   \
    (void)cas(a, &c, v, mo, fmo);                                                              \
    return c;                                                                                  \
  }
STRAIN_ATOMIC(8)
STRAIN_ATOMIC(16)
STRAIN_ATOMIC(32)
STRAIN_ATOMIC(64)
STRAIN_ATOMIC(128)
#undef STRAIN_ATOMIC

// A fence synchronises with every thread in the weak memory model (as the
// primitives do): fewer stale reads than the standard allows, never more.
STRAIN_TSAN_EXPORT void __tsan_atomic_thread_fence(int) {
  if (Steer* s = tls_steer) {
    STRAIN_NOTE_SITE(s);
    s->controller->point(s->index, "atomic.fence", nullptr, Access::sync);
    return;
  }
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
STRAIN_TSAN_EXPORT void __tsan_atomic_signal_fence(int) {}
