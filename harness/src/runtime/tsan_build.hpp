#pragma once
// Whether this translation unit is built with ThreadSanitizer: g++ says so
// with __SANITIZE_THREAD__, clang with __has_feature(thread_sanitizer). The
// one place that asks; the runtime, core's TsanIgnore and the tests read it.

#if defined(__SANITIZE_THREAD__)
#define STRAIN_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRAIN_TSAN_BUILD 1
#endif
#endif

// The same as a value, 0 or 1, for `constexpr bool` and `if constexpr`
// (no namespace: the integration tests' strain() must stay unambiguous).
#ifdef STRAIN_TSAN_BUILD
#define STRAIN_IS_TSAN_BUILD 1
#else
#define STRAIN_IS_TSAN_BUILD 0
#endif
