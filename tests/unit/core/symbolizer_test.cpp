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

// A return address inside `fn` as backtrace() gives one: the symbolizer
// looks one byte earlier.
void* inside(void* fn) { return reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(fn) + 1); }

[[gnu::noinline]] int symbolized_here(int x) { return x * 3 + 1; }

TEST(Symbolizer, NamesTheFunctionAndItsFileThroughLibdw) {
  const std::vector<strain::SymbolizedFrame> frames =
      strain::symbolize_addresses({inside(reinterpret_cast<void*>(&symbolized_here))});
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
        void* libc_fn = ::dlsym(RTLD_DEFAULT, "getpid");
        const auto frames = strain::symbolize_addresses(
            {inside(libc_fn), inside(reinterpret_cast<void*>(&symbolized_here))});
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
