#pragma once
// Plain data that crosses the plugin boundary. Only C-layout structs, raw
// pointers and numbers live here, so the host can read a descriptor without
// sharing any library type with the plugin.

#include <cstddef>
#include <cstdint>

namespace strain {

class Context;

//! The type of a scenario parameter.
enum class ParamType : std::uint32_t { integer, number, boolean, string };

namespace detail {

//! One parameter value; `type` says which member is meaningful.
struct ParamValue {
  ParamType type = ParamType::integer;
  std::int64_t i = 0;
  double d = 0.0;
  bool b = false;
  const char* s = "";
  std::size_t s_len = 0;
};

//! A declared parameter: name, type, default, allowed values, one line of doc.
struct ParamDecl {
  const char* name;
  const char* doc;
  ParamValue default_value;
  const ParamValue* allowed;  // empty: any value of the type is allowed
  std::uint32_t n_allowed;
};

//! A declared role: a function run concurrently by one or more threads.
struct RoleDecl {
  const char* name;
  const char* doc;
  //! The fewest threads the role needs to show anything (a producer and a
  //! consumer need one each; a lost update needs two workers): a spec that
  //! gives fewer is an error, and one that gives none gets this many.
  std::uint32_t min_instances;
};

//! A declared metric: a named number a scenario reports after each trial.
struct MetricDecl {
  const char* name;
  const char* doc;
};

//! Everything the host knows of a scenario. The first two fields never move,
//! so a host can check the version of a descriptor of any ABI.
struct ScenarioDescriptor {
  std::uint32_t abi_version;
  std::uint32_t struct_size;
  const char* name;
  const char* doc;
  const ParamDecl* params;
  std::uint32_t n_params;
  const RoleDecl* roles;
  std::uint32_t n_roles;
  const MetricDecl* metrics;
  std::uint32_t n_metrics;
  std::size_t state_size;
  std::size_t state_align;
  //! Constructs a fresh state at `where` and runs its setup. On failure the
  //! reason is recorded in `ctx` and nothing is left to destroy.
  bool (*construct)(void* where, Context& ctx) noexcept;
  //! Destroys a state made by construct.
  void (*destroy)(void* where) noexcept;
  //! Runs role number `role` on `state`; failures are recorded in `ctx`.
  bool (*run_role)(void* state, std::uint32_t role, Context& ctx) noexcept;
  //! Runs the scenario's check after all roles ended.
  bool (*check)(void* state, Context& ctx) noexcept;
};

//! The signature of the function each registered scenario exports.
using DescribeFn = const ScenarioDescriptor*() noexcept;

}  // namespace detail
}  // namespace strain
