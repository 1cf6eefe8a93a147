/* Lazy initialisation: two threads use a table that the first one to need
   it allocates. The bug checks "initialised?" without the lock (a broken
   double-checked lock whose flag is set before the table is filled). */
/* assert() is the check here, also in a release build. */
#undef NDEBUG
#include <assert.h>
#include <pthread.h>

#include "sctbench.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int initialised;
static int table[4];
static int buggy;

static void init_table(void) {
  initialised = 1; /* published before the table is filled */
  for (int i = 0; i < 4; ++i) table[i] = i + 1;
}

static void ensure(void) {
  if (buggy) {
    if (!initialised) {
      pthread_mutex_lock(&m);
      if (!initialised) init_table();
      pthread_mutex_unlock(&m);
    }
  } else {
    pthread_mutex_lock(&m);
    if (!initialised) init_table();
    pthread_mutex_unlock(&m);
  }
}

static void* user(void* arg) {
  (void)arg;
  ensure();
  assert(table[3] == 4);
  return 0;
}

void sct_lazy_init(int bad) {
  pthread_t a, b;
  buggy = bad;
  initialised = 0;
  for (int i = 0; i < 4; ++i) table[i] = 0;
  pthread_create(&a, 0, user, 0);
  pthread_create(&b, 0, user, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
}
