#pragma once
// Reading /proc/<pid>/stat-like files cheaply: plain read(2) into a stack
// buffer (a /proc file is generated on read; stdio would add an fstat, a
// seek and an allocation to each), and the fields after the command name,
// which may hold spaces and parentheses. Used between trials and cases,
// where /proc is read for every process of the machine.

#include <sys/types.h>

#include <cstddef>

namespace strain::core {

//! Reads the small file `path` into `buf` (NUL-terminated); false if it
//! cannot be read or is empty.
bool read_small_file(const char* path, char* buf, std::size_t size) noexcept;

//! A stat line's state and parent ("pid (comm) state ppid ..."): false if
//! `line` is not one.
bool stat_state_and_parent(const char* line, char& state, pid_t& ppid) noexcept;

}  // namespace strain::core
