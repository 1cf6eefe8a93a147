#include "core/symbolizer.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fmt/format.h>
#include <link.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace strain {

namespace {

// libdw, loaded on the first symbolization rather than linked: with its
// libelf, libz, liblzma and libbz2 it cost every strain process ~1.3 ms of
// start-up (a hello world linked with -ldw: 3.1 -> 4.4 ms on the CI
// machine), and a run starts a worker process per case, while stacks are
// symbolized only for hang and deadlock reports. The pointers are typed by
// the headers' own declarations (decltype), so a mismatch does not compile.
// One X per function, in rows (clang-format would stair-step them).
// clang-format off
#define STRAIN_LIBDW_FUNCTIONS(X)                                                          \
  X(dwarf_attr) X(dwarf_attr_integrate) X(dwarf_diename) X(dwarf_filesrc)                  \
  X(dwarf_formref_die) X(dwarf_formstring) X(dwarf_formudata) X(dwarf_getscopes)           \
  X(dwarf_getscopes_die) X(dwarf_getsrcfiles) X(dwarf_tag) X(dwfl_addrmodule)              \
  X(dwfl_begin) X(dwfl_end) X(dwfl_lineinfo) X(dwfl_linux_proc_find_elf)                   \
  X(dwfl_linux_proc_report) X(dwfl_module_addrdie) X(dwfl_module_addrinfo)                 \
  X(dwfl_module_getsrc) X(dwfl_module_info) X(dwfl_report_begin) X(dwfl_report_end)        \
  X(dwfl_standard_find_debuginfo) X(dwfl_module_nextcu) X(dwarf_haspc) X(dwarf_getsrc_die)  \
  X(dwarf_linesrc) X(dwarf_lineno)
// clang-format on

struct Libdw {
#define STRAIN_LIBDW_MEMBER(name) decltype(&::name) name = nullptr;
  STRAIN_LIBDW_FUNCTIONS(STRAIN_LIBDW_MEMBER)
#undef STRAIN_LIBDW_MEMBER
  bool loaded = false;
};

// The table, loaded once (never unloaded); `loaded` is false if libdw.so.1
// or one of its functions is missing (then see symbolize_without_libdw()).
const Libdw& dw() {
  static const Libdw table = [] {
    Libdw t;
    // STRAIN_LIBDW names another libdw (one outside the loader's path).
    const char* name = std::getenv("STRAIN_LIBDW");
    void* lib =
        ::dlopen(name != nullptr && *name != '\0' ? name : "libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return t;
    bool all = true;
#define STRAIN_LIBDW_LOAD(name)                                      \
  t.name = reinterpret_cast<decltype(&::name)>(::dlsym(lib, #name)); \
  all = all && t.name != nullptr;
    STRAIN_LIBDW_FUNCTIONS(STRAIN_LIBDW_LOAD)
#undef STRAIN_LIBDW_LOAD
    t.loaded = all;
    return t;
  }();
  return table;
}

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// A source path as DWARF records it, normalised ("a/b/../c" is "a/c"). A
// relative one loses its leading "../": ccache's base dir records paths
// relative to the build folder (../../tests/plugins/fault.cpp from
// build/default), so what remains is the path in the source tree. The
// CU's DW_AT_comp_dir is not joined in: with CCACHE_NOHASHDIR an object
// shared between checkouts keeps the folder of the checkout that compiled
// it first, which would point the reader at another tree.
std::string normal(const char* path) {
  if (path == nullptr) return {};
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  if (p.is_absolute()) return p.string();
  std::filesystem::path rest;
  bool leading = true;
  for (const auto& part : p) {
    if (leading && part == "..") continue;
    leading = false;
    rest /= part;
  }
  return rest.string();
}

// A DIE's function name: the demangled linkage name (with the parameter
// types) when DWARF has one, else the name qualified by its enclosing
// namespaces and classes; both looked up through DW_AT_abstract_origin and
// DW_AT_specification. GCC gives no linkage name to members of classes in
// an anonymous namespace, which plugins use for their scenarios.
std::string die_function(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  for (const int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (dw().dwarf_attr_integrate(die, name, &attr) != nullptr)
      if (const char* s = dw().dwarf_formstring(&attr); s != nullptr) return demangle(s);
  }
  // The declaration: where the name is, inside its class and namespaces.
  Dwarf_Die decl = *die, next;
  for (int hops = 0; hops < 8; ++hops) {
    Dwarf_Attribute ref;
    if (dw().dwarf_attr(&decl, DW_AT_abstract_origin, &ref) == nullptr &&
        dw().dwarf_attr(&decl, DW_AT_specification, &ref) == nullptr)
      break;
    if (dw().dwarf_formref_die(&ref, &next) == nullptr) break;
    decl = next;
  }
  const char* plain = dw().dwarf_diename(&decl);
  if (plain == nullptr) return {};
  std::string qualified = plain;
  Dwarf_Die* scopes = nullptr;
  const int n = dw().dwarf_getscopes_die(&decl, &scopes);
  std::unique_ptr<Dwarf_Die, decltype(&std::free)> hold(scopes, &std::free);
  for (int k = 1; k < n; ++k) {
    const int tag = dw().dwarf_tag(&scopes[k]);
    if (tag != DW_TAG_namespace && tag != DW_TAG_class_type && tag != DW_TAG_structure_type &&
        tag != DW_TAG_union_type)
      continue;
    const char* scope = dw().dwarf_diename(&scopes[k]);
    qualified = std::string(scope != nullptr ? scope : "(anonymous namespace)") + "::" + qualified;
  }
  return qualified;
}

std::string located(std::string function, const std::string& file, int line) {
  if (function.empty()) function = "??";
  if (file.empty()) return function;
  return line > 0 ? fmt::format("{} {}:{}", function, file, line) : function + " " + file;
}

// The compile unit holding `pc`, and its bias. libdw finds it through
// .debug_aranges, which clang (14) does not emit: without the scan of the
// units' ranges below, frames of clang-built code had no file:line.
Dwarf_Die* compile_unit(Dwfl_Module* mod, Dwarf_Addr pc, Dwarf_Addr& bias) {
  if (Dwarf_Die* cu = dw().dwfl_module_addrdie(mod, pc, &bias)) return cu;
  for (Dwarf_Die* cu = nullptr; (cu = dw().dwfl_module_nextcu(mod, cu, &bias)) != nullptr;)
    if (dw().dwarf_haspc(cu, pc - bias) > 0) return cu;
  return nullptr;
}

// The function and call sites of the inlined code at `pc` in `cu` (whose
// addresses are `pc` - `bias`), filling `f.text` and `f.inlined_in` when
// DWARF has scopes for it. Returns false when it has none (no debug info).
bool inline_chain(Dwarf_Die* cu, Dwarf_Addr bias, Dwarf_Addr pc, const std::string& file, int line,
                  const std::string& symbol, SymbolizedFrame& f) {
  if (cu == nullptr) return false;
  // dwarf_getscopes() gives the innermost scope at `pc`; the chain of
  // concrete callers around an inlined instance comes from
  // dwarf_getscopes_die() on that scope's DIE (what eu-addr2line -i does).
  Dwarf_Die* found = nullptr;
  const int nfound = dw().dwarf_getscopes(cu, pc - bias, &found);
  if (nfound <= 0) return false;
  Dwarf_Die innermost = found[0];
  std::free(found);
  Dwarf_Die* scopes = nullptr;
  const int n = dw().dwarf_getscopes_die(&innermost, &scopes);
  if (n <= 0) return false;
  std::unique_ptr<Dwarf_Die, decltype(&std::free)> hold(scopes, &std::free);
  Dwarf_Files* files = nullptr;
  std::size_t nfiles = 0;
  (void)dw().dwarf_getsrcfiles(cu, &files, &nfiles);
  // From the innermost scope out: each inlined subroutine is a function
  // whose code sits at `pc`, called from the next function out (past any
  // lexical blocks) at its DW_AT_call_file:DW_AT_call_line.
  std::string here_file = file;
  int here_line = line;
  bool first = true;
  for (int k = 0; k < n; ++k) {
    const int tag = dw().dwarf_tag(&scopes[k]);
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) continue;
    // The real function is the symbol `pc` lies in: its name has the
    // parameter types even where DWARF has no linkage name.
    const std::string name =
        tag == DW_TAG_subprogram && !symbol.empty() ? symbol : die_function(&scopes[k]);
    const std::string text = located(name, here_file, here_line);
    if (first)
      f.text = text;
    else
      f.inlined_in.push_back(text);
    first = false;
    if (tag == DW_TAG_subprogram) break;
    Dwarf_Attribute attr;
    Dwarf_Word call_file = 0, call_line = 0;
    here_file.clear();
    if (dw().dwarf_formudata(dw().dwarf_attr(&scopes[k], DW_AT_call_file, &attr), &call_file) ==
            0 &&
        files != nullptr && call_file < nfiles)
      here_file = normal(dw().dwarf_filesrc(files, call_file, nullptr, nullptr));
    here_line =
        dw().dwarf_formudata(dw().dwarf_attr(&scopes[k], DW_AT_call_line, &attr), &call_line) == 0
            ? static_cast<int>(call_line)
            : 0;
  }
  return !first;
}

// Without libdw: the module and the symbol from the dynamic loader's tables
// (exported and dynamic symbols only, no file:line), so a report still says
// where each frame is, and why it says no more.
void symbolize_without_libdw(const std::vector<void*>& addresses,
                             std::vector<SymbolizedFrame>& out) {
  Dl_info self{};
  const bool have_self = ::dladdr(reinterpret_cast<void*>(&symbolize_addresses), &self) != 0;
  for (std::size_t k = 0; k < addresses.size(); ++k) {
    SymbolizedFrame& f = out[k];
    const auto pc = reinterpret_cast<std::uintptr_t>(addresses[k]) - 1;
    Dl_info info{};
    void* entry = nullptr;  // the ElfW(Sym) of the symbol found
    if (::dladdr1(reinterpret_cast<void*>(pc), &info, &entry, RTLD_DL_SYMENT) == 0) continue;
    const auto* sym = static_cast<const ElfW(Sym)*>(entry);
    f.module = info.dli_fname != nullptr ? info.dli_fname : "";
    f.offset = pc - reinterpret_cast<std::uintptr_t>(info.dli_fbase);
    f.in_host = have_self && info.dli_fbase == self.dli_fbase;
    // Only a symbol that holds `pc`, as with libdw.
    const auto start = reinterpret_cast<std::uintptr_t>(info.dli_saddr);
    const bool inside = info.dli_sname != nullptr && sym != nullptr &&
                        (sym->st_size == 0 || pc - start < sym->st_size);
    f.text = (inside ? demangle(info.dli_sname) : std::string("??")) +
             " (no file:line: libdw could not be loaded)";
  }
}

}  // namespace

std::vector<SymbolizedFrame> symbolize_addresses(const std::vector<void*>& addresses) {
  std::vector<SymbolizedFrame> out(addresses.size());
  if (!dw().loaded) {
    symbolize_without_libdw(addresses, out);
    return out;
  }
  // One session per call: libdw's handles are not thread-safe and hang and
  // deadlock reports are rare, so nothing is cached between them.
  char* debuginfo_path = nullptr;
  const Dwfl_Callbacks callbacks = {
      .find_elf = dw().dwfl_linux_proc_find_elf,
      .find_debuginfo = dw().dwfl_standard_find_debuginfo,
      .section_address = nullptr,
      .debuginfo_path = &debuginfo_path,
  };
  std::unique_ptr<Dwfl, decltype(dw().dwfl_end)> dwfl(dw().dwfl_begin(&callbacks), dw().dwfl_end);
  if (!dwfl) return out;
  dw().dwfl_report_begin(dwfl.get());
  const bool reported = dw().dwfl_linux_proc_report(dwfl.get(), ::getpid()) == 0;
  dw().dwfl_report_end(dwfl.get(), nullptr, nullptr);
  if (!reported) return out;
  Dwfl_Module* host =
      dw().dwfl_addrmodule(dwfl.get(), reinterpret_cast<Dwarf_Addr>(&symbolize_addresses));

  for (std::size_t k = 0; k < addresses.size(); ++k) {
    SymbolizedFrame& f = out[k];
    // Return addresses point after the call; -1 lands inside it.
    const Dwarf_Addr pc = reinterpret_cast<Dwarf_Addr>(addresses[k]) - 1;
    Dwfl_Module* mod = dw().dwfl_addrmodule(dwfl.get(), pc);
    if (mod == nullptr) continue;
    Dwarf_Addr base = 0;
    const char* name =
        dw().dwfl_module_info(mod, nullptr, &base, nullptr, nullptr, nullptr, nullptr, nullptr);
    f.module = name != nullptr ? name : "";
    f.offset = pc - base;
    f.in_host = mod == host;
    // The symbol, only if `pc` lies within it: for a stripped library the
    // nearest symbol below is some unrelated exported function.
    GElf_Off sym_off = 0;
    GElf_Sym sym{};
    const char* sym_name =
        dw().dwfl_module_addrinfo(mod, pc, &sym_off, &sym, nullptr, nullptr, nullptr);
    std::string function;
    if (sym_name != nullptr && (sym.st_size == 0 || sym_off < sym.st_size))
      function = demangle(sym_name);
    std::string file;
    int line = 0;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = compile_unit(mod, pc, bias);
    if (Dwfl_Line* l = dw().dwfl_module_getsrc(mod, pc); l != nullptr) {
      file = normal(dw().dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr));
    } else if (Dwarf_Line* dl = cu != nullptr ? dw().dwarf_getsrc_die(cu, pc - bias) : nullptr) {
      file = normal(dw().dwarf_linesrc(dl, nullptr, nullptr));
      if (dw().dwarf_lineno(dl, &line) != 0) line = 0;
    }
    if (!inline_chain(cu, bias, pc, file, line, function, f) &&
        (!function.empty() || !file.empty()))
      f.text = located(function, file, line);
  }
  return out;
}

}  // namespace strain
