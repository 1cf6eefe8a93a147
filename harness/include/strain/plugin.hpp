#pragma once
// Registration of a scenario in a plugin library.

#include <boost/dll/alias.hpp>

#include "strain/scenario.hpp"

//! Registers scenario class `Type` under `name` (an identifier). The host
//! finds it by the exported alias `strain_scenario_<name>` in the library's
//! "strain" section, so one library may register several scenarios.
#define STRAIN_SCENARIO(Type, name)                                   \
  namespace strain_registration_##name {                              \
    const ::strain::detail::ScenarioDescriptor* describe() noexcept { \
      return ::strain::detail::describe<Type>(#name);                 \
    }                                                                 \
  }                                                                   \
  BOOST_DLL_ALIAS_SECTIONED(strain_registration_##name::describe, strain_scenario_##name, strain)
