// `strain new <name>`: scaffolds a plugin folder that builds against the
// installed package and whose spec passes as generated.

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/scaffold.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/shell_quote.hpp"

namespace strain::cli {

namespace {

namespace fs = std::filesystem;

// The name is a C++ identifier (STRAIN_SCENARIO pastes it into one) and a
// spec name; lower case keeps file, target and scenario names alike.
bool valid_scenario_name(std::string_view name) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  for (const char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

// my_queue -> MyQueue.
std::string class_name(std::string_view name) {
  std::string out;
  bool up = true;
  for (const char c : name) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out.empty() ? "Scenario" : out;
}

std::string fill(std::string_view text, const std::string& name, const std::string& cls) {
  std::string out(text);
  for (const auto& [from, to] : {std::pair{std::string("@NAME@"), name}, {"@CLASS@", cls}})
    for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, at))
      out.replace(at, from.size(), to), at += to.size();
  return out;
}

}  // namespace

namespace {

// The prefix this strain is installed under (where its package's
// StrainConfig.cmake is found from), if it runs from an installation.
std::optional<fs::path> install_prefix() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  const fs::path guide =
      (exe.parent_path() / STRAIN_INSTALL_DOC_DIR_FROM_BIN / "docs" / "writing-a-plugin.md")
          .lexically_normal();
  if (!fs::exists(guide, ec)) return std::nullopt;
  return exe.parent_path().parent_path();
}

// Where the plugin guide is on this machine: installed beside this strain
// (share/doc), else in the source tree it was built from.
std::string plugin_guide() {
  if (install_prefix()) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return (exe.parent_path() / STRAIN_INSTALL_DOC_DIR_FROM_BIN / "docs" / "writing-a-plugin.md")
        .lexically_normal()
        .string();
  }
  return STRAIN_SOURCE_DOC_DIR "/writing-a-plugin.md";
}

}  // namespace

Action add_new(CLI::App& app, const Global&) {
  auto* cmd = app.add_subcommand(
      "new", "Scaffold a plugin folder: a scenario, its CMakeLists.txt and a spec that passes");
  struct Flags {
    std::string name;
    std::string dir;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("name", f->name, "the scenario name: lower case, digits and _")->required();
  cmd->add_option("--dir", f->dir, "the folder to create (default: ./<name>)")
      ->envname("STRAIN_DIR");
  return [f]() {
    if (!valid_scenario_name(f->name))
      throw UsageError(fmt::format(
          "scenario name '{}' must be a lower-case C++ identifier ([a-z_][a-z0-9_]*)", f->name));
    const fs::path dir = f->dir.empty() ? fs::path(f->name) : fs::path(f->dir);
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
      throw UsageError(
          fmt::format("{} exists and is not empty; nothing was written", dir.string()));
    fs::create_directories(dir, ec);
    if (ec) throw UsageError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    const std::string cls = class_name(f->name);
    for (const auto& file : scaffold::kFiles) {
      const fs::path path = dir / fill(file.name, f->name, cls);
      write_file_atomically(path.string(), fill(file.text, f->name, cls));
      std::cout << "created " << path.string() << "\n";
    }
    // Commands to paste: quoted, and with this installation's prefix when
    // strain runs from one.
    const std::string src = shell_quote(dir.string());
    const std::string build = shell_quote((dir / "build").string());
    const auto prefix = install_prefix();
    std::cout << fmt::format(
        "\nNext:\n"
        "  cmake -S {} -B {} -DCMAKE_PREFIX_PATH={}\n"
        "  cmake --build {}\n"
        "  ctest --test-dir {} -L strain --output-on-failure\n"
        "See {}.\n",
        src, build, prefix ? shell_quote(prefix->string()) : "<where Strain is installed>", build,
        build, plugin_guide());
    return kExitMet;
  };
}

}  // namespace strain::cli
