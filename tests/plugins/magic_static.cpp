// A function-local static with a constructor that takes a std::mutex, the
// shape of a lazily built singleton in ordinary C++: the first role to call
// instance() runs the constructor, and a schedule point inside it (the
// lock) lets the other role call instance() too, which waits in
// libstdc++'s __cxa_guard_acquire (a futex through syscall(), steered)
// until the first finishes. `contended` says whether the second role
// arrived while the constructor ran; the check expects one construction.
// The static lives once per process, so only a case's first trial can
// contend: tests run several cases, each in its own worker.

#include <atomic>
#include <mutex>
#include <strain/plugin.hpp>

namespace {

std::atomic<int> g_constructed{0};
std::atomic<bool> g_second_arrived{false};
std::atomic<bool> g_contended{false};

struct Registry {
  std::mutex m;
  int value = 0;
  Registry() {
    std::lock_guard<std::mutex> g(m);  // a point: the other role may run here
    if (g_second_arrived.load()) g_contended.store(true);
    value = 42;
    g_constructed.fetch_add(1);
  }
};

Registry& instance() {
  static Registry r;
  return r;
}

struct MagicStatic {
  static void declare(strain::Declare<MagicStatic>& d) {
    d.doc("two roles build a function-local static whose constructor takes a std::mutex")
        .role("first", &MagicStatic::first)
        .role("second", &MagicStatic::second)
        .metric("contended", "1 if the second role called instance() during the constructor")
        .metric("constructed", "constructions of the static so far");
  }
  int seen[2] = {0, 0};
  void first(strain::Context&) { seen[0] = instance().value; }
  void second(strain::Context&) {
    g_second_arrived.store(true);
    seen[1] = instance().value;
  }
  void check(strain::Context& ctx) {
    ctx.metric("contended", g_contended.load() ? 1 : 0);
    ctx.metric("constructed", g_constructed.load());
    ctx.expect(g_constructed.load() == 1, "the static was constructed once");
    ctx.expect(seen[0] == 42 && seen[1] == 42, "both roles saw it constructed");
  }
};

}  // namespace

STRAIN_SCENARIO(MagicStatic, magic_static)
