// The deployment search's binary search assumes meeting the SLOs is monotone in replicas; the note
// names a pair of probes that breaks it, and says nothing when the probes agree with the assumption.
#include <doctest/doctest.h>

#include "experiments/capacity_planner.h"

namespace sparsesim {

TEST_CASE("a probe pair that breaks monotonicity in replicas is named; agreeing probes say nothing") {
  CHECK(capacity_monotonicity_note(
            {{2, {false, "TTFT p99 6.1 s over the 5.00 s SLO"}}, {4, {true, ""}}, {8, {true, ""}}})
            .empty());
  CHECK(capacity_monotonicity_note({{8, {false, "quality 0.84 below the floor 0.85"}}}).empty());
  const std::string note = capacity_monotonicity_note(
      {{4, {true, ""}}, {6, {false, "TTFT p99 5.2 s over the 5.00 s SLO"}}, {8, {true, ""}}});
  CHECK(note.find("4 replicas meet everything, 6 do not") != std::string::npos);
  CHECK(note.find("TTFT p99 5.2 s") != std::string::npos);
  CHECK(note.find("may not be the smallest") != std::string::npos);
}

}  // namespace sparsesim
