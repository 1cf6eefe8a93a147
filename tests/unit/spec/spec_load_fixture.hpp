#pragma once
// The fixture of the spec tests (spec_load_test.cpp, spec_matrix_test.cpp,
// spec_file_test.cpp; spec_errors_test.cpp takes its `bank`):
// a catalog with one scenario, `bank`, and parse() that fails the test on a
// SpecError. In a named namespace, so every file's TEST_Fs share one suite.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "spec/load.hpp"

namespace strain::spec::spec_test {

using check::Value;

//! The `bank` scenario the spec tests are written against.
inline plugin::ScenarioInfo bank_scenario() {
  plugin::ScenarioInfo bank;
  bank.name = "bank";
  bank.params = {
      {"initial_balance", "", ParamType::integer, Value::integer(1000), {}},
      {"variant",
       "",
       ParamType::string,
       Value::string("fixed"),
       {Value::string("seed"), Value::string("fixed"), Value::string("bug_unlocked")}},
      {"ratio", "", ParamType::number, Value::number(0.5), {}},
      {"verbose", "", ParamType::boolean, Value::boolean(false), {}},
  };
  bank.roles = {{"withdraw", ""}, {"deposit", ""}};
  bank.metrics = {{"final_balance", ""}, {"min_balance", ""}};
  return bank;
}

//! A catalog of `bank` alone.
inline plugin::Catalog make_catalog() {
  plugin::Catalog catalog;
  catalog.scenarios = {bank_scenario()};
  return catalog;
}

class SpecLoadTest : public ::testing::Test {
 protected:
  Spec parse(const std::string& yaml, const std::string& path = "dir/bank_spec.yaml") {
    try {
      return parse_spec(yaml, path, catalog_);
    } catch (const SpecError& e) {
      ADD_FAILURE() << e.what();
      return {};
    }
  }
  std::vector<std::string> ids(const Spec& s) {
    std::vector<std::string> out;
    for (const auto& c : s.cases) out.push_back(c.id);
    return out;
  }
  plugin::Catalog catalog_ = make_catalog();
};

}  // namespace strain::spec::spec_test
