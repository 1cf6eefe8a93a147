#pragma once
// Everything a scenario plugin needs.

#include "strain/context.hpp"
#include "strain/plugin.hpp"
#include "strain/process_pool.hpp"
#include "strain/rng.hpp"
#include "strain/scenario.hpp"
#include "strain/sync.hpp"
