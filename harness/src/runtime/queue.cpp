// detail::QueueCore, the untyped part of strain::Queue (strain/sync/queue.hpp):
// every operation is a schedule point on the queue (the core is its first
// member, so it has the queue's address), then a step under the lock.

#include "strain/sync/queue.hpp"

#include <cstring>
#include <stdexcept>

#include "runtime/raw_sync.hpp"

namespace strain::detail {

bool QueueCore::push(Ring r, const void* item, bool block, const char* label) {
  sync_point(label, this);
  RawLock lock(m_, label);
  if (block) {
    while (count_ == r.capacity && !closed_) raw_wait(not_full_, m_, label);
  } else if (count_ == r.capacity && !closed_) {
    return false;
  }
  if (closed_) throw QueueClosed("push on a closed queue");
  std::memcpy(r.items + (head_ + count_) % r.capacity * r.size, item, r.size);
  ++count_;
  ++unfinished_;
  raw_signal(not_empty_);
  return true;
}

bool QueueCore::pop(Ring r, void* out, Wait wait, const timespec* deadline, const char* label) {
  sync_point(label, this);
  RawLock lock(m_, label);
  if (wait == Wait::block) {
    while (count_ == 0 && !closed_) raw_wait(not_empty_, m_, label);
  } else if (wait == Wait::deadline) {
    while (count_ == 0 && !closed_)
      if (!raw_wait_until(not_empty_, m_, *deadline, label)) break;
  }
  if (count_ == 0) return false;
  std::memcpy(out, r.items + head_ * r.size, r.size);
  head_ = (head_ + 1) % r.capacity;
  --count_;
  raw_signal(not_full_);
  return true;
}

std::size_t QueueCore::size() {
  sync_point("queue.size", this);
  RawLock lock(m_, "queue.size");
  return count_;
}

void QueueCore::close() {
  sync_point("queue.close", this);
  RawLock lock(m_, "queue.close");
  closed_ = true;
  raw_broadcast(not_empty_);
  raw_broadcast(not_full_);
}

bool QueueCore::closed() {
  sync_point("queue.closed", this);
  RawLock lock(m_, "queue.closed");
  return closed_;
}

void QueueCore::task_done() {
  sync_point("queue.task_done", this);
  RawLock lock(m_, "queue.task_done");
  if (unfinished_ == 0) throw std::logic_error("task_done() called more times than items pushed");
  if (--unfinished_ == 0) raw_broadcast(all_done_);
}

void QueueCore::join() {
  sync_point("queue.join", this);
  RawLock lock(m_, "queue.join");
  while (unfinished_ != 0) raw_wait(all_done_, m_, "queue.join");
}

}  // namespace strain::detail
