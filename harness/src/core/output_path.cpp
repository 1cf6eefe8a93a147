#include "core/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/errors.hpp"
#include "core/file_kind.hpp"

namespace strain {

namespace fs = std::filesystem;

void check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       const std::string& what) {
  const auto fail = [&](const std::string& why) { throw UsageError(what + ": " + why); };
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    // A report replaces its file by renaming a new one over it: over a
    // device or a FIFO that would replace the node itself.
    if (!S_ISREG(st.st_mode))
      fail(path + " is " + file_kind(st.st_mode) +
           "; a report is written only to a regular file or a new path");
    for (const auto& in : inputs) {
      std::error_code ec;
      if (fs::equivalent(path, in, ec))
        fail(path + " is one of the run's inputs (" + in + "); it would be overwritten");
    }
  } else if (errno != ENOENT) {
    fail("cannot write " + path + ": " + std::strerror(errno));
  }
  // Creating a file beside it is what the writer will do; try it now.
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) fail("cannot create the folder " + parent.string() + ": " + ec.message());
  std::string probe = (parent / ".strain-write-test.XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) fail("cannot write in " + parent.string() + ": " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace strain
