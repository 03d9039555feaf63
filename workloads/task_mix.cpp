#include "workloads/task_mix.h"

#include <cmath>

#include "core/input_error.h"
#include "core/params.h"

namespace sparsesim {

namespace {

std::string where(const std::string& yaml_path, const YAML::Node& node) {
  const std::string location = yaml_location(node);
  return location.empty() ? yaml_path : yaml_path + " (" + location + ")";
}

std::array<double, kTaskFamilyCount> parse_mix(const YAML::Node& node, const std::string& yaml_path) {
  if (!node.IsMap())
    throw InputError(where(yaml_path, node) +
                     ": expected a map from task family (single_qa, multi_query_retrieval, high_scope) "
                     "to probability");
  std::array<double, kTaskFamilyCount> probabilities{};
  double total = 0.0;
  for (const auto& item : node) {
    const auto key = item.first.as<std::string>();
    const std::string key_path = yaml_path + "." + key;
    TaskFamily family = TaskFamily::unknown;
    try {
      family = parse_task_family(key);
    } catch (const std::invalid_argument&) {
    }
    if (family == TaskFamily::unknown)
      throw InputError(where(key_path, item.first) +
                       ": unknown task family; expected single_qa, multi_query_retrieval or high_scope");
    double probability = -1.0;
    try {
      probability = item.second.as<double>();
    } catch (const YAML::Exception&) {
    }
    if (!(probability >= 0.0 && probability <= 1.0))
      throw InputError(where(key_path, item.second) + ": expected a probability in [0, 1]");
    probabilities[static_cast<int>(family)] = probability;
    total += probability;
  }
  if (std::fabs(total - 1.0) > 1e-6)
    throw InputError(where(yaml_path, node) + ": probabilities sum to " + std::to_string(total) +
                     ", expected 1");
  return probabilities;
}

}  // namespace

TaskMix TaskMix::uniform() {
  TaskMixBucket bucket;
  for (int family = 1; family < kTaskFamilyCount; ++family) bucket.probabilities[family] = 1.0 / 3.0;
  return TaskMix{{bucket}};
}

const TaskMixBucket& TaskMix::bucket_for(std::int64_t input_tokens) const {
  for (const auto& bucket : buckets)
    if (input_tokens <= bucket.max_input_tokens) return bucket;
  return buckets.back();
}

TaskFamily TaskMix::draw(std::int64_t input_tokens, double uniform_draw) const {
  const auto& probabilities = bucket_for(input_tokens).probabilities;
  double cumulative = 0.0;
  int last_possible = 1;
  for (int family = 1; family < kTaskFamilyCount; ++family) {
    if (probabilities[family] <= 0.0) continue;
    last_possible = family;
    cumulative += probabilities[family];
    if (uniform_draw < cumulative) return static_cast<TaskFamily>(family);
  }
  // Rounding left the cumulative sum a hair below 1: the draw belongs to the last possible family.
  return static_cast<TaskFamily>(last_possible);
}

TaskMix parse_task_mix(const YAML::Node& node, const std::string& yaml_path) {
  if (node.IsMap() && node["buckets"]) {
    if (node.size() != 1)
      throw InputError(where(yaml_path, node) + ": with `buckets`, no other keys are allowed");
    const YAML::Node list = node["buckets"];
    const std::string list_path = yaml_path + ".buckets";
    if (!list.IsSequence() || list.size() == 0)
      throw InputError(where(list_path, list) + ": expected a non-empty list of {max_tokens, mix}");
    TaskMix mix;
    for (std::size_t index = 0; index < list.size(); ++index) {
      const YAML::Node entry = list[index];
      const std::string entry_path = list_path + "[" + std::to_string(index) + "]";
      if (!entry.IsMap() || !entry["mix"])
        throw InputError(where(entry_path, entry) + ": expected a map with `mix` and optional `max_tokens`");
      for (const auto& item : entry) {
        const auto key = item.first.as<std::string>();
        if (key != "mix" && key != "max_tokens")
          throw InputError(where(entry_path + "." + key, item.first) +
                           ": unknown key; expected max_tokens or mix");
      }
      TaskMixBucket bucket;
      if (entry["max_tokens"]) {
        std::int64_t max_tokens = 0;
        try {
          max_tokens = entry["max_tokens"].as<std::int64_t>();
        } catch (const YAML::Exception&) {
        }
        if (max_tokens < 1)
          throw InputError(where(entry_path + ".max_tokens", entry["max_tokens"]) +
                           ": expected a positive integer token count");
        if (!mix.buckets.empty() && max_tokens <= mix.buckets.back().max_input_tokens)
          throw InputError(where(entry_path + ".max_tokens", entry["max_tokens"]) +
                           ": buckets must be in strictly ascending max_tokens");
        bucket.max_input_tokens = max_tokens;
      } else if (index + 1 != list.size()) {
        throw InputError(where(entry_path, entry) + ": only the last bucket may omit max_tokens");
      }
      bucket.probabilities = parse_mix(entry["mix"], entry_path + ".mix");
      mix.buckets.push_back(bucket);
    }
    return mix;
  }
  return TaskMix{{TaskMixBucket{std::numeric_limits<std::int64_t>::max(), parse_mix(node, yaml_path)}}};
}

}  // namespace sparsesim
