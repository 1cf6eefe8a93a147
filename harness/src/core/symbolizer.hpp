#pragma once
// Names code addresses of this process: function, file:line, and the
// functions inlined there, from the modules' symbol tables and DWARF,
// through elfutils' libdw (no addr2line process, no shell), loaded when
// first needed: libdw.so.1, or the file STRAIN_LIBDW names. Without it, the
// module, offset and dynamic symbol of each frame, and that libdw is missing.

#include <cstdint>
#include <string>
#include <vector>

namespace strain {

//! One code address, symbolized.
struct SymbolizedFrame {
  std::string module;         // the file of the executable or library holding it
  std::uintptr_t offset = 0;  // the address relative to the module's load address
  bool in_host = false;       // the module is strain's executable
  //! "function file:line" of the innermost function at the address (an
  //! inlined one if the code was inlined), with what is known of the two;
  //! empty when nothing is.
  std::string text;
  //! The functions the code was inlined into, innermost first, each as
  //! "function file:line" of its call site.
  std::vector<std::string> inlined_in;
};

//! Symbolizes `addresses` of the running process. Each is a return address
//! as backtrace() records it (the byte after a call), so it is looked up one
//! byte earlier, inside the call. Paths are normalised ("a/../b" is "b"),
//! and relative ones are given from the source tree (no leading "../").
//! A symbol is only named when the address lies inside it: a library
//! stripped of its local symbols does not lend its nearest exported name.
std::vector<SymbolizedFrame> symbolize_addresses(const std::vector<void*>& addresses);

}  // namespace strain
