// fiber_tls's roles with the thread_local in a library the plugin links
// (test_tls_lib.cpp): each role stores its number there, passes schedule
// points, and expects its own number back. True of threads; not of fibers
// on one thread, so by default the case runs as threads, and a case that
// asks for fibers is told which library's thread_local data they shared.

#include <strain/plugin.hpp>

extern "C" int* strain_test_tls_slot();

namespace {

struct FiberLibTls {
  static void declare(strain::Declare<FiberLibTls>& d) {
    d.doc("each role keeps its number in a library's thread_local across schedule points")
        .role("left", &FiberLibTls::left)
        .role("right", &FiberLibTls::right);
  }

  static void keep(strain::Context& ctx, int mine) {
    *strain_test_tls_slot() = mine;
    for (int k = 0; k < 4; ++k) ctx.point("keep");
    ctx.expect(*strain_test_tls_slot() == mine, "a role's thread_local held its own number");
  }
  void left(strain::Context& ctx) { keep(ctx, 1); }
  void right(strain::Context& ctx) { keep(ctx, 2); }
};

}  // namespace

STRAIN_SCENARIO(FiberLibTls, fiber_lib_tls)
