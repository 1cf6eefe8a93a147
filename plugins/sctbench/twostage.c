/* Two stages under two locks (SCTBench's CS.twostage_bad has this shape):
   the updater sets data1 under one lock and data2 = data1 + 1 under another;
   the checker must never see data2 out of step. The bug releases the first
   lock between the stages, so the checker can run in between. */
/* assert() is the check here, also in a release build. */
#undef NDEBUG
#include <assert.h>
#include <pthread.h>

#include "sctbench.h"

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static int data1, data2;
static int buggy;

static void* updater(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m1);
  data1 = 1;
  if (buggy) pthread_mutex_unlock(&m1);
  pthread_mutex_lock(&m2);
  data2 = data1 + 1;
  pthread_mutex_unlock(&m2);
  if (!buggy) pthread_mutex_unlock(&m1);
  return 0;
}

static void* checker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m1);
  if (data1 == 1) {
    pthread_mutex_lock(&m2);
    assert(data2 == data1 + 1);
    pthread_mutex_unlock(&m2);
  }
  pthread_mutex_unlock(&m1);
  return 0;
}

void sct_twostage(int bad) {
  pthread_t u, c;
  buggy = bad;
  data1 = data2 = 0;
  pthread_create(&u, 0, updater, 0);
  pthread_create(&c, 0, checker, 0);
  pthread_join(u, 0);
  pthread_join(c, 0);
}
