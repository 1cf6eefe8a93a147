/* Publication through a C11 atomic flag: the writer fills the payload and
   raises the flag; the reader reads the payload once it sees the flag. The
   bug raises the flag before the payload is written: the reader can see the
   flag and an empty payload. Only a schedule point at the plain write of
   the payload reaches it, which an INSTRUMENT build gives. */
/* assert() is the check here, also in a release build. */
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

#include "sctbench.h"

static atomic_int ready;
static int payload;
static int buggy;

static void* writer(void* arg) {
  (void)arg;
  if (buggy) {
    atomic_store_explicit(&ready, 1, memory_order_release);
    payload = 42;
  } else {
    payload = 42;
    atomic_store_explicit(&ready, 1, memory_order_release);
  }
  return 0;
}

static void* reader(void* arg) {
  (void)arg;
  if (atomic_load_explicit(&ready, memory_order_acquire)) assert(payload == 42);
  return 0;
}

void sct_publish(int bad) {
  pthread_t w, r;
  buggy = bad;
  payload = 0;
  atomic_store(&ready, 0);
  pthread_create(&w, 0, writer, 0);
  pthread_create(&r, 0, reader, 0);
  pthread_join(w, 0);
  pthread_join(r, 0);
}
