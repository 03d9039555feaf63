#pragma once
// The task mix: which task family a request belongs to, drawn with probabilities that may depend on the
// request's input length. Traces carry no task labels, so this is how task families enter a run.
//
// YAML (under `workload:`), either one mix for every length:
//   task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}
// or one mix per input-length bucket, buckets in ascending max_tokens; a request uses the first bucket
// whose max_tokens >= its input tokens, and the last bucket when it is longer than all of them (the last
// bucket may omit max_tokens):
//   task_mix:
//     buckets:
//       - {max_tokens: 8192, mix: {single_qa: 0.7, multi_query_retrieval: 0.2, high_scope: 0.1}}
//       - {mix: {single_qa: 0.4, multi_query_retrieval: 0.3, high_scope: 0.3}}
// Families left out of a mix have probability 0; the probabilities must sum to 1 (within 1e-6).
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "workloads/request.h"

namespace sparsesim {

struct TaskMixBucket {
  std::int64_t max_input_tokens = std::numeric_limits<std::int64_t>::max();
  // Indexed by TaskFamily value; the `unknown` slot is always 0.
  std::array<double, kTaskFamilyCount> probabilities{};
};

struct TaskMix {
  std::vector<TaskMixBucket> buckets;  // ascending max_input_tokens, never empty

  // The default when a workload names no mix: the three families equally likely at every length.
  static TaskMix uniform();
  const TaskMixBucket& bucket_for(std::int64_t input_tokens) const;
  // The family whose cumulative probability interval (in family order) contains `uniform_draw` in [0, 1).
  TaskFamily draw(std::int64_t input_tokens, double uniform_draw) const;
};

// Parses the `task_mix` value. yaml_path names it in errors (e.g. "workload.task_mix"). Throws InputError.
TaskMix parse_task_mix(const YAML::Node& node, const std::string& yaml_path);

}  // namespace sparsesim
