// A worker thread fed through an event loop, as ordinary C++ and Linux: the
// poster puts an item in a std::mutex-guarded deque and writes 1 to an
// eventfd; the worker sleeps in epoll_wait on the eventfd, reads it, and
// takes items. An eventfd adds up the writes made before the read, so one
// wake-up may stand for several posts. The fixed worker takes every item
// queued at each wake-up; the bug takes one per wake-up, and when the
// close coalesces with posts it stops with items left (lost work). The
// controlled scheduler parks the worker's epoll_wait and eventfd_read in the
// schedule (a read of the eventfd would otherwise block with the turn
// held), so the poster runs while the worker waits, and the coalescing
// interleaving is found and replayed.

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <optional>
#include <strain/plugin.hpp>
#include <string>
#include <string_view>
#include <thread>

namespace {

class Mailbox {
 public:
  Mailbox() : efd_(::eventfd(0, EFD_CLOEXEC)) {}
  ~Mailbox() { ::close(efd_); }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  int fd() const { return efd_; }
  void post(int item) {
    {
      std::lock_guard<std::mutex> g(m_);
      items_.push_back(item);
    }
    ::eventfd_write(efd_, 1);
  }
  void close() {
    {
      std::lock_guard<std::mutex> g(m_);
      closed_ = true;
    }
    ::eventfd_write(efd_, 1);
  }
  std::optional<int> take() {
    std::lock_guard<std::mutex> g(m_);
    if (items_.empty()) return std::nullopt;
    const int item = items_.front();
    items_.pop_front();
    return item;
  }
  bool closed() {
    std::lock_guard<std::mutex> g(m_);
    return closed_;
  }

 private:
  int efd_;
  std::mutex m_;
  std::deque<int> items_;
  bool closed_ = false;
};

// The worker's loop: wait for the eventfd, consume its count, take items.
int work(Mailbox& box, bool one_per_wakeup) {
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, box.fd(), &ev);
  int handled = 0;
  for (bool done = false; !done;) {
    epoll_event out{};
    if (::epoll_wait(ep, &out, 1, -1) != 1) continue;
    eventfd_t wakeups = 0;
    ::eventfd_read(box.fd(), &wakeups);
    // Closed is read before the items are taken: every post came before the
    // close, so once it is seen, what is queued now is all there will be.
    // (Read after the take, a post and the close could slip in between:
    // Strain found that in the first version of this loop.)
    const bool closing = box.closed();
    if (one_per_wakeup) {
      if (auto item = box.take()) handled += *item;
    } else {
      while (auto item = box.take()) handled += *item;
    }
    done = closing;
  }
  ::close(ep);
  return handled;
}

}  // namespace

STRAIN_TEST(std_eventfd_queue, "fixed", "bug_one_item_per_wakeup") {
  const bool bug = ctx.str_param("variant") == std::string_view("bug_one_item_per_wakeup");
  Mailbox box;
  int handled = 0;
  std::thread worker([&] { handled = work(box, bug); });
  for (int item = 1; item <= 3; ++item) box.post(item);
  box.close();
  worker.join();
  strain::expect(handled == 1 + 2 + 3,
                 "the worker handled items adding up to " + std::to_string(handled) + ", not 6");
}
