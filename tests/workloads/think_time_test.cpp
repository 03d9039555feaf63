// Think-time distributions of closed-loop session turns: parsing, seeded per-request draws, and where
// link_session_turns takes a turn's think time from (trace gap or distribution).
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "core/input_error.h"
#include "workloads/session_turns.h"
#include "workloads/think_time.h"

using namespace sparsesim;

namespace {
ThinkTimeSpec parse(const std::string& text) {
  return parse_think_time_spec(YAML::Load(text), "workload.sessions.think_time");
}
}  // namespace

TEST_CASE("think-time maps parse each distribution and reject bad input naming the path") {
  CHECK(parse("{dist: fixed, value_s: 2.5}").value_s == 2.5);
  const ThinkTimeSpec uniform = parse("{dist: uniform, min_s: 1, max_s: 3}");
  CHECK(uniform.dist == ThinkTimeSpec::Dist::uniform);
  CHECK(uniform.min_s == 1.0);
  CHECK(uniform.max_s == 3.0);
  const ThinkTimeSpec exponential = parse("{dist: exponential, mean_s: 4}");
  CHECK(exponential.mean_s == 4.0);
  CHECK(exponential.max_s == 1e9);  // .inf default
  const ThinkTimeSpec lognormal = parse("{dist: lognormal, median_s: 3, sigma: 0.5, max_s: 60}");
  CHECK(lognormal.sigma == 0.5);
  CHECK(lognormal.max_s == 60.0);
  for (const char* bad :
       {"{dist: gamma, mean_s: 1}", "{dist: fixed, value_s: -1}", "{dist: uniform, min_s: 3, max_s: 1}",
        "{dist: exponential, mean_s: 0}", "{dist: exponential, mean_s: 1, rate: 2}",
        "{dist: lognormal, median_s: 1}", "{value_s: 1}", "5"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(parse(bad), doctest::Contains("workload.sessions.think_time"), InputError);
  }
}

TEST_CASE("think-time draws depend only on (spec, seed, request id) and respect the bounds") {
  const ThinkTimeSpec exponential = parse("{dist: exponential, mean_s: 2}");
  CHECK(draw_think_time_ns(exponential, 7, 11) == draw_think_time_ns(exponential, 7, 11));
  CHECK(draw_think_time_ns(exponential, 7, 11) != draw_think_time_ns(exponential, 7, 12));
  CHECK(draw_think_time_ns(exponential, 7, 11) != draw_think_time_ns(exponential, 8, 11));
  CHECK(draw_think_time_ns(fixed_think_time(1.5), 1, 2) == 1'500'000'000);

  const int draws = 20000;
  double exponential_sum_s = 0.0;
  const ThinkTimeSpec uniform = parse("{dist: uniform, min_s: 1, max_s: 3}");
  const ThinkTimeSpec clamped = parse("{dist: lognormal, median_s: 5, sigma: 2, min_s: 1, max_s: 10}");
  bool hit_lower = false, hit_upper = false;
  for (int id = 0; id < draws; ++id) {
    exponential_sum_s += static_cast<double>(draw_think_time_ns(exponential, 3, id)) * 1e-9;
    const TimeNs uniform_ns = draw_think_time_ns(uniform, 3, id);
    CHECK((uniform_ns >= 1'000'000'000 && uniform_ns <= 3'000'000'000));
    const TimeNs clamped_ns = draw_think_time_ns(clamped, 3, id);
    REQUIRE((clamped_ns >= 1'000'000'000 && clamped_ns <= 10'000'000'000));
    hit_lower = hit_lower || clamped_ns == 1'000'000'000;
    hit_upper = hit_upper || clamped_ns == 10'000'000'000;
  }
  CHECK(exponential_sum_s / draws == doctest::Approx(2.0).epsilon(0.04));
  CHECK(hit_lower);
  CHECK(hit_upper);
}

TEST_CASE("session turns take the trace gap or a draw, as the think-time source says") {
  std::vector<Request> requests(4);
  const TimeNs arrivals[] = {0, 10, 10, 40};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].id = i;
    requests[i].arrival_ns = arrivals[i];
    requests[i].session_id = 0;
  }
  const auto draw = [](const Request& turn) { return static_cast<TimeNs>(1000 + turn.id); };
  std::vector<Request> gap_first = requests;
  link_session_turns(gap_first, ThinkTimeSource::trace_gap, draw);
  CHECK(gap_first[1].think_time_ns == 10);    // positive gap
  CHECK(gap_first[2].think_time_ns == 1002);  // same arrival: drawn
  CHECK(gap_first[3].think_time_ns == 30);
  CHECK(gap_first[3].parent_ids == std::vector<std::uint64_t>{2});
  std::vector<Request> always_drawn = requests;
  link_session_turns(always_drawn, ThinkTimeSource::distribution, draw);
  CHECK(always_drawn[0].think_time_ns == 0);  // first turn: open loop
  CHECK(always_drawn[1].think_time_ns == 1001);
  CHECK(always_drawn[3].think_time_ns == 1003);
  CHECK_THROWS_AS(
      link_session_turns(requests, ThinkTimeSource::distribution, [](const Request&) { return -1; }),
      std::invalid_argument);
}
