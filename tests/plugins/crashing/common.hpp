#pragma once
// A scenario each crashing plugin registers, so that the host's symbol check
// passes and the crash happens where it would in a real plugin: in dlopen()
// (a static constructor) or in describe() (declare()).

#include <strain/strain.hpp>

namespace crashing {

struct Harmless {
  static void declare(strain::Declare<Harmless>& d) {
    d.doc("Never runs: its library crashes first").role("only", &Harmless::only);
  }
  void setup(strain::Context&) {}
  void only(strain::Context&) {}
  void check(strain::Context&) {}
};

}  // namespace crashing
