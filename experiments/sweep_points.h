#pragma once
// `sweep:` in an experiment: the list of points it names. A point assigns values to dotted fields of the
// experiment document (any key the experiment accepts: `cluster.gpu`, `cluster.tensor_parallel`,
// `workload.rate_multiplier`, `quality.below_shortest_length.rule`, ...) and to policy parameters by
// label (`policies.fixed.prefill_sparsity`). Forms, exactly one per sweep:
//   {field: F, values: [v, ...]}                      one field
//   {grid: {F1: [..], F2: [..]}}                      the full grid, the last field varying fastest
//   {points: [{F1: v, F2: w}, ...]}                   explicit points
//   {sample: {method: random | latin_hypercube, points: N, seed: S,
//             ranges: {F: [lo, hi]}, choices: {F: [a, b, ...]}}}   a seeded sample of N points
// A point's experiment is the document with its values set, parsed again: every value is checked by the
// same rules as if it had been written in the file, and an invalid point is an error naming it.
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sparsesim {

struct SweepAssignment {
  std::string field;  // dotted path as the user wrote it
  std::string value;  // the YAML scalar set there, as text (sampled reals are rounded to 6 digits)
};

struct SweepPoint {
  std::vector<SweepAssignment> assignments;
  // "field=value, field=value": the point's name in tables, errors and the database.
  std::string label() const;
  // When the point sets one field to a number: that value (the `sweep_value` column); NaN otherwise.
  double single_numeric_value() const;
};

// The points of a `sweep:` node. Throws InputError naming the YAML path and line: an unknown form, an
// empty or oversized list, a bad range, or the same point twice.
std::vector<SweepPoint> parse_sweep_points(const YAML::Node& sweep);

// A copy of `document` without its `sweep:` key and with the point's values set; `policy_labels[i]` is
// the label of the document's policies[i] (for `policies.LABEL.param` fields). Throws InputError when
// a field's path runs through a scalar (write that key as a map to sweep inside it) or names a policy
// label that does not exist.
YAML::Node document_for_point(const YAML::Node& document, const SweepPoint& point,
                              const std::vector<std::string>& policy_labels);

// Most points one sweep may name (a bigger search is several experiments).
constexpr std::size_t kMaxSweepPoints = 100000;

}  // namespace sparsesim
