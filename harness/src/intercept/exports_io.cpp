// The C library's calls that wait for I/O, exported by the host like the
// pthread functions (exports.cpp): on a thread of a steered trial each is a
// schedule point, and a wait for a descriptor parks the thread in the
// scheduler (steered_io.cpp) instead of blocking the turn in the kernel;
// everywhere else each calls the C library's at once, for one thread-local
// load and a branch. The _FORTIFY_SOURCE variants (__read_chk, ...) are what
// a fortified build of the code calls.
//
// Calls inside the C library (fread of a FILE* on a pipe, getline) do not
// come through here: they read in the kernel, with the turn held.
//
// No libc header that declares these functions is included (see
// exports.cpp): a wait the scheduler aborts unwinds by throwing.

#include <cstdint>

#include "intercept/exported.hpp"
#include "intercept/real.hpp"
#include "intercept/steered.hpp"

namespace {

using strain::intercept::real;
namespace st = strain::intercept;

// MSG_DONTWAIT (<sys/socket.h>): a receive or send that must not wait.
constexpr int kDontWait = 0x40;

}  // namespace

// --- reads and writes ---------------------------------------------------------
STRAIN_EXPORT long read(int fd, void* buf, unsigned long n) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, false, "read");
  return real().read(fd, buf, n);
}
STRAIN_EXPORT long __read_chk(int fd, void* buf, unsigned long n, unsigned long size) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, false, "read");
  return real().read_chk(fd, buf, n, size);
}
STRAIN_EXPORT long readv(int fd, const void* iov, int count) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, false, "readv");
  return real().readv(fd, iov, count);
}
STRAIN_EXPORT long write(int fd, const void* buf, unsigned long n) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, true, false, "write");
  return real().write(fd, buf, n);
}
STRAIN_EXPORT long writev(int fd, const void* iov, int count) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, true, false, "writev");
  return real().writev(fd, iov, count);
}
STRAIN_EXPORT int eventfd_read(int fd, void* value) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, false, "eventfd_read");
  return real().eventfd_read(fd, value);
}
STRAIN_EXPORT int eventfd_write(int fd, unsigned long value) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, true, false, "eventfd_write");
  return real().eventfd_write(fd, value);
}

// --- sockets -------------------------------------------------------------------
STRAIN_EXPORT long recv(int fd, void* buf, unsigned long n, int flags) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, (flags & kDontWait) != 0, "recv");
  return real().recv(fd, buf, n, flags);
}
STRAIN_EXPORT long __recv_chk(int fd, void* buf, unsigned long n, unsigned long size, int flags) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, (flags & kDontWait) != 0, "recv");
  return real().recv_chk(fd, buf, n, size, flags);
}
STRAIN_EXPORT long recvfrom(int fd, void* buf, unsigned long n, int flags, void* from, void* len) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, (flags & kDontWait) != 0, "recvfrom");
  return real().recvfrom(fd, buf, n, flags, from, len);
}
STRAIN_EXPORT long __recvfrom_chk(int fd, void* buf, unsigned long n, unsigned long size, int flags,
                                  void* from, void* len) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, (flags & kDontWait) != 0, "recvfrom");
  return real().recvfrom_chk(fd, buf, n, size, flags, from, len);
}
STRAIN_EXPORT long recvmsg(int fd, void* msg, int flags) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, (flags & kDontWait) != 0, "recvmsg");
  return real().recvmsg(fd, msg, flags);
}
STRAIN_EXPORT long send(int fd, const void* buf, unsigned long n, int flags) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, true, (flags & kDontWait) != 0, "send");
  return real().send(fd, buf, n, flags);
}
STRAIN_EXPORT long sendto(int fd, const void* buf, unsigned long n, int flags, const void* to,
                          unsigned len) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, true, (flags & kDontWait) != 0, "sendto");
  return real().sendto(fd, buf, n, flags, to, len);
}
STRAIN_EXPORT long sendmsg(int fd, const void* msg, int flags) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, true, (flags & kDontWait) != 0, "sendmsg");
  return real().sendmsg(fd, msg, flags);
}
STRAIN_EXPORT int accept(int fd, void* addr, void* len) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, false, "accept");
  return real().accept(fd, addr, len);
}
STRAIN_EXPORT int accept4(int fd, void* addr, void* len, int flags) {
  if (steered()) [[unlikely]]
    st::fd_wait(fd, false, false, "accept4");
  return real().accept4(fd, addr, len, flags);
}

// --- multiplexers ----------------------------------------------------------------
STRAIN_EXPORT int poll(void* fds, unsigned long n, int ms) {
  if (steered()) [[unlikely]]
    return st::poll(fds, n, st::ms_timeout(ms), nullptr, false);
  return real().poll(fds, n, ms);
}
STRAIN_EXPORT int __poll_chk(void* fds, unsigned long n, int ms, unsigned long size) {
  if (steered()) [[unlikely]]
    return st::poll(fds, n, st::ms_timeout(ms), nullptr, false);
  return real().poll_chk(fds, n, ms, size);
}
STRAIN_EXPORT int ppoll(void* fds, unsigned long n, const timespec* t, const void* mask) {
  if (steered()) [[unlikely]]
    return st::poll(fds, n, st::ts_timeout(t), mask, true);
  return real().ppoll(fds, n, t, mask);
}
STRAIN_EXPORT int __ppoll_chk(void* fds, unsigned long n, const timespec* t, const void* mask,
                              unsigned long size) {
  if (steered()) [[unlikely]]
    return st::poll(fds, n, st::ts_timeout(t), mask, true);
  return real().ppoll_chk(fds, n, t, mask, size);
}
STRAIN_EXPORT int select(int n, void* r, void* w, void* e, void* tv) {
  if (steered()) [[unlikely]]
    return st::select(n, r, w, e, st::tv_timeout(tv), nullptr, false);
  return real().select(n, r, w, e, tv);
}
STRAIN_EXPORT int pselect(int n, void* r, void* w, void* e, const timespec* t, const void* mask) {
  if (steered()) [[unlikely]]
    return st::select(n, r, w, e, st::ts_timeout(t), mask, true);
  return real().pselect(n, r, w, e, t, mask);
}
STRAIN_EXPORT int epoll_wait(int epfd, void* events, int max, int ms) {
  if (steered()) [[unlikely]]
    return st::epoll_wait(epfd, events, max, st::ms_timeout(ms), nullptr, false);
  return real().epoll_wait(epfd, events, max, ms);
}
STRAIN_EXPORT int epoll_pwait(int epfd, void* events, int max, int ms, const void* mask) {
  if (steered()) [[unlikely]]
    return st::epoll_wait(epfd, events, max, st::ms_timeout(ms), mask, true);
  return real().epoll_pwait(epfd, events, max, ms, mask);
}
STRAIN_EXPORT int epoll_pwait2(int epfd, void* events, int max, const timespec* t,
                               const void* mask) {
  if (steered()) [[unlikely]]
    return st::epoll_wait(epfd, events, max, st::ts_timeout(t), mask, true);
  return real().epoll_pwait2(epfd, events, max, t, mask);
}
