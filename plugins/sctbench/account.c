/* A bank account: a deposit and a withdrawal by two threads. The bug reads
   the balance for the withdrawal before taking the lock, so the deposit can
   be lost (SCTBench's CS.account_bad has this shape). */
/* assert() is the check here, also in a release build. */
#undef NDEBUG
#include <assert.h>
#include <pthread.h>

#include "sctbench.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int balance;
static int buggy;

static void* deposit(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  balance += 50;
  pthread_mutex_unlock(&m);
  return 0;
}

static void* withdraw(void* arg) {
  (void)arg;
  if (buggy) {
    int seen = balance; /* read outside the lock */
    pthread_mutex_lock(&m);
    balance = seen - 20;
    pthread_mutex_unlock(&m);
  } else {
    pthread_mutex_lock(&m);
    balance -= 20;
    pthread_mutex_unlock(&m);
  }
  return 0;
}

void sct_account(int bad) {
  pthread_t a, b;
  buggy = bad;
  balance = 100;
  pthread_create(&a, 0, deposit, 0);
  pthread_create(&b, 0, withdraw, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  assert(balance == 130);
}
