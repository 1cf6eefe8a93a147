// A thread the body starts and detaches instead of joining (the chapter's
// Basic Threading: a detached thread outliving its state). In a steered
// trial a thread still running when every role has ended is reported; the
// trial waits for it to end before it checks and destroys the state. Its
// data lives on the heap here, so that the late thread writes to memory
// that still exists. `attr_detached`: a pthread started detached by its
// attributes (PTHREAD_CREATE_DETACHED), which nobody joins either.

#include <pthread.h>

#include <memory>
#include <strain/plugin.hpp>
#include <thread>

namespace {

void* late_write(void* p) {
  auto* work = static_cast<std::shared_ptr<int>*>(p);
  for (int i = 0; i < 3; ++i) std::this_thread::yield();
  **work = 1;
  delete work;
  return nullptr;
}

}  // namespace

STRAIN_TEST(std_detached_thread, "joined", "detached", "attr_detached") {
  auto work = std::make_shared<int>(0);
  if (ctx.str_param("variant") == "attr_detached") {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    auto* arg = new std::shared_ptr<int>(work);
    if (pthread_create(&t, &attr, &late_write, arg) != 0) {
      delete arg;
      ctx.fail("no thread");
    }
    pthread_attr_destroy(&attr);
    return;
  }
  std::thread t([work] {
    for (int i = 0; i < 3; ++i) std::this_thread::yield();
    *work = 1;
  });
  if (ctx.str_param("variant") == "joined")
    t.join();
  else
    t.detach();
}
