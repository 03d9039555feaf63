#pragma once
// The simulator's future event set: a 4-ary min-heap ordered by (time_ns, sequence) (shallower than a
// binary heap: fewer cache lines and mispredicted branches per pop on the hot path). The sequence number
// is assigned at schedule time, so events at equal times pop in the order they were scheduled and every run
// is deterministic. Cancellation is by flag: a cancelled event stays in the heap and is skipped when it
// reaches the top (ns-3 style), which keeps cancel O(1).
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "core/time.h"

namespace sparsesim {

enum class EventKind : std::uint8_t {
  arrival = 0,  // target: request index
  step_done,    // target: replica index
};

struct Event {
  TimeNs time_ns = 0;
  std::uint64_t sequence = 0;  // unique per queue, increasing in schedule order
  EventKind kind = EventKind::arrival;
  std::int32_t target = 0;
};

class EventQueue {
 public:
  // Schedules an event; returns its sequence number (usable with cancel).
  std::uint64_t schedule(TimeNs time_ns, EventKind kind, std::int32_t target);
  // Removes and returns the earliest live event. Precondition: !empty().
  Event pop();
  // Time of the earliest live event. Precondition: !empty().
  TimeNs peek_time();
  // Marks a scheduled event as cancelled; it is never returned by pop. Unknown sequences are ignored.
  void cancel(std::uint64_t sequence);
  // Live (not cancelled) events.
  std::size_t size() const { return heap_.size() - cancelled_.size(); }
  bool empty() const { return size() == 0; }
  void reserve(std::size_t events) { heap_.reserve(events); }

 private:
  static bool earlier(const Event& a, const Event& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.sequence < b.sequence;
  }
  void sift_up(std::size_t hole, Event event);
  void remove_top();
  void drop_cancelled_top();

  std::vector<Event> heap_;
  std::unordered_set<std::uint64_t> cancelled_;  // sequences still in heap_ but cancelled
  std::uint64_t next_sequence_ = 0;
};

}  // namespace sparsesim
