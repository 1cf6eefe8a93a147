// libFuzzer target: the spec loader. Any text must end as a Spec or a
// SpecError with diagnostics, never as a crash, a hang or another exception.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/abi_types.hpp"
#include "spec/load.hpp"

namespace {

// A scenario with every kind of param, two roles and a metric, so the fuzzer
// reaches the checks a real plugin's spec goes through.
const strain::plugin::Catalog& catalog() {
  static const strain::plugin::Catalog c = [] {
    using strain::ParamType;
    using strain::check::Value;
    strain::plugin::ScenarioInfo s;
    s.name = "p";
    s.params = {{"n", "", ParamType::integer, Value::integer(1), {}},
                {"x", "", ParamType::number, Value::number(0.5), {}},
                {"flag", "", ParamType::boolean, Value::boolean(false), {}},
                {"variant",
                 "",
                 ParamType::string,
                 Value::string("fixed"),
                 {Value::string("fixed"), Value::string("seed")}}};
    s.roles = {{"a", ""}, {"b", ""}};
    s.metrics = {{"m", ""}};
    strain::plugin::Catalog out;
    out.scenarios = {s};
    return out;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)strain::spec::parse_spec(text, "fuzz.yaml", catalog());
  } catch (const strain::spec::SpecError& e) {
    if (e.diagnostics().empty()) __builtin_trap();  // an error must say what
  }
  return 0;
}
