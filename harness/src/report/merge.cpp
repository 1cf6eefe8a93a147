#include "report/merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/errors.hpp"

namespace strain::report {

namespace {

[[noreturn]] void refuse(const std::string& why) { throw UsageError("cannot merge: " + why); }

// Every input must agree with the first on what identifies the run.
void check_same_run(const ReportFile& a, const ReportFile& b) {
  const auto differ = [&](const char* what, const auto& x, const auto& y) {
    if (x != y)
      refuse(fmt::format("{} and {} are not from the same run: {} differs ({} vs {})", a.path,
                         b.path, what, x, y));
  };
  const model::RunSummary &x = a.summary, &y = b.summary;
  differ("the build", x.build, y.build);
  differ("the strain version", x.strain_version, y.strain_version);
  differ("the seed", x.seed, y.seed);
  differ("whether --seed was given", x.seed_overridden, y.seed_overridden);
  differ("the filter", fmt::format("'{}'", x.selection.filter),
         fmt::format("'{}'", y.selection.filter));
  differ("the --case ids", fmt::format("[{}]", fmt::join(x.selection.ids, ", ")),
         fmt::format("[{}]", fmt::join(y.selection.ids, ", ")));
  differ("the number of selected cases", x.selection.cases, y.selection.cases);
  differ("--repeat", x.selection.repeat, y.selection.repeat);

  // Specs by name: the same names, each with the same bytes.
  std::map<std::string, std::string> xs, ys;
  for (const auto& f : x.specs) xs[f.name] = f.hash;
  for (const auto& f : y.specs) ys[f.name] = f.hash;
  for (const auto& [name, hash] : xs) {
    const auto it = ys.find(name);
    if (it == ys.end())
      refuse(fmt::format("spec '{}' was run by {} but not by {}", name, a.path, b.path));
    if (it->second != hash)
      refuse(
          fmt::format("spec '{}' differs between {} ({}) and {} ({}): the shards read different "
                      "spec files",
                      name, a.path, hash, b.path, it->second));
  }
  for (const auto& [name, hash] : ys)
    if (xs.count(name) == 0)
      refuse(fmt::format("spec '{}' was run by {} but not by {}", name, b.path, a.path));
}

// Shards: all or none, one total, each index once and none missing.
void check_shards(const std::vector<ReportFile>& inputs) {
  const auto& first = inputs.front();
  const bool sharded = first.summary.selection.shard.has_value();
  std::map<std::uint64_t, std::string> seen;
  for (const auto& in : inputs) {
    const auto& shard = in.summary.selection.shard;
    if (shard.has_value() != sharded)
      refuse(fmt::format("{} is {} but {} is {}", first.path, sharded ? "a shard" : "not sharded",
                         in.path, shard ? "a shard" : "not sharded"));
    if (!shard) continue;
    if (shard->total != first.summary.selection.shard->total)
      refuse(fmt::format("{} is shard {}/{} but {} is shard {}/{}: different numbers of shards",
                         first.path, first.summary.selection.shard->index,
                         first.summary.selection.shard->total, in.path, shard->index,
                         shard->total));
    const auto [it, fresh] = seen.emplace(shard->index, in.path);
    if (!fresh)
      refuse(fmt::format("shard {}/{} is given twice: {} and {}", shard->index, shard->total,
                         it->second, in.path));
  }
  if (!sharded) return;
  std::vector<std::uint64_t> missing;
  for (std::uint64_t k = 0; k < first.summary.selection.shard->total; ++k)
    if (seen.count(k) == 0) missing.push_back(k);
  if (!missing.empty())
    refuse(fmt::format("shard{} {} of {} {} missing", missing.size() > 1 ? "s" : "",
                       fmt::join(missing, ", "), first.summary.selection.shard->total,
                       missing.size() > 1 ? "are" : "is"));
}

}  // namespace

model::RunSummary merge_reports(const std::vector<ReportFile>& inputs) {
  if (inputs.empty()) refuse("no reports given");
  for (std::size_t k = 1; k < inputs.size(); ++k) check_same_run(inputs.front(), inputs[k]);
  check_shards(inputs);

  model::RunSummary out = inputs.front().summary;
  out.results.clear();
  out.selection.shard.reset();
  out.elapsed_s = 0;
  std::map<std::pair<std::uint64_t, std::string>, std::string> where;  // (repetition, id) -> file
  for (const auto& in : inputs) {
    // Shards run side by side: the merged run took as long as the slowest.
    out.elapsed_s = std::max(out.elapsed_s, in.summary.elapsed_s);
    if (!in.summary.timestamp.empty() &&
        (out.timestamp.empty() || in.summary.timestamp < out.timestamp))
      out.timestamp = in.summary.timestamp;
    for (const auto& r : in.summary.results) {
      const auto [it, fresh] = where.emplace(std::make_pair(r.repetition, r.id), in.path);
      if (!fresh)
        refuse(fmt::format(
            "case '{}'{} is in both {} and {}", r.id,
            r.repetition > 0 ? fmt::format(" (repetition {})", r.repetition + 1) : std::string(),
            it->second, in.path));
      out.results.push_back(r);
    }
  }
  const std::uint64_t want = out.selection.cases * out.selection.repeat;
  if (out.results.size() != want)
    refuse(fmt::format(
        "the reports hold {} case results but the run selected {} cases{}: a shard "
        "was interrupted or is incomplete",
        out.results.size(), out.selection.cases,
        out.selection.repeat > 1 ? fmt::format(" x {} repetitions", out.selection.repeat)
                                 : std::string()));
  std::stable_sort(out.results.begin(), out.results.end(), [](const auto& a, const auto& b) {
    return std::tie(a.repetition, a.index) < std::tie(b.repetition, b.index);
  });
  return out;
}

}  // namespace strain::report
