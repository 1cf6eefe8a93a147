#pragma once
// The href of every <a> in an HTML page, read with gumbo (an HTML5 parser),
// as the chapter's soup.find_all('a', href=True).

#include <string>
#include <string_view>
#include <vector>

namespace crawler {

std::vector<std::string> html_links(std::string_view html);

}  // namespace crawler
