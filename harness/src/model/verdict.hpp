#pragma once
// Whether a case met its expectation.

#include "model/result.hpp"

namespace strain::model {

//! A case expecting pass meets it when nothing failed; a case expecting a
//! failure outcome meets it when that outcome was seen and no other kind of
//! failure was; `fail` is met by any failure. A case that could not run
//! (StopReason::error) never meets it, nor one expected exhaustive whose
//! exploration did not complete.
bool verdict(const CaseResult& r);

}  // namespace strain::model
