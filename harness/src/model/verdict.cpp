#include "model/verdict.hpp"

#include <algorithm>

namespace strain::model {

bool verdict(const CaseResult& r) {
  const auto count = [&](Outcome o) { return r.outcomes[static_cast<std::size_t>(o)]; };
  if (r.stopped_by == StopReason::error) return false;
  if (r.expected_exhaustive && !(r.explored && r.explored->complete)) return false;
  for (Outcome o : kAllOutcomes)
    if (is_failure(o) && o != r.expected && r.expected != Outcome::fail && count(o) > 0)
      return false;
  if (r.expected == Outcome::fail)
    return std::any_of(kAllOutcomes.begin(), kAllOutcomes.end(),
                       [&](Outcome o) { return is_failure(o) && count(o) > 0; });
  return r.expected == Outcome::pass ? r.trials > 0 : count(r.expected) > 0;
}

}  // namespace strain::model
