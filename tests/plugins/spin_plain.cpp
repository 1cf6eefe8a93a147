// An INSTRUMENT test body whose started thread spins on a volatile flag that
// nothing sets. With plain_accesses: off its reads are not schedule points,
// so under the controlled strategy it holds the turn forever: the hang
// report must name the loop (its function and line) from the site and the
// shadow stack the thread keeps, not only say that the turn is held.

#include <strain/plugin.hpp>

#include <thread>

namespace {

volatile bool g_never = false;

[[gnu::noinline]] void wait_for_flag() {
  while (!g_never) {  // the spin the report must name
  }
}

[[gnu::noinline]] void start_waiting() { wait_for_flag(); }

}  // namespace

STRAIN_TEST(spin_plain) {
  std::thread t(start_waiting);
  t.join();
}
