#include <doctest/doctest.h>

#include "sim/event_queue.h"

using namespace sparsesim;

TEST_CASE("event queue pops by time, then in scheduling order at equal times") {
  EventQueue queue;
  queue.schedule(50, EventKind::arrival, 1);
  queue.schedule(10, EventKind::step_done, 2);
  queue.schedule(50, EventKind::step_done, 3);
  queue.schedule(10, EventKind::arrival, 4);
  queue.schedule(50, EventKind::arrival, 5);
  REQUIRE(queue.size() == 5);
  CHECK(queue.peek_time() == 10);
  const int expected_targets[] = {2, 4, 1, 3, 5};
  const TimeNs expected_times[] = {10, 10, 50, 50, 50};
  for (int index = 0; index < 5; ++index) {
    const Event event = queue.pop();
    CHECK(event.target == expected_targets[index]);
    CHECK(event.time_ns == expected_times[index]);
  }
  CHECK(queue.empty());
}

TEST_CASE("cancelled events are never returned and do not count") {
  EventQueue queue;
  const auto first = queue.schedule(5, EventKind::arrival, 1);
  queue.schedule(7, EventKind::arrival, 2);
  const auto third = queue.schedule(9, EventKind::arrival, 3);
  queue.cancel(first);
  queue.cancel(third);
  queue.cancel(12345);  // unknown: ignored
  CHECK(queue.size() == 1);
  CHECK(queue.peek_time() == 7);
  CHECK(queue.pop().target == 2);
  CHECK(queue.empty());
}

TEST_CASE("many events come out sorted") {
  EventQueue queue;
  std::uint64_t state = 3;
  for (int index = 0; index < 10000; ++index) {
    state = state * 6364136223846793005ULL + 1;
    queue.schedule(static_cast<TimeNs>((state >> 40) % 1000), EventKind::arrival, index);
  }
  Event previous = queue.pop();
  while (!queue.empty()) {
    const Event event = queue.pop();
    CHECK_UNARY(event.time_ns > previous.time_ns ||
                (event.time_ns == previous.time_ns && event.sequence > previous.sequence));
    previous = event;
  }
}
