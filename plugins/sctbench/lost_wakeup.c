/* A lost wake-up: a waiter waits for a signal. The correct waiter checks a
   flag under the lock in a loop; the buggy one waits unconditionally, so a
   signal sent before it waits is lost and it waits forever. */
#include <pthread.h>

#include "sctbench.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready;
static int buggy;

static void* waiter(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  if (buggy) {
    pthread_cond_wait(&c, &m);
  } else {
    while (!ready) pthread_cond_wait(&c, &m);
  }
  pthread_mutex_unlock(&m);
  return 0;
}

static void* signaller(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  ready = 1;
  pthread_cond_signal(&c);
  pthread_mutex_unlock(&m);
  return 0;
}

void sct_lost_wakeup(int bad) {
  pthread_t w, s;
  buggy = bad;
  ready = 0;
  pthread_create(&w, 0, waiter, 0);
  pthread_create(&s, 0, signaller, 0);
  pthread_join(w, 0);
  pthread_join(s, 0);
}
