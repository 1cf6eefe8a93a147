#pragma once
// Hides the controlled scheduler from ThreadSanitizer.
//
// Under `controlled` the scheduler hands the one running turn from role to
// role through atomics and futexes. To TSan each hand-off would be a
// release/acquire pair, i.e. a happens-before edge between the roles, and it
// would hide every data race of the plugin whose accesses the hand-off
// separates: every race, since roles never run at the same time. The
// scheduler therefore runs with TSan ignoring its synchronisation (its
// hand-offs create no edges) and its own memory accesses (its bookkeeping,
// touched by whichever role holds the turn, is not the plugin's race). This
// is what AnnotateIgnoreSyncBegin/End exist for; Go's race detector and
// Fray make the same separation between the scheduler's edges and the
// program's. The plugin's own synchronisation (the pthread mutex under a
// strain::Mutex, a release store on a strain::Atomic) still runs outside
// the region and creates the edges it should.

#include "runtime/tsan_build.hpp"

#ifdef STRAIN_TSAN_BUILD
extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line);
void AnnotateIgnoreSyncEnd(const char* file, int line);
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
}
#endif

namespace strain {

//! While alive, TSan ignores this thread's synchronisation and accesses.
//! Nothing in a build without TSan.
class TsanIgnore {
 public:
#ifdef STRAIN_TSAN_BUILD
  TsanIgnore() noexcept {
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~TsanIgnore() {
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  }
#else
  // User-provided, so that a guard is not an "unused variable".
  TsanIgnore() noexcept {}
  ~TsanIgnore() {}
#endif
  TsanIgnore(const TsanIgnore&) = delete;
  TsanIgnore& operator=(const TsanIgnore&) = delete;
};

}  // namespace strain
