// detail::DeclareBase (strain/scenario.hpp): the strings, parameters, roles
// and metrics a scenario declares, and the descriptor built from them.

#include <deque>
#include <string>
#include <vector>

#include "runtime/abi_types.hpp"
#include "strain/scenario.hpp"

namespace strain::detail {

struct DeclareBase::Impl {
  std::deque<std::string> strings;  // deque: pointers stay valid as it grows
  const char* doc = "";
  std::vector<ParamDecl> params;
  std::deque<std::vector<ParamValue>> allowed;
  std::vector<RoleDecl> roles;
  std::vector<MetricDecl> metrics;
  ScenarioDescriptor desc{};

  const char* keep(const char* s) { return strings.emplace_back(s ? s : "").c_str(); }
  ParamValue str(const char* s) {
    ParamValue v{ParamType::string};
    v.s = keep(s);
    v.s_len = strings.back().size();
    return v;
  }
  void param(const char* name, const char* doc, ParamValue def, std::vector<ParamValue> a) {
    params.push_back({keep(name), keep(doc), def, nullptr, 0});
    allowed.push_back(std::move(a));
  }
};

DeclareBase::DeclareBase() : impl_(std::make_unique<Impl>()) {}
DeclareBase::~DeclareBase() = default;

void DeclareBase::add_doc(const char* text) { impl_->doc = impl_->keep(text); }

void DeclareBase::add_param(const char* name, std::int64_t def, const char* doc,
                            std::initializer_list<std::int64_t> allowed) {
  std::vector<ParamValue> a;
  for (auto x : allowed) a.push_back({ParamType::integer, x});
  impl_->param(name, doc, {ParamType::integer, def}, std::move(a));
}

void DeclareBase::add_param(const char* name, double def, const char* doc) {
  ParamValue v{ParamType::number};
  v.d = def;
  impl_->param(name, doc, v, {});
}

void DeclareBase::add_param(const char* name, bool def, const char* doc) {
  ParamValue v{ParamType::boolean};
  v.b = def;
  impl_->param(name, doc, v, {});
}

void DeclareBase::add_param(const char* name, const char* def, const char* doc,
                            std::initializer_list<const char*> allowed) {
  std::vector<ParamValue> a;
  for (auto x : allowed) a.push_back(impl_->str(x));
  impl_->param(name, doc, impl_->str(def), std::move(a));
}

void DeclareBase::add_role(const char* name, const char* doc, std::uint32_t min_instances) {
  impl_->roles.push_back(
      {impl_->keep(name), impl_->keep(doc), min_instances < 1 ? 1u : min_instances});
}

void DeclareBase::add_metric(const char* name, const char* doc) {
  impl_->metrics.push_back({impl_->keep(name), impl_->keep(doc)});
}

const ScenarioDescriptor* DeclareBase::build(
    const char* name, std::uint32_t abi_version, std::size_t state_size, std::size_t state_align,
    bool (*construct)(void*, Context&) noexcept, void (*destroy)(void*) noexcept,
    bool (*run_role)(void*, std::uint32_t, Context&) noexcept,
    bool (*check)(void*, Context&) noexcept) {
  Impl& m = *impl_;
  ScenarioDescriptor& d = m.desc;
  // The plugin's headers stamp the version (the template passes it), so a
  // plugin built against other headers is still refused by the host.
  d.abi_version = abi_version;
  d.struct_size = sizeof(ScenarioDescriptor);
  d.name = m.keep(name);
  d.doc = m.doc;
  for (std::size_t k = 0; k < m.params.size(); ++k) {
    m.params[k].allowed = m.allowed[k].data();
    m.params[k].n_allowed = static_cast<std::uint32_t>(m.allowed[k].size());
  }
  d.params = m.params.data();
  d.n_params = static_cast<std::uint32_t>(m.params.size());
  d.roles = m.roles.data();
  d.n_roles = static_cast<std::uint32_t>(m.roles.size());
  d.metrics = m.metrics.data();
  d.n_metrics = static_cast<std::uint32_t>(m.metrics.size());
  d.state_size = state_size;
  d.state_align = state_align;
  d.construct = construct;
  d.destroy = destroy;
  d.run_role = run_role;
  d.check = check;
  return &d;
}

}  // namespace strain::detail
