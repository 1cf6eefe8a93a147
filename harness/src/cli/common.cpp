#include "cli/common.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/errors.hpp"
#include "plugin/loader.hpp"
#include "spec/load.hpp"
#include "spec/strategy_override.hpp"

namespace strain::cli {

namespace fs = std::filesystem;

std::string default_plugin_dir() {
  // The same binary runs from the build tree and, once installed, from
  // <prefix>/bin: the plugins are found beside it in either case.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return STRAIN_DEFAULT_PLUGIN_DIR;
  if (fs::equivalent(exe.parent_path(), STRAIN_BUILD_BIN_DIR, ec)) return STRAIN_DEFAULT_PLUGIN_DIR;
  return (exe.parent_path() / STRAIN_INSTALL_PLUGIN_DIR_FROM_BIN).lexically_normal().string();
}

namespace {

// "strain" when a shell would find this binary under that name, else the
// binary's absolute path: an out-of-tree plugin's ctest runs the strain of
// an installation that need not be on $PATH.
std::string invocation_name() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "strain";
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::string_view rest(path);
    while (true) {
      const std::size_t end = std::min(rest.find(':'), rest.size());
      const fs::path dir(rest.substr(0, end));
      // The first "strain" on $PATH is the one the shell runs.
      if (!dir.empty() && ::access((dir / "strain").c_str(), X_OK) == 0)
        return fs::equivalent(dir / "strain", exe, ec) ? "strain" : exe.string();
      if (end == rest.size()) break;
      rest.remove_prefix(end + 1);
    }
  }
  return exe.string();
}

}  // namespace

std::vector<std::string> command_prefix(const std::string& plugin_path_flag) {
  std::vector<std::string> words{invocation_name()};
  const std::string def = default_plugin_dir();
  const std::vector<std::string> path = plugin::plugin_path(plugin_path_flag, def);
  if (path.size() == 1 && path.front() == def) return words;
  std::string joined;
  for (const auto& p : path) {
    std::error_code ec;
    const fs::path abs = fs::absolute(p, ec);
    if (!joined.empty()) joined += ':';
    joined += (ec ? fs::path(p) : abs).lexically_normal().string();
  }
  words.insert(words.end(), {"--plugin-path", joined});
  return words;
}

namespace {

// How the host tells the workers it starts (which inherit its environment)
// which plugin files not to load: one path a line, as paths may hold ':'.
// Internal: set by strain for its own children, never by a user.
constexpr const char* kUnsafeEnv = "STRAIN_INTERNAL_UNSAFE_PLUGINS";

}  // namespace

plugin::Catalog load_catalog(const std::string& plugin_path_flag) {
  plugin::DiscoverOptions options;
  options.probe = true;
  plugin::Catalog catalog =
      plugin::discover(plugin::plugin_path(plugin_path_flag, default_plugin_dir()), options);
  // Still single-threaded here, so changing the environment is safe.
  if (catalog.unsafe.empty()) {
    ::unsetenv(kUnsafeEnv);
  } else {
    std::string joined;
    for (const auto& f : catalog.unsafe) joined += f + "\n";
    ::setenv(kUnsafeEnv, joined.c_str(), 1);
  }
  return catalog;
}

plugin::Catalog load_worker_catalog(const std::string& plugin_path_flag) {
  plugin::DiscoverOptions options;
  if (const char* env = std::getenv(kUnsafeEnv); env != nullptr) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const std::size_t end = std::min(rest.find('\n'), rest.size());
      if (end > 0) options.unsafe.emplace_back(rest.substr(0, end));
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
  }
  return plugin::discover(plugin::plugin_path(plugin_path_flag, default_plugin_dir()), options);
}

std::vector<std::string> collect_spec_files(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      // Subfolders too, as ctest and pytest look into them: a project that
      // groups its specs by component validates them in one call. Every
      // *.yaml/*.yml entry is a spec, whatever it is: one that is not a
      // regular file (a FIFO, a symlink loop, a device) is then reported by
      // load_spec with its path, rather than skipped unseen or, as the
      // throwing overloads did for a symlink loop, abort strain. Symlinked
      // folders are not followed, so a loop of them ends.
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(a, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const auto ext = it->path().extension();
        if (ext != ".yaml" && ext != ".yml") continue;
        std::error_code kind_ec;
        if (it->is_directory(kind_ec)) continue;  // a folder named x.yaml: its specs come next
        found.push_back(it->path().string());
      }
      if (ec) throw UsageError("cannot list spec folder " + a + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::symlink_status(a, ec).type() != fs::file_type::not_found) {
      files.push_back(a);  // load_spec says what is wrong with it, if anything
    } else {
      throw UsageError("no such spec file or folder: " + a);
    }
  }
  if (files.empty()) throw UsageError("no spec files given");
  return files;
}

void apply_strategy_flag(spec::Case& c, const std::string& text) {
  try {
    spec::override_strategy(c, text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

void apply_fibers_flag(spec::Case& c, int flag) {
  if (flag == 0) return;
  c.schedule.strategy.fibers = flag > 0;
  c.fibers_flag = flag > 0 ? 1 : -1;
}

void add_fibers_flags(CLI::App* cmd, int& flag) {
  cmd->add_flag("--fibers{1},--no-fibers{-1}", flag,
                "strategy controlled: run each case's roles, and the threads they start, as "
                "fibers on one thread (--fibers) or as threads (--no-fibers), whatever "
                "schedule.strategy.fibers says; by default as fibers where the plugin brought "
                "no thread_local data (the same interleavings either way; fibers are faster)")
      ->envname("STRAIN_FIBERS");
}

std::vector<spec::Spec> load_specs(const std::vector<std::string>& files,
                                   const plugin::Catalog& catalog, const spec::CaseFilter& wanted) {
  std::vector<spec::Spec> specs;
  std::vector<spec::Diagnostic> all;
  for (const auto& f : files) {
    try {
      specs.push_back(spec::load_spec(f, catalog, wanted));
    } catch (const spec::SpecError& e) {
      all.insert(all.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!all.empty()) throw spec::SpecError(std::move(all));
  return specs;
}

std::vector<std::string> run_inputs(const std::vector<spec::Spec>& specs,
                                    const plugin::Catalog& catalog) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.push_back(s.path);
  for (const auto& s : catalog.scenarios) out.push_back(s.library_path);
  for (const auto& p : catalog.problems) out.push_back(p.path);
  return out;
}

namespace {

// FNV-1a, written here rather than taken from a crypto library: the hash only
// tells whether two shards read the same spec bytes, which needs no
// resistance to a deliberate collision, and the host links no crypto library.
std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (auto it = std::istreambuf_iterator<char>(in); it != std::istreambuf_iterator<char>(); ++it) {
    h ^= static_cast<unsigned char>(*it);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

}  // namespace

std::vector<model::SpecFile> spec_files(const std::vector<spec::Spec>& specs) {
  std::vector<model::SpecFile> out;
  for (const auto& s : specs) out.push_back({s.name, s.path, file_hash(s.path)});
  return out;
}

namespace {

bool glob(std::string_view pat, std::string_view s) {
  // Iterative wildcard match with one backtrack point: linear in practice.
  std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool any_of(std::string_view patterns, std::string_view id) {
  std::size_t start = 0;
  while (start <= patterns.size()) {
    const std::size_t end = std::min(patterns.find(':', start), patterns.size());
    if (glob(patterns.substr(start, end - start), id)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool matches_filter(std::string_view id, std::string_view filter) {
  if (filter.empty()) return true;
  const std::size_t dash = filter.find('-');
  const std::string_view pos = filter.substr(0, dash);
  const std::string_view neg =
      dash == std::string_view::npos ? std::string_view{} : filter.substr(dash + 1);
  const bool in = pos.empty() ? true : any_of(pos, id);
  return in && (neg.empty() || !any_of(neg, id));
}

}  // namespace strain::cli
