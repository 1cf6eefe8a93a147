// A valid shared library that registers no scenario.

extern "C" __attribute__((visibility("default"))) int strain_test_not_a_scenario() { return 42; }
