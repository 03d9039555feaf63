#include "sim/event_queue.h"

#include <algorithm>

namespace sparsesim {

namespace {
constexpr std::size_t kArity = 4;
}

void EventQueue::sift_up(std::size_t hole, Event event) {
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!earlier(event, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = event;
}

// Moves the last element into the root's hole and sifts it down.
void EventQueue::remove_top() {
  const Event last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return;
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first_child = hole * kArity + 1;
    if (first_child >= size) break;
    const std::size_t end_child = std::min(first_child + kArity, size);
    std::size_t best = first_child;
    for (std::size_t child = first_child + 1; child < end_child; ++child)
      if (earlier(heap_[child], heap_[best])) best = child;
    if (!earlier(heap_[best], last)) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = last;
}

std::uint64_t EventQueue::schedule(TimeNs time_ns, EventKind kind, std::int32_t target) {
  const std::uint64_t sequence = next_sequence_++;
  heap_.emplace_back();
  sift_up(heap_.size() - 1, Event{time_ns, sequence, kind, target});
  return sequence;
}

void EventQueue::drop_cancelled_top() {
  while (!cancelled_.empty() && !heap_.empty()) {
    auto found = cancelled_.find(heap_.front().sequence);
    if (found == cancelled_.end()) return;
    cancelled_.erase(found);
    remove_top();
  }
}

Event EventQueue::pop() {
  drop_cancelled_top();
  const Event event = heap_.front();
  remove_top();
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
