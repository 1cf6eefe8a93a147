#include "html_links.hpp"

#include <gumbo.h>

#include <memory>

namespace crawler {

namespace {

void walk(const GumboNode* node, std::vector<std::string>& out) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return;
  const GumboElement& el = node->v.element;
  if (el.tag == GUMBO_TAG_A)
    if (const GumboAttribute* href = gumbo_get_attribute(&el.attributes, "href"))
      out.emplace_back(href->value);
  for (unsigned k = 0; k < el.children.length; ++k)
    walk(static_cast<const GumboNode*>(el.children.data[k]), out);
}

}  // namespace

std::vector<std::string> html_links(std::string_view html) {
  std::vector<std::string> out;
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> doc(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (doc) walk(doc->root, out);
  return out;
}

}  // namespace crawler
