#include "sched/shadow_stack.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/symbolizer.hpp"

namespace strain::sched {

__thread ShadowStack tls_shadow = {};

namespace {

template <class T>
T relaxed(const T& v) noexcept {
  return __atomic_load_n(&v, __ATOMIC_RELAXED);
}

// The first of a frame's lines that is not in a header of the system (a
// std::mutex::lock inlined into the user's function is named by the user's
// line that called it); the frame's own text when all are.
std::string user_line(const SymbolizedFrame& f) {
  auto is_system = [](const std::string& text) { return text.find(" /usr/") != std::string::npos; };
  if (!is_system(f.text)) return f.text;
  for (const auto& outer : f.inlined_in)
    if (!is_system(outer)) return outer;
  return f.text;
}

// A frame of the code Strain's public headers put in a plugin (a role's
// dispatch, STRAIN_TEST's scenario class), which calls the user's code.
bool is_strain_glue(const SymbolizedFrame& f) {
  return f.text.find("include/strain/") != std::string::npos ||
         (f.text.rfind("strain_test_", 0) == 0 && f.text.find("::Scenario::") != std::string::npos);
}

}  // namespace

WhereAt WhereAt::of(const void* site, const ShadowStack* shadow) noexcept {
  WhereAt w;
  w.site = site;
  if (shadow == nullptr) return w;
  const int depth = std::min(relaxed(shadow->depth), ShadowStack::kDepth);
  if (depth <= 0) return w;
  w.fn = relaxed(shadow->fn[depth - 1]);
  for (int k = depth - 1; k >= 0 && w.calls_n < kCalls; --k)
    w.calls[w.calls_n++] = relaxed(shadow->call[k]);
  return w;
}

std::string describe(const WhereAt& where, const char* indent) {
  // pcs: the site, the innermost instrumented function, its call sites.
  std::vector<void*> pcs = {const_cast<void*>(where.site), const_cast<void*>(where.fn)};
  for (int k = 0; k < where.calls_n; ++k) pcs.push_back(const_cast<void*>(where.calls[k]));
  const std::vector<SymbolizedFrame> frames = symbolize_addresses(pcs);
  std::string out;
  auto add = [&](const char* what, const SymbolizedFrame& f) {
    if (const std::string line = user_line(f); !line.empty())
      out += fmt::format("\n{}{} {}", indent, what, line);
  };
  if (where.site != nullptr) add("at", frames[0]);
  // The function is named apart when the site is not in its module (a
  // std::thread::join in libstdc++ called from the user's function), or
  // when there is no site: then only the function is known, not its line.
  if (where.fn != nullptr && (where.site == nullptr || frames[0].module != frames[1].module))
    add("in", frames[1]);
  for (std::size_t k = 2; k < frames.size(); ++k) {
    // The chain ends where the user's code was called from: strain's
    // executable, or the scenario glue of Strain's headers.
    if (frames[k].in_host || is_strain_glue(frames[k])) break;
    // The standard library's own frames between the user's (std::thread's
    // invoker, instrumented in the plugin) say nothing about the user's code.
    if (user_line(frames[k]).find(" /usr/") != std::string::npos) continue;
    add("called from", frames[k]);
  }
  return out;
}

}  // namespace strain::sched
