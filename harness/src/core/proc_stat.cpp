#include "core/proc_stat.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace strain::core {

bool read_small_file(const char* path, char* buf, std::size_t size) noexcept {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::read(fd, buf, size - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}

bool stat_state_and_parent(const char* line, char& state, pid_t& ppid) noexcept {
  // The last ')' ends the command name, whatever it holds.
  const char* close = std::strrchr(line, ')');
  int parent = 0;
  if (close == nullptr || std::sscanf(close + 1, " %c %d", &state, &parent) != 2) return false;
  ppid = static_cast<pid_t>(parent);
  return true;
}

}  // namespace strain::core
