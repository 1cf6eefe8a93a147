// TSan report parser tests, on real reports captured from clang 14 and gcc 12
// builds (tests/unit/tsan/samples). Each sample's comment names its source.

#include "tsan/report_parser.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "samples.hpp"

namespace strain::tsan {
namespace {

using test::sample;

Report only(const std::string& name) {
  std::vector<Report> reports = parse_reports(sample(name));
  EXPECT_EQ(reports.size(), 1u) << name;
  return reports.empty() ? Report{} : reports.front();
}

// The first frame outside the runtime and the standard library.
const Frame& top_user(const std::vector<Frame>& stack) {
  for (const Frame& f : stack)
    if (!is_runtime_frame(f)) return f;
  static const Frame none;
  ADD_FAILURE() << "no user frame";
  return none;
}

std::string where(const Frame& f) {
  return f.function + " " + f.file + ":" + std::to_string(f.line);
}

// Race on a global inside a dlopen'ed library, as a plugin would have it.
TEST(TsanParser, RaceOnGlobalInDlopenedLibrary) {
  Report r = only("race_global_dlopen.txt");
  EXPECT_EQ(r.kind, "data race");
  EXPECT_EQ(r.outcome, "race");
  ASSERT_EQ(r.accesses.size(), 2u);
  const Access& cur = r.accesses[0];
  EXPECT_EQ(cur.what, "Write of size 4 at 0x7f14f981d034 by thread T2");
  EXPECT_TRUE(cur.write);
  EXPECT_FALSE(cur.atomic);
  EXPECT_EQ(cur.size, 4);
  EXPECT_EQ(cur.thread, "T2");
  EXPECT_TRUE(cur.mutexes_held.empty());
  ASSERT_EQ(cur.stack.size(), 8u);
  const Frame& f = cur.stack[0];
  EXPECT_EQ(f.index, 0);
  EXPECT_EQ(f.function, "bump_counter");
  EXPECT_EQ(f.file, "/tmp/tsan/plugin.cpp");
  EXPECT_EQ(f.line, 3);
  EXPECT_EQ(f.column, 68);
  EXPECT_EQ(f.module, "libracy.so");
  EXPECT_EQ(f.address, "0x1170");
  EXPECT_EQ(cur.stack[1].function, "main::$_1::operator()() const");
  const Access& prev = r.accesses[1];
  EXPECT_EQ(prev.what, "Previous write of size 4 at 0x7f14f981d034 by thread T1");
  EXPECT_TRUE(prev.write);
  EXPECT_EQ(prev.thread, "T1");
  EXPECT_EQ(where(prev.stack[1]), "main::$_0::operator()() const /tmp/tsan/race_dlopen.cpp:8");
  EXPECT_EQ(r.location,
            "Location is global 'counter' of size 4 at 0x7f14f981d034 (libracy.so+0x4034)");
  ASSERT_EQ(r.threads.size(), 2u);
  EXPECT_EQ(r.threads[0], "Thread T2 (tid=19582, running) created by main thread at");
  EXPECT_TRUE(r.mutexes.empty());
  EXPECT_EQ(r.summary, "data race /tmp/tsan/plugin.cpp:3:68 in bump_counter");
  EXPECT_EQ(r.text.rfind("WARNING: ThreadSanitizer: data race (pid=19579)\n", 0), 0u);
  EXPECT_NE(r.text.find("\nSUMMARY: ThreadSanitizer: data race"), std::string::npos);
  EXPECT_EQ(r.text.find("=================="), std::string::npos);
}

TEST(TsanParser, NullFramesKeepModuleAndOffset) {
  Report r = only("race_global_dlopen.txt");
  const Frame& f = r.accesses[0].stack[7];
  EXPECT_EQ(f.index, 7);
  EXPECT_EQ(f.function, "");
  EXPECT_EQ(f.file, "");
  EXPECT_EQ(f.line, 0);
  EXPECT_EQ(f.module, "libstdc++.so.6");
  EXPECT_EQ(f.address, "0xd44a2");
  EXPECT_TRUE(is_runtime_frame(f));
  // A symbol without a file: the interceptor the thread was created by.
  const Frame& g = r.accesses[0].stack[2];
  EXPECT_EQ(g.function,
            "void std::__invoke_impl<void, main::$_1>(std::__invoke_other, main::$_1&&)");
  EXPECT_TRUE(is_runtime_frame(g));
}

TEST(TsanParser, HeapUseAfterFree) {
  Report r = only("heap_use_after_free.txt");
  EXPECT_EQ(r.kind, "heap-use-after-free");
  EXPECT_EQ(r.outcome, "race");
  ASSERT_EQ(r.accesses.size(), 2u);
  EXPECT_TRUE(r.accesses[0].write);
  EXPECT_EQ(r.accesses[0].size, 4);
  EXPECT_EQ(r.accesses[0].thread, "T1");
  EXPECT_EQ(where(r.accesses[0].stack[0]), "poke(int*) /tmp/tsan/uaf.cpp:3");
  EXPECT_EQ(r.accesses[1].size, 8);
  EXPECT_EQ(r.accesses[1].thread, "main thread");
  EXPECT_EQ(r.accesses[1].stack[0].function, "operator delete[](void*)");
  EXPECT_EQ(where(top_user(r.accesses[1].stack)), "release(int*) /tmp/tsan/uaf.cpp:2");
  EXPECT_EQ(r.location, "");
  EXPECT_EQ(r.summary, "heap-use-after-free /tmp/tsan/uaf.cpp:3:52 in poke(int*)");
}

TEST(TsanParser, LockOrderInversionEdgesAreAccesses) {
  Report r = only("lock_order_inversion.txt");
  EXPECT_EQ(r.kind, "lock-order-inversion (potential deadlock)");
  EXPECT_EQ(r.outcome, "deadlock");
  ASSERT_EQ(r.accesses.size(), 2u);
  const Access& e = r.accesses[0];
  EXPECT_EQ(e.what, "Mutex M1 acquired here while holding mutex M0 in thread T1");
  EXPECT_EQ(e.thread, "T1");
  EXPECT_EQ(e.mutexes_held, std::vector<std::string>{"M0"});
  EXPECT_FALSE(e.write);
  EXPECT_EQ(e.stack.size(), 11u);
  EXPECT_EQ(e.stack[0].function, "pthread_mutex_lock");
  EXPECT_EQ(where(top_user(e.stack)), "ab() /tmp/tsan/lockorder.cpp:4");
  EXPECT_EQ(r.accesses[1].mutexes_held, std::vector<std::string>{"M1"});
  EXPECT_EQ(r.accesses[1].thread, "T2");
  EXPECT_EQ(where(top_user(r.accesses[1].stack)), "ba() /tmp/tsan/lockorder.cpp:5");
  ASSERT_EQ(r.mutexes.size(), 1u);
  EXPECT_EQ(r.mutexes[0],
            "Cycle in lock order graph: M0 (0x5620e78ba6a8) => M1 (0x5620e78ba6d0) => M0");
  EXPECT_EQ(r.threads.size(), 2u);
  EXPECT_EQ(r.summary.rfind("lock-order-inversion (potential deadlock) (", 0), 0u);
}

// TSAN_OPTIONS=second_deadlock_stack=1 adds "previously acquired" stacks,
// which are context, not edges: same accesses, same signature.
TEST(TsanParser, SecondDeadlockStackChangesNothing) {
  Report plain = only("lock_order_inversion.txt");
  Report r = only("lock_order_inversion_second_stack.txt");
  ASSERT_EQ(r.accesses.size(), 2u);
  EXPECT_EQ(r.accesses[0].stack.size(), 11u);
  EXPECT_EQ(r.accesses[1].stack.size(), 11u);
  EXPECT_EQ(where(top_user(r.accesses[0].stack)), "ab() /tmp/tsan/lockorder.cpp:4");
  EXPECT_EQ(r.signature, plain.signature);
}

TEST(TsanParser, RaceWithMutexHeld) {
  Report r = only("race_mutex_held.txt");
  ASSERT_EQ(r.accesses.size(), 2u);
  EXPECT_TRUE(r.accesses[0].mutexes_held.empty());
  EXPECT_EQ(where(r.accesses[0].stack[0]), "withdraw() /tmp/tsan/mutexrace.cpp:6");
  EXPECT_EQ(r.accesses[1].what,
            "Previous write of size 4 at 0x5558a486d6d0 by thread T1 (mutexes: write M0)");
  EXPECT_EQ(r.accesses[1].thread, "T1");
  EXPECT_EQ(r.accesses[1].mutexes_held, std::vector<std::string>{"write M0"});
  EXPECT_EQ(r.mutexes, std::vector<std::string>{"Mutex M0 (0x5558a486d6a8) created at: "
                                                "deposit() /tmp/tsan/mutexrace.cpp:5:72"});
  EXPECT_EQ(r.location,
            "Location is global 'balance' of size 4 at 0x5558a486d6d0 (mutexrace+0x14fb6d0)");
}

// gcc's libtsan prints no columns, no BuildIds, and symbolizes its own runtime.
TEST(TsanParser, GccVariant) {
  Report r = only("race_mutex_held_gcc.txt");
  EXPECT_EQ(r.kind, "data race");
  ASSERT_EQ(r.accesses.size(), 2u);
  EXPECT_FALSE(r.accesses[0].write);
  EXPECT_EQ(r.accesses[0].what, "Read of size 4 at 0x559261ecf0e0 by thread T2");
  const Frame& f = r.accesses[0].stack[0];
  EXPECT_EQ(where(f), "withdraw() /tmp/tsan/mutexrace.cpp:6");
  EXPECT_EQ(f.column, 0);
  EXPECT_EQ(f.module, "mutexrace_gcc");
  EXPECT_EQ(f.address, "0x1267");
  EXPECT_EQ(r.accesses[1].mutexes_held, std::vector<std::string>{"write M9"});
  EXPECT_EQ(r.mutexes, std::vector<std::string>{"Mutex M9 (0x559261ecf100) created at: "
                                                "deposit() /tmp/tsan/mutexrace.cpp:5"});
  EXPECT_EQ(r.summary, "data race /tmp/tsan/mutexrace.cpp:6 in withdraw()");
  EXPECT_EQ(r.threads[1], "Thread T1 (tid=19613, finished) created by main thread at");
}

TEST(TsanParser, RaceOnHeapBlock) {
  Report r = only("race_heap.txt");
  ASSERT_EQ(r.accesses.size(), 2u);
  EXPECT_FALSE(r.accesses[0].write);
  EXPECT_EQ(r.accesses[0].size, 8);
  EXPECT_EQ(r.accesses[0].thread, "main thread");
  EXPECT_EQ(where(r.accesses[0].stack[0]), "load(Box*) /tmp/tsan/heaprace.cpp:5");
  EXPECT_EQ(where(r.accesses[1].stack[0]), "store(Box*) /tmp/tsan/heaprace.cpp:4");
  EXPECT_EQ(r.accesses[0].address, "0x7b0400000000");
  EXPECT_EQ(r.location,
            "Location is heap block of size 16 at 0x7b0400000000 allocated by main thread: "
            "main /tmp/tsan/heaprace.cpp:7:12");
  EXPECT_EQ(r.threads.size(), 1u);
}

TEST(TsanParser, AtomicAgainstPlainAccess) {
  Report r = only("race_atomic_vs_plain.txt");
  ASSERT_EQ(r.accesses.size(), 2u);
  EXPECT_FALSE(r.accesses[0].atomic);
  EXPECT_TRUE(r.accesses[0].write);
  EXPECT_TRUE(r.accesses[1].atomic);
  EXPECT_TRUE(r.accesses[1].write);
  EXPECT_EQ(r.accesses[1].size, 4);
  EXPECT_EQ(r.accesses[1].what.rfind("Previous atomic write of size 4 at 0x", 0), 0u);
  EXPECT_EQ(where(top_user(r.accesses[1].stack)), "set_atomic() /tmp/tsan/mixedatomic.cpp:4");
}

TEST(TsanParser, ThreadLeakKeepsCreationStack) {
  Report r = only("thread_leak.txt");
  EXPECT_EQ(r.kind, "thread leak");
  EXPECT_EQ(r.outcome, "race");
  EXPECT_TRUE(r.accesses.empty());
  ASSERT_EQ(r.threads.size(), 1u);
  EXPECT_EQ(r.threads[0], "Thread T1 (tid=19604, finished) created by main thread at");
  ASSERT_EQ(r.stack.size(), 2u);
  EXPECT_EQ(where(top_user(r.stack)), "main /tmp/tsan/threadleak.cpp:6");
  EXPECT_EQ(r.signature, "thread leak | pthread_create; main threadleak.cpp:6");
}

TEST(TsanParser, SignalUnsafeReportsInOneOutput) {
  std::vector<Report> rs = parse_reports(sample("signal_unsafe.txt"));
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].kind, "signal-unsafe call inside of a signal");
  EXPECT_EQ(rs[1].kind, "signal-unsafe call inside of a signal");
  EXPECT_EQ(rs[2].kind, "signal handler spoils errno");
  EXPECT_EQ(rs[0].outcome, "race");
  ASSERT_EQ(rs[0].stack.size(), 4u);
  EXPECT_EQ(rs[0].stack[0].function, "malloc");
  // An object file instead of a source file: a name with no line.
  EXPECT_EQ(rs[0].stack[2].file, "tsan_interceptors_posix.cpp.o");
  EXPECT_EQ(rs[0].stack[2].line, 0);
  EXPECT_TRUE(is_runtime_frame(rs[0].stack[2]));
  // A clang frame without a column.
  EXPECT_EQ(where(rs[2].stack[0]), "handler(int) /tmp/tsan/signal.cpp:7");
  EXPECT_EQ(rs[2].stack[0].column, 0);
  // malloc and free are called on the same line: the interceptor tells them apart.
  EXPECT_NE(rs[0].signature, rs[1].signature);
  EXPECT_EQ(rs[0].summary.rfind("signal-unsafe call inside of a signal (", 0), 0u);
}

// A SEGV caught by TSan is an ERROR report with the same frame syntax.
TEST(TsanParser, DeadlySignalIsCrash) {
  std::vector<Report> rs = parse_reports(sample("segv.txt"));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].kind, "SEGV");
  EXPECT_EQ(rs[0].outcome, "crash");
  EXPECT_EQ(rs[0].stack.size(), 4u);
  // Nothing but runtime frames: the raw top two stand in, without addresses.
  EXPECT_EQ(rs[0].signature, "SEGV | <null> (libstdc++.so.6); __tsan_thread_start_func (uaf)");
  EXPECT_EQ(rs[0].summary.rfind("SEGV (/lib/x86_64-linux-gnu/libstdc++.so.6+0xd44a9)", 0), 0u);
  EXPECT_EQ(rs[0].text.rfind("==19468==ERROR: ThreadSanitizer: SEGV", 0), 0u);
}

TEST(TsanParser, OutcomeMapping) {
  EXPECT_EQ(outcome_for_kind("data race"), "race");
  EXPECT_EQ(outcome_for_kind("data race on vptr (ctor/dtor vs virtual call)"), "race");
  EXPECT_EQ(outcome_for_kind("heap-use-after-free"), "race");
  EXPECT_EQ(outcome_for_kind("lock-order-inversion (potential deadlock)"), "deadlock");
  EXPECT_EQ(outcome_for_kind("thread leak"), "race");
  EXPECT_EQ(outcome_for_kind("double lock of a mutex"), "race");
  EXPECT_EQ(outcome_for_kind("SEGV", true), "crash");
}

TEST(TsanParser, SameRaceTwiceDedupesToOne) {
  std::string s = sample("race_mutex_held.txt");
  std::vector<Deduped> d = deduplicate(parse_reports(s + s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].count, 2);
  EXPECT_EQ(d[0].report.kind, "data race");
}

// A second real run: another pid, tids and (ASLR) addresses.
TEST(TsanParser, RerunOfSameProgramHasSameSignature) {
  Report a = only("race_global_dlopen.txt");
  Report b = only("race_global_dlopen_rerun.txt");
  EXPECT_NE(a.text, b.text);
  EXPECT_EQ(a.signature, b.signature);
  std::vector<Deduped> d = deduplicate({a, b});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].count, 2);
}

// The same bug built in two checkouts (or CI clones) has frames under
// different directories: one signature, and no directory in it.
TEST(TsanParser, SignatureIsIndependentOfTheCheckoutPath) {
  const std::string s = sample("race_heap.txt");
  const std::string moved =
      std::regex_replace(s, std::regex("/tmp/tsan/"), "/work/other/build/tsan/../../src/");
  ASSERT_NE(s, moved);
  const Report a = only("race_heap.txt");
  const std::vector<Report> b = parse_reports(moved);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a.signature, b[0].signature);
  EXPECT_EQ(a.signature.find('/'), std::string::npos) << a.signature;
  EXPECT_NE(a.signature.find("heaprace.cpp:5"), std::string::npos) << a.signature;
  // The frames themselves keep their paths: a report still says where.
  EXPECT_EQ(b[0].accesses[0].stack[0].file, "/work/other/build/tsan/../../src/heaprace.cpp");
}

TEST(TsanParser, RewrittenAddressesPidsTidsAndThreadsDedupe) {
  std::string s = sample("race_mutex_held.txt");
  std::string t = std::regex_replace(s, std::regex("0x[0-9a-f]+"), "0xdead");
  t = std::regex_replace(t, std::regex("(pid|tid)=[0-9]+"), "$1=4242");
  t = std::regex_replace(t, std::regex("T1\\b"), "T9");
  t = std::regex_replace(t, std::regex("\\bM0\\b"), "M7");
  ASSERT_NE(s, t);
  std::vector<Deduped> d = deduplicate(parse_reports(s + "some output\n" + t));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].count, 2);
  EXPECT_EQ(d[0].report.accesses[1].thread, "T1");  // the first one is kept
}

TEST(TsanParser, SignaturesAreStableAndDistinct) {
  std::set<std::string> sigs;
  for (const char* name :
       {"race_global_dlopen.txt", "heap_use_after_free.txt", "lock_order_inversion.txt",
        "race_mutex_held.txt", "race_heap.txt", "race_atomic_vs_plain.txt", "thread_leak.txt"}) {
    Report r = only(name);
    EXPECT_EQ(r.signature.find("0x"), std::string::npos) << r.signature;
    EXPECT_EQ(r.signature.find("pid"), std::string::npos) << r.signature;
    EXPECT_EQ(r.signature.find("T1"), std::string::npos) << r.signature;
    sigs.insert(r.signature);
  }
  EXPECT_EQ(sigs.size(), 7u);
  EXPECT_EQ(only("race_mutex_held.txt").signature,
            "data race | deposit() mutexrace.cpp:5 | "
            "withdraw() mutexrace.cpp:6");
  EXPECT_EQ(only("lock_order_inversion.txt").signature,
            "lock-order-inversion (potential deadlock) | "
            "pthread_mutex_lock; ab() lockorder.cpp:4 | "
            "pthread_mutex_lock; ba() lockorder.cpp:5");
}

TEST(TsanParser, TruncatedReportYieldsWhatWasRead) {
  std::string s = sample("race_mutex_held.txt");
  // Cut inside the previous access's stack, mid-line.
  size_t cut = s.find("    #3 ", s.find("Previous write")) + 20;
  std::vector<Report> rs = parse_reports(std::string_view(s).substr(0, cut));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].kind, "data race");
  ASSERT_EQ(rs[0].accesses.size(), 2u);
  EXPECT_EQ(rs[0].accesses[0].stack.size(), 7u);
  EXPECT_EQ(rs[0].accesses[1].stack.size(), 4u);  // #3 cut short still yields its index
  EXPECT_EQ(rs[0].accesses[1].mutexes_held, std::vector<std::string>{"write M0"});
  EXPECT_TRUE(rs[0].summary.empty());
  EXPECT_TRUE(rs[0].location.empty());
  EXPECT_FALSE(rs[0].signature.empty());

  // A report cut short and followed by a complete one: both are kept.
  std::string heap = sample("race_heap.txt");
  rs = parse_reports(s.substr(0, cut) + "\n" + heap);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[1].location.rfind("Location is heap block", 0), 0u);
}

TEST(TsanParser, InterleavedJunkIsIgnored) {
  std::string s = sample("race_heap.txt");
  // Another writer's line in the middle of a stack, without a newline before TSan's.
  size_t at = s.find("    #1 main::$_0");
  s.insert(at, "worker 3: progress 50%\r\n");
  std::string out = "starting\nplugin loaded\n" + s + "trial 12 done\n==1234== note\n" +
                    "[ok] WARNING: ThreadSanitizer: thread leak (pid=1)\n" +
                    "  Thread T5 (tid=7, finished) created by main thread at:\n" +
                    "    #0 pthread_create <null> (a.out+0x10)\n    #1 spawn() /src/s.cpp:9 " +
                    "(a.out+0x20)\n\nSUMMARY: ThreadSanitizer: thread leak in spawn()\nbye\n";
  std::vector<Report> rs = parse_reports(out);
  ASSERT_EQ(rs.size(), 2u);
  ASSERT_EQ(rs[0].accesses.size(), 2u);
  EXPECT_EQ(rs[0].accesses[1].stack.size(), 8u);
  EXPECT_EQ(rs[0].location.rfind("Location is heap block of size 16", 0), 0u);
  EXPECT_EQ(rs[1].kind, "thread leak");
  EXPECT_EQ(rs[1].signature, "thread leak | pthread_create; spawn() s.cpp:9");
  EXPECT_EQ(rs[1].text.rfind("WARNING:", 0), 0u);
}

TEST(TsanParser, EmptyAndReportlessInput) {
  EXPECT_TRUE(parse_reports("").empty());
  EXPECT_TRUE(parse_reports("\n\n").empty());
  EXPECT_TRUE(
      parse_reports("hello\n==================\nSUMMARY: nothing\n    #0 f() a.cc:1\n").empty());
  EXPECT_TRUE(deduplicate({}).empty());
}

TEST(TsanParser, SyntheticFrameFormsAndExternalAccess) {
  std::vector<Report> rs = parse_reports(
      "WARNING: ThreadSanitizer: race on external object (pid=1)\n"
      "  Read access of MyType at 0x10 by thread T3 (mutexes: write M1, read M2):\n"
      "    #0 f(int) /src/a b.cc:4 (0x4a1b2c)\n"
      "    #1 g <null>\n");
  ASSERT_EQ(rs.size(), 1u);
  ASSERT_EQ(rs[0].accesses.size(), 1u);
  const Access& a = rs[0].accesses[0];
  EXPECT_EQ(a.size, 0);
  EXPECT_EQ(a.thread, "T3");
  EXPECT_EQ(a.mutexes_held, (std::vector<std::string>{"write M1", "read M2"}));
  ASSERT_EQ(a.stack.size(), 2u);
  EXPECT_EQ(a.stack[0].file, "b.cc");  // a space in a path is not representable
  EXPECT_EQ(a.stack[0].line, 4);
  EXPECT_EQ(a.stack[0].address, "0x4a1b2c");
  EXPECT_EQ(a.stack[0].module, "");
  EXPECT_EQ(a.stack[1].function, "g");
  EXPECT_EQ(a.stack[1].file, "");
}

TEST(TsanParser, TextIsBounded) {
  std::string s =
      "WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size 1 at 0x1 by main thread:\n";
  for (int i = 0; i < 5000; ++i)
    s += "    #" + std::to_string(i) + " f" + std::to_string(i) +
         "() /src/a.cc:" + std::to_string(i + 1) + " (a.out+0x10)\n";
  s += "SUMMARY: ThreadSanitizer: data race /src/a.cc:1 in f0()\n";
  std::vector<Report> rs = parse_reports(s);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_LE(rs[0].text.size(), kMaxReportText);
  EXPECT_GT(rs[0].text.size(), kMaxReportText - 100);
  EXPECT_EQ(rs[0].accesses[0].stack.size(), 5000u);
  EXPECT_EQ(rs[0].summary, "data race /src/a.cc:1 in f0()");
}

TEST(TsanParser, BriefShowsUserFrames) {
  EXPECT_EQ(brief(only("race_mutex_held.txt"), 2),
            "ThreadSanitizer: data race\n"
            "  Write of size 4 at 0x5558a486d6d0 by thread T2\n"
            "    withdraw() /tmp/tsan/mutexrace.cpp:6:53\n"
            "  Previous write of size 4 at 0x5558a486d6d0 by thread T1 (mutexes: write M0)\n"
            "    deposit() /tmp/tsan/mutexrace.cpp:5:86\n"
            "  Location is global 'balance' of size 4 at 0x5558a486d6d0 (mutexrace+0x14fb6d0)\n");
  std::string lock = brief(only("lock_order_inversion.txt"));
  EXPECT_NE(lock.find("\n    ab() /tmp/tsan/lockorder.cpp:4:76\n"), std::string::npos) << lock;
  EXPECT_EQ(lock.find("pthread_mutex_lock"), std::string::npos) << lock;
  std::string leak = brief(only("thread_leak.txt"), 1);
  EXPECT_EQ(leak, "ThreadSanitizer: thread leak\n    main /tmp/tsan/threadleak.cpp:6:3\n");
}

}  // namespace
}  // namespace strain::tsan
