// A thread the body starts and detaches instead of joining (the chapter's
// Basic Threading: a detached thread outliving its state). In a steered
// trial a thread still running when every role has ended is reported; the
// trial waits for it to end before it checks and destroys the state. Its
// data lives on the heap here, so that the late thread writes to memory
// that still exists.

#include <strain/plugin.hpp>

#include <memory>
#include <thread>

STRAIN_TEST(std_detached_thread, "joined", "detached") {
  auto work = std::make_shared<int>(0);
  std::thread t([work] {
    for (int i = 0; i < 3; ++i) std::this_thread::yield();
    *work = 1;
  });
  if (ctx.str_param("variant") == "joined")
    t.join();
  else
    t.detach();
}
