#include "sim/event_queue.h"

#include <algorithm>

namespace sparsesim {

std::uint64_t EventQueue::schedule(TimeNs time_ns, EventKind kind, std::int32_t target) {
  const std::uint64_t sequence = next_sequence_++;
  heap_.push_back(Event{time_ns, sequence, kind, target});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  return sequence;
}

void EventQueue::drop_cancelled_top() {
  while (!cancelled_.empty() && !heap_.empty()) {
    auto found = cancelled_.find(heap_.front().sequence);
    if (found == cancelled_.end()) return;
    cancelled_.erase(found);
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
  }
}

Event EventQueue::pop() {
  drop_cancelled_top();
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const Event event = heap_.back();
  heap_.pop_back();
  return event;
}

TimeNs EventQueue::peek_time() {
  drop_cancelled_top();
  return heap_.front().time_ns;
}

void EventQueue::cancel(std::uint64_t sequence) {
  if (sequence >= next_sequence_) return;
  // Only events still in the heap can be cancelled; a linear check keeps size() exact. Cancellation is
  // rare in this simulator, so the scan is not on the hot path.
  const bool pending =
      std::any_of(heap_.begin(), heap_.end(), [&](const Event& event) { return event.sequence == sequence; });
  if (pending) cancelled_.insert(sequence);
}

}  // namespace sparsesim
