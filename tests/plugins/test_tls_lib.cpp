// A library of the code under test with thread_local data of its own, which
// the plugin fiber_lib_tls links: the plugin itself has none, so only the
// loader's look at what its load brought (plugin/module_tls.hpp) tells that
// its roles run as fibers would share this.

extern "C" __attribute__((visibility("default"))) int* strain_test_tls_slot() {
  static thread_local int slot = -1;
  return &slot;
}
