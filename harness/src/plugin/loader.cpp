#include "plugin/loader.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <system_error>

#include "core/file_kind.hpp"
#include "plugin/module_tls.hpp"
#include "plugin/probe.hpp"
#include "runtime/abi_types.hpp"
#include "strain/scenario.hpp"

namespace strain::plugin {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kAliasPrefix = "strain_scenario_";

check::Value to_value(const detail::ParamValue& v) {
  switch (v.type) {
    case ParamType::integer:
      return check::Value::integer(v.i);
    case ParamType::number:
      return check::Value::number(v.d);
    case ParamType::boolean:
      return check::Value::boolean(v.b);
    case ParamType::string:
      return check::Value::string(std::string(v.s, v.s_len));
  }
  return {};
}

const char* or_empty(const char* s) { return s != nullptr ? s : ""; }

// Copies a descriptor into host types, checking what the host relies on.
// Returns an empty string on success, else why the scenario is unusable.
std::string convert(const detail::ScenarioDescriptor& d, ScenarioInfo& out) {
  if (d.name == nullptr || *d.name == '\0') return "scenario has no name";
  out.name = d.name;
  out.doc = or_empty(d.doc);
  if (d.n_roles == 0) return "scenario '" + out.name + "' declares no role";
  if (d.construct == nullptr || d.destroy == nullptr || d.run_role == nullptr || d.check == nullptr)
    return "scenario '" + out.name + "' has a null entry point";
  std::set<std::string> seen;
  for (std::uint32_t k = 0; k < d.n_params; ++k) {
    const auto& p = d.params[k];
    ParamInfo info{
        or_empty(p.name), or_empty(p.doc), p.default_value.type, to_value(p.default_value), {}};
    for (std::uint32_t a = 0; a < p.n_allowed; ++a) info.allowed.push_back(to_value(p.allowed[a]));
    if (!seen.insert(info.name).second)
      return "scenario '" + out.name + "' declares '" + info.name + "' twice";
    out.params.push_back(std::move(info));
  }
  for (std::uint32_t k = 0; k < d.n_metrics; ++k) {
    MetricInfo m{or_empty(d.metrics[k].name), or_empty(d.metrics[k].doc)};
    if (!seen.insert(m.name).second)
      return "scenario '" + out.name + "' declares '" + m.name +
             "' twice (param and metric names share one namespace)";
    out.metrics.push_back(std::move(m));
  }
  std::set<std::string> roles;
  for (std::uint32_t k = 0; k < d.n_roles; ++k) {
    RoleInfo r{or_empty(d.roles[k].name), or_empty(d.roles[k].doc),
               d.roles[k].min_instances < 1 ? 1u : d.roles[k].min_instances};
    if (!roles.insert(r.name).second)
      return "scenario '" + out.name + "' declares role '" + r.name + "' twice";
    out.roles.push_back(std::move(r));
  }
  out.desc = &d;
  return {};
}

}  // namespace

std::vector<std::string> plugin_path(const std::string& flag, const std::string& default_dir) {
  std::string joined = flag;
  if (joined.empty()) {
    if (const char* env = std::getenv("STRAIN_PLUGIN_PATH"); env != nullptr) joined = env;
  }
  if (joined.empty()) return {default_dir};
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size()) {
    const std::size_t end = std::min(joined.find(':', start), joined.size());
    if (end > start) out.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Loads `file` into `lib` and measures the thread_local data the load
// brought (module_tls.hpp): the objects it added are the plugin and the
// libraries it needs that nothing had loaded. A library loaded again (by
// another catalog of the same process) adds none, so what its first load
// measured is kept, by path.
ThreadLocals load_measured(boost::dll::shared_library& lib, const std::string& file,
                           std::error_code& ec) {
  static std::mutex mu;
  static std::map<std::string, ThreadLocals> measured;
  std::lock_guard<std::mutex> lock(mu);
  const std::vector<TlsModule> before = tls_modules();
  lib.load(fs::path(file), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) return {};
  std::error_code canon_ec;
  const std::string key = fs::weakly_canonical(file, canon_ec).string();
  if (const auto it = measured.find(key); it != measured.end()) return it->second;
  link_map* map = nullptr;
  if (::dlinfo(lib.native(), RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) return {};
  return measured[key] = brought_thread_locals(before, tls_modules(), map->l_addr);
}

void load_library(const std::string& file, Catalog& catalog) {
  auto problem = [&](std::string msg) { catalog.problems.push_back({file, std::move(msg)}); };

  // library_info reads the ELF file itself, so a file that is not a library
  // is reported here without ever being mapped.
  std::vector<std::string> symbols;
  try {
    boost::dll::library_info info(fs::path(file), /*throw_if_not_native=*/true);
    symbols = info.symbols("strain");
  } catch (const std::exception& e) {
    problem(std::string("not a loadable plugin library: ") + e.what());
    return;
  }
  std::erase_if(symbols, [](const std::string& s) { return !s.starts_with(kAliasPrefix); });
  if (symbols.empty()) {
    problem("no scenario registered (no STRAIN_SCENARIO in this library)");
    return;
  }

  // RTLD_NOW: a plugin that needs a symbol nobody defines fails here, with
  // the symbol's name, rather than crash a trial when a role calls it.
  auto lib = std::make_shared<boost::dll::shared_library>();
  std::error_code ec;
  const ThreadLocals thread_locals = load_measured(*lib, file, ec);
  if (ec) {
    // Boost's error_code keeps only errno; dlerror() has the reason a user
    // needs (the undefined symbol, the missing dependency), so ask again.
    std::string why = ec.message();
    if (void* h = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL); h != nullptr) {
      ::dlclose(h);
    } else if (const char* err = ::dlerror(); err != nullptr) {
      why = err;
    }
    problem("cannot load: " + why);
    return;
  }
  for (const std::string& sym : symbols) {
    if (!lib->has(sym)) {
      problem("symbol '" + sym + "' is listed but not exported");
      continue;
    }
    auto& describe = lib->get_alias<detail::DescribeFn>(sym);
    const detail::ScenarioDescriptor* desc = describe();
    const std::string name = sym.substr(kAliasPrefix.size());
    if (desc == nullptr) {
      problem("scenario '" + name + "' failed to describe itself (its declare() threw)");
      continue;
    }
    if (desc->abi_version != kAbiVersion) {
      problem("scenario '" + name + "' was built for strain ABI version " +
              std::to_string(desc->abi_version) + ", but this strain has ABI version " +
              std::to_string(kAbiVersion) + "; rebuild the plugin");
      continue;
    }
    if (desc->struct_size != sizeof(detail::ScenarioDescriptor)) {
      problem("scenario '" + name + "' has a descriptor of unexpected size");
      continue;
    }
    ScenarioInfo info;
    info.library_path = file;
    info.thread_locals = thread_locals;
    if (std::string why = convert(*desc, info); !why.empty()) {
      problem(why);
      continue;
    }
    if (const ScenarioInfo* other = catalog.find(info.name); other != nullptr) {
      problem("scenario '" + info.name + "' is already provided by " + other->library_path +
              "; skipped");
      continue;
    }
    info.library = lib;
    catalog.scenarios.push_back(std::move(info));
  }
}

Catalog discover(const std::vector<std::string>& path, const DiscoverOptions& options) {
  Catalog catalog;
  // Files first, so that a probe tries them all in one child.
  std::vector<std::string> files;
  for (const std::string& entry : path) {
    std::error_code ec;
    if (fs::is_regular_file(entry, ec)) {
      files.push_back(entry);
      continue;
    }
    if (!fs::is_directory(entry, ec)) {
      const bool exists = fs::symlink_status(entry, ec).type() != fs::file_type::not_found;
      catalog.problems.push_back({entry, exists ? "plugin path entry " + not_regular_file(entry)
                                                : "plugin path entry does not exist"});
      continue;
    }
    std::vector<std::string> found;
    for (fs::directory_iterator it(entry, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".so") continue;
      // Only a regular file is tried: dlopen of a FIFO blocks until the
      // probe's 20 s limit, on every command.
      if (std::string why = not_regular_file(it->path().string()); !why.empty()) {
        catalog.problems.push_back({it->path().string(), "skipped: the path " + why});
        continue;
      }
      found.push_back(it->path().string());
    }
    if (ec) catalog.problems.push_back({entry, "cannot list plugin folder: " + ec.message()});
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  std::vector<std::string> unsafe(files.size());
  if (options.probe) unsafe = probe_libraries(files);
  for (std::size_t k = 0; k < files.size(); ++k) {
    const std::string& f = files[k];
    if (std::find(options.unsafe.begin(), options.unsafe.end(), f) != options.unsafe.end())
      unsafe[k] = "found unsafe to load by the strain that started this one";
    if (unsafe[k].empty()) {
      load_library(f, catalog);
    } else {
      catalog.problems.push_back({f, unsafe[k]});
      catalog.unsafe.push_back(f);
    }
  }
  return catalog;
}

}  // namespace strain::plugin
