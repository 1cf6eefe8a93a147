// Boost.Asio as it is: an io_context run by two std::threads, four handlers
// posted to it, each adding one to a counter. The threads wait where Asio
// waits: its scheduler's condition variable, epoll_wait on its reactor's
// epoll descriptor, the eventfd that interrupts the reactor; the host steers
// each (the pthread functions and the I/O calls it exports), and the
// INSTRUMENT pass makes Asio's atomics and the counter's accesses points.
// Variant `strand`: the handlers go through a strand (one at a time):
// passes. `bug_no_strand`: posted straight to the io_context, two handlers
// may run at once on the two threads and lose an increment.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <strain/plugin.hpp>
#include <string>
#include <string_view>
#include <thread>

STRAIN_TEST(asio_pool, "strand", "bug_no_strand") {
  const bool bug = ctx.str_param("variant") == std::string_view("bug_no_strand");
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  auto strand = boost::asio::make_strand(io);
  int counter = 0;
  std::thread a([&] { io.run(); });
  std::thread b([&] { io.run(); });
  for (int k = 0; k < 4; ++k) {
    auto add = [&counter] {
      const int seen = counter;
      counter = seen + 1;
    };
    if (bug)
      boost::asio::post(io, add);
    else
      boost::asio::post(strand, add);
  }
  work.reset();
  a.join();
  b.join();
  strain::expect(counter == 4, "the handlers counted " + std::to_string(counter) + ", not 4");
}
