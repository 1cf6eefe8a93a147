#pragma once
// Synchronisation primitives for scenarios. Each works between threads and, placed in a MAP_SHARED
// state, between role processes forked from the same parent: no heap, no per-process pointers.
// Every operation is a schedule point (detail::sync_point, in sync/pthread.hpp).

#include "strain/sync/atomic.hpp"     // Atomic
#include "strain/sync/mutex.hpp"      // Mutex, CondVar
#include "strain/sync/pthread.hpp"    // OwnerDied, detail::sync_point
#include "strain/sync/queue.hpp"      // Queue, QueueClosed
#include "strain/sync/semaphore.hpp"  // Semaphore, Barrier
