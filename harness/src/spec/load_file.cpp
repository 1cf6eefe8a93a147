// load_spec: a spec read from a path, refused unless it is a regular file
// of at most limits::kMaxSpecBytes, then parsed (load.cpp).

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "core/file_kind.hpp"
#include "spec/limits.hpp"
#include "spec/load.hpp"

namespace strain::spec {

Spec load_spec(const std::string& path, const plugin::Catalog& catalog, const CaseFilter& wanted) {
  const auto fail = [&](const std::string& why) {
    throw SpecError({Diagnostic{{path, 1, 1}, "cannot read spec: " + why}});
  };
  // Only a regular file is a spec: a FIFO would block the read forever and
  // /dev/zero would fill memory. Checked before opening (opening a FIFO
  // blocks too) and again on the open file, which is what is read.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("the path is " + file_kind(st.st_mode) + ", not a regular file");
  // stdio rather than ifstream: it reliably leaves errno to say why a read
  // failed (missing file, permission, a directory).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(std::strerror(errno));
  if (::fstat(::fileno(f.get()), &st) != 0) fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("the path is " + file_kind(st.st_mode) + ", not a regular file");
  std::string text;
  std::array<char, 65536> buf;
  while (text.size() <= limits::kMaxSpecBytes) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    text.append(buf.data(), n);
    if (n < buf.size()) break;
  }
  if (std::ferror(f.get())) fail(std::strerror(errno));
  return parse_spec(text, path, catalog, wanted);
}

}  // namespace strain::spec
