// core/symbolizer: names code addresses through libdw (file:line, the
// function), and without libdw still gives the module, offset and dynamic
// symbol, saying why there is no more.

#include "core/symbolizer.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

// An address inside `fn`, as a return address (the symbolizer looks one
// byte earlier).
void* inside(void* fn) { return reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(fn) + 1); }

[[gnu::noinline]] void* return_address() { return __builtin_return_address(0); }

// A return address inside this function, as backtrace() records one.
[[gnu::noinline]] void* symbolized_here() {
  void* r = return_address();
  asm volatile("" ::: "memory");  // no tail call: the return comes back here
  return r;
}

TEST(Symbolizer, NamesTheFunctionAndItsFileThroughLibdw) {
  const std::vector<strain::SymbolizedFrame> frames =
      strain::symbolize_addresses({symbolized_here()});
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_NE(frames[0].text.find("symbolized_here"), std::string::npos) << frames[0].text;
  EXPECT_NE(frames[0].text.find("symbolizer_test.cpp:"), std::string::npos) << frames[0].text;
  EXPECT_TRUE(frames[0].in_host);
  EXPECT_EQ(frames[0].text.find("libdw could not be loaded"), std::string::npos);
}

// In a fresh process (libdw is loaded once per process): with STRAIN_LIBDW
// naming no library, a libc function is still named, with its module.
TEST(Symbolizer, WithoutLibdwNamesTheModuleAndTheDynamicSymbol) {
  testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(
      {
        ::setenv("STRAIN_LIBDW", "libdw-that-is-not-there.so.1", 1);
        // libc's own getpid, not an interceptor a sanitizer runtime defines.
        void* libc = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
        void* libc_fn = libc != nullptr ? ::dlsym(libc, "getpid") : nullptr;
        const auto frames = strain::symbolize_addresses({inside(libc_fn), symbolized_here()});
        std::fprintf(stderr, "[%s] [%s] [%s] %d\n", frames[0].text.c_str(),
                     frames[0].module.c_str(), frames[1].text.c_str(), frames[1].in_host);
        const bool ok = frames.size() == 2 && frames[0].text.find("getpid") != std::string::npos &&
                        frames[0].module.find("libc.so") != std::string::npos &&
                        frames[0].text.find("libdw could not be loaded") != std::string::npos &&
                        frames[1].in_host &&
                        frames[1].text.find("libdw could not be loaded") != std::string::npos;
        std::exit(ok ? 0 : 1);
      },
      testing::ExitedWithCode(0), "libdw could not be loaded");
}

}  // namespace
