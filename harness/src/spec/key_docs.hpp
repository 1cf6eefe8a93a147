#pragma once
// The documentation of every spec key, as one table: `strain validate
// --explain KEY` prints from it, docs/spec.md's reference section is its
// Markdown rendering (a test checks they are equal), and a test checks the
// loader accepts exactly these keys, so the three cannot drift apart.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strain::spec {

struct KeyDoc {
  std::string_view key;       // dotted path: "schedule.strategy.yield_p", "cases[].expect"
  std::string_view type;      // e.g. "string", "integer >= 1", "duration > 0", "map"
  std::string_view fallback;  // the default, or "required"
  std::string_view meaning;   // what it does, in full sentences
  std::string_view example;   // a YAML line using it
};

//! Every key, in the order of docs/spec.md.
std::span<const KeyDoc> key_docs();

//! The keys `query` names: the exact key, else every key whose path ends
//! with "." + query or "]." + query (so `trials` finds `schedule.trials`),
//! else every key that starts with query + ".".
std::vector<const KeyDoc*> find_key_docs(std::string_view query);

//! One key as `strain validate --explain` prints it.
std::string explain(const KeyDoc& doc);

//! The Markdown reference table of docs/spec.md.
std::string key_docs_markdown();

}  // namespace strain::spec
