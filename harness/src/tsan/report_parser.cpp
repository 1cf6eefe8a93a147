// A line-oriented parser for TSan's reports. The format is the one printed by
// compiler-rt's tsan_report.cpp (clang) and its copy in gcc's libsanitizer:
// a WARNING line, sections introduced by two-space-indented headers, stacks
// of four-space-indented "#N" frames, and a SUMMARY line. We key on those
// headers and ignore whatever else we see, so unknown sections, interleaved
// output and a report cut short all degrade to "less detail", never to an
// error.

#include "tsan/report_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <unordered_map>
#include <utility>

namespace strain::tsan {
namespace {

constexpr std::string_view kWarning = "WARNING: ThreadSanitizer: ";
constexpr std::string_view kError = "ERROR: ThreadSanitizer: ";
constexpr std::string_view kSummary = "SUMMARY: ThreadSanitizer: ";
constexpr std::string_view kSeparator = "==================";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool contains(std::string_view s, std::string_view p) { return s.find(p) != s.npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A header without its trailing colon: "Mutex M0 (0x...) created at".
std::string_view header_text(std::string_view line) {
  line = trim(line);
  if (ends_with(line, ":")) line.remove_suffix(1);
  return line;
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "main thread" stays as is; "thread T1 ..." becomes "T1".
std::string thread_name(std::string_view who) {
  who = trim(who);
  if (starts_with(who, "main thread")) return "main thread";
  if (starts_with(who, "thread ")) who.remove_prefix(7);
  return std::string(who.substr(0, who.find(' ')));
}

// Splits "path:line:col" or "path:line" from the right; a name without
// numbers (an object file, say) keeps line and column at 0.
void parse_file(std::string_view s, Frame& f) {
  if (s == "<null>") return;
  for (int* field : {&f.column, &f.line}) {
    size_t colon = s.rfind(':');
    if (colon == s.npos) break;
    std::optional<int> n = to_int(s.substr(colon + 1));
    if (!n) break;
    *field = *n;
    s = s.substr(0, colon);
  }
  // With a single number the loop stored the line as the column.
  if (f.line == 0 && f.column != 0) std::swap(f.line, f.column);
  f.file = std::string(s);
}

// Removes a trailing "(...)" group, matching nested parentheses, since
// function names such as "operator()()" hold parentheses of their own.
std::optional<std::string_view> pop_group(std::string_view& s) {
  if (!ends_with(s, ")")) return std::nullopt;
  int depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == ')') ++depth;
    if (s[i] == '(' && --depth == 0) {
      std::string_view group = s.substr(i + 1, s.size() - i - 2);
      s = trim(s.substr(0, i));
      return group;
    }
  }
  return std::nullopt;
}

std::optional<Frame> parse_frame(std::string_view line) {
  line = trim(line);
  if (line.size() < 2 || line[0] != '#' || !std::isdigit(static_cast<unsigned char>(line[1])))
    return std::nullopt;
  Frame f;
  size_t space = line.find(' ');
  f.index = to_int(line.substr(1, space - 1)).value_or(0);
  if (space == line.npos) return f;
  std::string_view rest = trim(line.substr(space));
  // Trailing groups: "(BuildId: ...)" and "(module+0xoffset)" or "(0xpc)".
  for (int i = 0; i < 2; ++i) {
    std::string_view before = rest;
    std::optional<std::string_view> group = pop_group(rest);
    if (!group) break;
    if (starts_with(*group, "BuildId:")) continue;
    size_t plus = group->rfind("+0x");
    if (plus != group->npos) {
      f.module = std::string(group->substr(0, plus));
      f.address = std::string(group->substr(plus + 1));
    } else if (starts_with(*group, "0x")) {
      f.address = std::string(*group);
    } else {
      rest = before;  // Part of the function name after all.
      break;
    }
  }
  size_t last = rest.rfind(' ');
  std::string_view function = last == rest.npos ? rest : rest.substr(0, last);
  if (last != rest.npos) parse_file(rest.substr(last + 1), f);
  if (function != "<null>") f.function = std::string(trim(function));
  return f;
}

// "Write of size 4 at 0x... by thread T1 (mutexes: write M0)". Also takes
// TSan's "read access of <tag> at ..." form for annotated external objects.
std::optional<Access> parse_access(std::string_view line) {
  std::string_view h = header_text(line);
  std::string_view s = h;
  if (starts_with(s, "Previous ")) s.remove_prefix(9);
  Access a;
  if (starts_with(s, "atomic ") || starts_with(s, "Atomic ")) {
    a.atomic = true;
    s.remove_prefix(7);
  }
  if (starts_with(s, "write ") || starts_with(s, "Write ")) {
    a.write = true;
  } else if (!starts_with(s, "read ") && !starts_with(s, "Read ")) {
    return std::nullopt;
  }
  s = s.substr(s.find(' ') + 1);
  if (starts_with(s, "of size ")) {
    s.remove_prefix(8);
    a.size = to_int(s.substr(0, s.find(' '))).value_or(0);
  } else if (!starts_with(s, "access of ")) {
    return std::nullopt;
  }
  size_t by = s.find(" by ");
  if (by == s.npos) return std::nullopt;
  if (size_t at = s.find(" at 0x"); at != s.npos && at < by)
    a.address = std::string(s.substr(at + 4, s.find(' ', at + 4) - (at + 4)));
  std::string_view who = s.substr(by + 4);
  size_t mutexes = who.find(" (mutexes:");
  if (mutexes != who.npos) {
    std::string_view list = who.substr(mutexes + 10);
    list = list.substr(0, list.find(')'));
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view m = trim(list.substr(0, comma));
      if (!m.empty()) a.mutexes_held.emplace_back(m);
      list = comma == list.npos ? std::string_view{} : list.substr(comma + 1);
    }
    who = who.substr(0, mutexes);
  }
  a.thread = thread_name(who);
  a.what = std::string(h);
  return a;
}

// "Mutex M1 acquired here while holding mutex M0 in thread T1": one edge of
// the lock-order cycle, kept as an access so it carries its stack.
std::optional<Access> parse_edge(std::string_view line) {
  constexpr std::string_view kHolding = " acquired here while holding mutex ";
  std::string_view h = header_text(line);
  size_t at = h.find(kHolding);
  if (!starts_with(h, "Mutex ") || at == h.npos) return std::nullopt;
  Access a;
  a.what = std::string(h);
  std::string_view rest = h.substr(at + kHolding.size());
  size_t in = rest.find(" in ");
  a.mutexes_held.emplace_back(rest.substr(0, in));
  if (in != rest.npos) a.thread = thread_name(rest.substr(in + 4));
  return a;
}

std::string frame_text(const Frame& f) {
  std::string s = f.function.empty() ? "<null>" : f.function;
  if (!f.file.empty()) {
    s += ' ' + f.file;
    if (f.line > 0) s += ':' + std::to_string(f.line);
    if (f.column > 0) s += ':' + std::to_string(f.column);
  } else if (!f.module.empty()) {
    s += " (" + f.module + ')';
  }
  return s;
}

// The frames worth showing: user frames first, or the raw top frames when
// there are none (a stack entirely inside the runtime still says something).
std::vector<const Frame*> user_frames(const std::vector<Frame>& stack, size_t n) {
  std::vector<const Frame*> out;
  for (const Frame& f : stack)
    if (out.size() < n && !is_runtime_frame(f)) out.push_back(&f);
  if (out.empty())
    for (size_t i = 0; i < stack.size() && i < n; ++i) out.push_back(&stack[i]);
  return out;
}

// The top two user frames, after the top frame's function when that is an
// interceptor: malloc and free called on one line are two bugs.
std::string stack_key(const std::vector<Frame>& stack) {
  std::string key;
  if (!stack.empty() && is_runtime_frame(stack[0])) key = stack[0].function;
  for (const Frame* f : user_frames(stack, 2)) {
    if (f == &stack[0] && !key.empty()) continue;
    if (!key.empty()) key += "; ";
    key += f->function.empty() ? "<null>" : f->function;
    if (!f->file.empty()) {
      // The base name only: the directory is that of the build, so the same
      // bug would get another signature in another checkout.
      const size_t slash = f->file.rfind('/');
      key += ' ' + (slash == std::string::npos ? f->file : f->file.substr(slash + 1)) + ':' +
             std::to_string(f->line);
    } else if (!f->module.empty()) {
      key += " (" + f->module + ')';  // a module name, unlike its load address, is stable
    }
  }
  return key;
}

std::string make_signature(const Report& r) {
  std::vector<std::string> keys;
  for (const Access& a : r.accesses) keys.push_back(stack_key(a.stack));
  if (keys.empty()) keys.push_back(stack_key(r.stack));
  std::sort(keys.begin(), keys.end());
  std::string sig = r.kind;
  for (const std::string& k : keys) sig += " | " + k;
  return sig;
}

// Accumulates one report line by line.
class Builder {
 public:
  Builder(std::string_view kind_line, bool error) {
    std::string_view kind = kind_line;
    if (error) {
      // "SEGV on unknown address 0x... (pc ...)": the kind is the signal.
      kind = kind.substr(0, std::min(kind.find(" on "), kind.find(" (")));
    } else if (size_t pid = kind.rfind(" (pid="); pid != kind.npos) {
      kind = kind.substr(0, pid);
    }
    r_.kind = std::string(trim(kind));
    r_.outcome = outcome_for_kind(r_.kind, error);
    target_ = &r_.stack;
  }
  // It points into its own report.
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  void add_text(std::string_view line) {
    if (r_.text.size() + line.size() + 1 > kMaxReportText) return;
    r_.text.append(line);
    r_.text += '\n';
  }

  void line(std::string_view line) {
    if (std::optional<Frame> f = parse_frame(line)) {
      if (target_ != nullptr) target_->push_back(std::move(*f));
      return;
    }
    // Unindented lines are TSan's own notes ("==pid==The signal is caused
    // by...") or another writer's output landing mid-report: skip them
    // without ending the stack they interrupt.
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') return;
    close_section();
    // Only two-space-indented lines open sections; blank lines and hints end one.
    if (line.size() < 3 || line.substr(0, 2) != "  " || line[2] == ' ') return;
    std::string_view h = header_text(line);
    if (std::optional<Access> a = parse_access(line)) {
      open(std::move(*a));
    } else if (std::optional<Access> e = parse_edge(line)) {
      open(std::move(*e));
    } else if (starts_with(h, "Location is ")) {
      r_.location = std::string(h);
      fold_into_ = &r_.location;
      target_ = &scratch_;
    } else if (starts_with(h, "Cycle in lock order graph:")) {
      r_.mutexes.emplace_back(h);
    } else if (starts_with(h, "Mutex ") && !contains(h, "previously acquired")) {
      r_.mutexes.emplace_back(h);
      fold_into_ = &r_.mutexes.back();
      target_ = &scratch_;
    } else if (starts_with(h, "Thread T")) {
      r_.threads.emplace_back(h);
      // A thread leak has no other stack; where the thread was made is the bug.
      if (r_.accesses.empty() && r_.stack.empty()) target_ = &r_.stack;
    }
  }

  void summary(std::string_view s) { r_.summary = std::string(trim(s)); }

  Report finish() {
    close_section();
    r_.signature = make_signature(r_);
    return std::move(r_);
  }

 private:
  void open(Access a) {
    r_.accesses.push_back(std::move(a));
    target_ = &r_.accesses.back().stack;
  }

  void close_section() {
    if (fold_into_ != nullptr && !scratch_.empty()) {
      std::vector<const Frame*> top = user_frames(scratch_, 1);
      *fold_into_ += ": " + frame_text(*top.front());
    }
    fold_into_ = nullptr;
    scratch_.clear();
    target_ = nullptr;
  }

  Report r_;
  std::vector<Frame>* target_ = nullptr;  // where frames go; null drops them
  std::string* fold_into_ = nullptr;      // a line that gets its top frame
  std::vector<Frame> scratch_;
};

}  // namespace

std::string outcome_for_kind(std::string_view kind, bool error_report) {
  if (error_report) return "crash";
  if (starts_with(kind, "lock-order-inversion")) return "deadlock";
  return "race";
}

bool is_runtime_frame(const Frame& f) {
  if (f.function.empty() || f.file.empty()) return true;  // no debug info: runtime or libc
  // libstdc++ and libc++ headers, glibc sources, and the sanitizer runtimes
  // of gcc (libsanitizer) and clang (compiler-rt).
  constexpr std::string_view kRuntimeFiles[] = {"/c++/",    "libsanitizer/", "compiler-rt/",
                                                "sysdeps/", "nptl/",         "csu/"};
  if (starts_with(f.file, "/usr/include/")) return true;
  for (std::string_view p : kRuntimeFiles)
    if (contains(f.file, p)) return true;
  return starts_with(f.function, "__tsan") || starts_with(f.function, "__interceptor_");
}

std::vector<Report> parse_reports(std::string_view output) {
  std::vector<Report> reports;
  std::optional<Builder> current;
  auto flush = [&] {
    if (current) reports.push_back(current->finish());
    current.reset();
  };
  while (!output.empty()) {
    size_t nl = output.find('\n');
    std::string_view line = output.substr(0, nl);
    output = nl == output.npos ? std::string_view{} : output.substr(nl + 1);
    if (ends_with(line, "\r")) line.remove_suffix(1);

    // Junk written before TSan's line on the same line is tolerated.
    size_t w = line.find(kWarning);
    size_t e = w == line.npos ? line.find(kError) : line.npos;
    if (w != line.npos || e != line.npos) {
      flush();
      bool error = e != line.npos;
      current.emplace(line.substr(error ? e + kError.size() : w + kWarning.size()), error);
      // An ERROR line keeps its "==pid==" prefix, which is TSan's own.
      current->add_text(error ? line : line.substr(w));
      continue;
    }
    if (!current) continue;
    if (trim(line) == kSeparator) {  // print_summary=0 leaves no SUMMARY line
      flush();
      continue;
    }
    current->add_text(line);
    if (size_t s = line.find(kSummary); s != line.npos) {
      current->summary(line.substr(s + kSummary.size()));
      flush();
      continue;
    }
    current->line(line);
  }
  flush();
  return reports;
}

std::vector<Deduped> deduplicate(std::vector<Report> reports) {
  std::vector<Deduped> out;
  std::unordered_map<std::string, size_t> seen;
  for (Report& r : reports) {
    auto [it, inserted] = seen.try_emplace(r.signature, out.size());
    if (inserted) {
      out.push_back({std::move(r), 1});
    } else {
      ++out[it->second].count;
    }
  }
  return out;
}

std::vector<Frame> top_frames(const std::vector<Frame>& stack, int n) {
  std::vector<Frame> out;
  for (const Frame* f : user_frames(stack, n < 0 ? 0 : static_cast<size_t>(n))) out.push_back(*f);
  return out;
}

std::string brief(const Report& r, int frames) {
  size_t n = frames < 0 ? 0 : static_cast<size_t>(frames);
  std::string s = "ThreadSanitizer: " + r.kind + '\n';
  auto stack = [&](const std::vector<Frame>& st) {
    for (const Frame* f : user_frames(st, n)) s += "    " + frame_text(*f) + '\n';
  };
  for (const Access& a : r.accesses) {
    s += "  " + a.what + '\n';
    stack(a.stack);
  }
  if (r.accesses.empty()) stack(r.stack);
  if (!r.location.empty()) s += "  " + r.location + '\n';
  return s;
}

}  // namespace strain::tsan
