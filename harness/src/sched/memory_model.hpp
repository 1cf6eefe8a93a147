#pragma once
// A weak memory model for strain::Atomic under the controlled strategy: a
// relaxed or acquire load may return an older store that the C++ memory
// model allows it to see, so code that publishes data without a
// release/acquire pair reads stale values, as it could on hardware that
// reorders (x86 hides most of it). In the spirit of CDSChecker and loom,
// much reduced:
//  - every location keeps its last stores in modification order;
//  - every thread has a view: a vector clock and, per location, the oldest
//    store it may still read (coherence);
//  - a load may read any store no older than its coherence floor and not
//    hidden by a newer store that happens before it; an acquire load that
//    reads a release store (or a read-modify-write continuing its release
//    sequence) takes that store's view;
//  - seq_cst loads and read-modify-writes read the newest store;
//  - every other primitive's operation (a lock, an unlock, a queue's push
//    or pop, a semaphore's, a notify) synchronises both ways with the
//    operations on its object: the thread takes the object's view and
//    leaves its own there, so a lock sees what the last unlock published
//    (and a little more: what earlier lockers saw before they blocked);
//  - a wait (a condition wait, a wake-up) releases and retakes what its
//    point does not name, so it synchronises with every object: allowing
//    fewer stale reads than the standard does, never more. Starting,
//    ending and joining a thread synchronise through the thread's slot.
// Synchronising per object keeps the model's state a function of the order
// of conflicting operations (locks of two mutexes commute), which
// controlled/dfs's partial-order reduction relies on.
// So it reports no stale read a correct program could not make, provided
// the roles synchronise only through strain primitives: synchronisation
// through std::atomic or std::mutex is invisible to it.

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace strain::sched {

class MemoryModel {
 public:
  //! Picks one of `n` > 1 candidate stores: 0 is the newest. `repeat`: the
  //! thread's last operation in the model was a load of the same location,
  //! and nothing was stored there since (another turn of a spin).
  using Chooser = std::function<unsigned(unsigned n, bool repeat)>;

  explicit MemoryModel(unsigned threads);
  void begin_trial();
  //! The value thread `t`'s load of `object` returns; `newest` is the value
  //! the object holds, `order` a std::memory_order, possibly with
  //! detail::kLoadNewest.
  std::uint64_t load(unsigned t, const void* object, std::uint64_t newest, int order,
                     const Chooser& choose);
  //! Thread `t` replaced `before` with `after` (`update`: a
  //! read-modify-write, which reads the newest store).
  void store(unsigned t, const void* object, std::uint64_t before, std::uint64_t after, int order,
             bool update);
  //! Thread `t` synchronised through the primitive `object`: its view and
  //! the object's are joined, both ways. `object` null: through every
  //! object (a wait, see above).
  void sync(unsigned t, const void* object);
  //! Loads that returned an older value than the newest, this trial.
  std::uint64_t stale_reads() const { return stale_reads_; }

 private:
  struct View {
    std::vector<std::uint64_t> clock;  // per thread
    std::vector<std::uint64_t> floor;  // per location: oldest readable store's sequence number
    void join(const View& other);
  };
  static constexpr unsigned kNoWriter = ~0u;  // a store made outside the roles: seen by all
  struct Store {
    std::uint64_t value = 0;
    std::uint64_t seq = 0;
    unsigned writer = kNoWriter;
    std::uint64_t clock = 0;  // the writer's clock at the store
    int view = -1;            // index in views_ of its release view, or -1
  };
  struct Location {
    std::vector<Store> history;  // oldest first, at most kHistory
    std::uint64_t next_seq = 1;
  };
  static constexpr std::size_t kHistory = 16;

  std::uint32_t location(const void* object, std::uint64_t current);
  void push(Location& loc, Store s);
  int snapshot(const View& v);
  bool visible(unsigned t, const Store& s) const;

  // The location and store count of each thread's last load, for `repeat`;
  // kNoLoad after any other operation.
  static constexpr std::uint32_t kNoLoad = ~0u;
  struct LastLoad {
    std::uint32_t id = kNoLoad;
    std::uint64_t next_seq = 0;
  };

  unsigned threads_;
  std::unordered_map<const void*, std::uint32_t> index_;
  std::vector<Location> locations_;
  std::vector<View> thread_view_;
  std::vector<LastLoad> last_load_;  // by thread
  // Each primitive's view (what its operations published), and the join of
  // every wait's, which a primitive first used after the wait starts from.
  std::unordered_map<const void*, View> objects_;
  View global_;
  std::vector<View> views_;  // release views of this trial; reused across trials
  std::size_t views_used_ = 0;
  std::uint64_t stale_reads_ = 0;
};

}  // namespace strain::sched
