#include "core/file_kind.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace strain {

std::string file_kind(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}

std::string not_regular_file(const std::string& path) {
  // stat, never open: opening a FIFO for reading blocks until a writer comes.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string("cannot be read: ") + std::strerror(errno);
  if (S_ISREG(st.st_mode)) return {};
  return "is " + file_kind(st.st_mode) + ", not a regular file";
}

}  // namespace strain
