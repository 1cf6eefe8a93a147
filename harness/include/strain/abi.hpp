#pragma once
// The ABI contract between the strain host and scenario plugins.

#include <cstdint>

namespace strain {

//! Version of the plugin ABI. The host refuses a scenario whose descriptor carries another number.
//! Bump it whenever a type in this folder changes layout or meaning.
#ifndef STRAIN_ABI_VERSION
#define STRAIN_ABI_VERSION 5u
#endif
inline constexpr std::uint32_t kAbiVersion = STRAIN_ABI_VERSION;

}  // namespace strain
