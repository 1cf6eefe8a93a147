// What roles run as fibers share: the thread's thread_local data. Each role
// stores its number in a thread_local of the plugin, passes schedule points
// (at which the other role runs), and expects its own number back: true of
// threads, not of fibers on one thread (docs/strategies.md). The plugin
// having thread_local data of its own, a run with fibers says so.

#include <strain/plugin.hpp>

namespace {

thread_local int g_mine = -1;

struct FiberTls {
  static void declare(strain::Declare<FiberTls>& d) {
    d.doc("each role keeps its number in a thread_local across schedule points")
        .role("left", &FiberTls::left)
        .role("right", &FiberTls::right);
  }

  static void keep(strain::Context& ctx, int mine) {
    g_mine = mine;
    for (int k = 0; k < 4; ++k) ctx.point("keep");
    ctx.expect(g_mine == mine, "a role's thread_local held its own number");
  }
  void left(strain::Context& ctx) { keep(ctx, 1); }
  void right(strain::Context& ctx) { keep(ctx, 2); }
};

}  // namespace

STRAIN_SCENARIO(FiberTls, fiber_tls)
