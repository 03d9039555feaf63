#include "experiments/policy_tuning.h"

#include <cmath>
#include <cstdio>

#include "core/input_error.h"
#include "experiments/config_hash.h"
#include "experiments/yaml_fields.h"

namespace sparsesim {
namespace {

std::string impl_of(const YAML::Node& node) {
  return node.IsScalar() ? node.as<std::string>() : node["impl"].as<std::string>();
}

// A uniform draw in [0, 1) from (seed, label, candidate, parameter), independent of draw order.
double uniform_draw(std::uint64_t seed, const std::string& label, int candidate, const std::string& name) {
  std::uint64_t x =
      fnv1a_64(std::to_string(seed) + "/tune/" + label + "/" + std::to_string(candidate) + "/" + name);
  x += 0x9e3779b97f4a7c15ULL;  // splitmix64 finaliser
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

YAML::Node drawn_value(const TuneRange& range, double u) {
  if (range.kind == TuneRange::Kind::boolean) return YAML::Node(u >= 0.5);
  double value = range.log ? std::exp(std::log(range.min) + u * (std::log(range.max) - std::log(range.min)))
                           : range.min + u * (range.max - range.min);
  if (range.kind == TuneRange::Kind::integer) return YAML::Node(static_cast<long long>(std::llround(value)));
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);  // a setting a user can type back in, emitted as is
  return YAML::Node(std::string(text));
}

YAML::Node with_parameters(const YAML::Node& entry, const YAML::Node& parameters) {
  YAML::Node merged(YAML::NodeType::Map);
  if (entry.IsScalar()) {
    merged["impl"] = entry.as<std::string>();
  } else {
    for (const auto& item : entry) merged[item.first.as<std::string>()] = YAML::Clone(item.second);
  }
  for (const auto& item : parameters) merged[item.first.as<std::string>()] = YAML::Clone(item.second);
  return merged;
}

}  // namespace

std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

std::vector<std::pair<std::string, TuneRange>> tunable_parameters(const PolicyEntry& entry,
                                                                  const TuneSpec& tune) {
  const auto& registered = PolicyRegistry::instance().get_for_input(impl_of(entry.node), entry.yaml_path);
  std::vector<std::pair<std::string, TuneRange>> tunable;
  for (const auto& spec : registered.params)
    if (spec.tune) tunable.emplace_back(spec.name, *spec.tune);
  const YAML::Node overrides = yaml_present(tune.ranges) ? tune.ranges[entry.label] : YAML::Node();
  if (!yaml_present(overrides)) return tunable;
  const std::string path = "tune.ranges." + entry.label;
  if (!overrides.IsMap())
    throw InputError(yaml_where(overrides, path) + ": expected {parameter: [min, max]}");
  for (const auto& item : overrides) {
    const std::string name = item.first.as<std::string>();
    auto found = std::find_if(tunable.begin(), tunable.end(), [&](const auto& p) { return p.first == name; });
    if (found == tunable.end()) {
      std::string names;
      for (const auto& [known, unused] : tunable) names += (names.empty() ? "" : ", ") + known;
      throw InputError(yaml_where(item.first, path + "." + name) + ": not a tunable parameter of " +
                       impl_of(entry.node) + " (tunable: " + (names.empty() ? "none" : names) + ")");
    }
    TuneRange& range = found->second;
    if (range.kind == TuneRange::Kind::boolean)
      throw InputError(yaml_where(item.second, path + "." + name) + ": a boolean has no range to set");
    std::vector<double> bounds;
    try {
      bounds = item.second.as<std::vector<double>>();
    } catch (const YAML::Exception&) {
    }
    if (bounds.size() != 2 || !std::isfinite(bounds[0]) || !std::isfinite(bounds[1]) ||
        bounds[0] > bounds[1] || (range.log && bounds[0] <= 0))
      throw InputError(yaml_where(item.second, path + "." + name) + ": expected [min, max] with min <= max" +
                       (range.log ? " and min > 0 (drawn in log space)" : ""));
    range.min = bounds[0], range.max = bounds[1];
  }
  return tunable;
}

std::vector<YAML::Node> tuning_candidates(const PolicyEntry& entry, const TuneSpec& tune) {
  const auto tunable = tunable_parameters(entry, tune);
  std::vector<YAML::Node> candidates = {YAML::Node(YAML::NodeType::Map)};
  if (tunable.empty()) return candidates;
  for (int candidate = 1; candidate < tune.candidates; ++candidate) {
    YAML::Node parameters(YAML::NodeType::Map);
    for (const auto& [name, range] : tunable)
      parameters[name] = drawn_value(range, uniform_draw(tune.seed, entry.label, candidate, name));
    candidates.push_back(parameters);
  }
  return candidates;
}

TuningOutcome tune_policy(const PolicyEntry& entry, const TuneSpec& tune, const Serving& serving,
                          const PolicyFactory& policies_for,
                          const std::vector<const std::vector<Request>*>& workloads,
                          const std::vector<double>& targets, const ComputeTargetSpec& compute) {
  TuningOutcome outcome;
  outcome.entry = entry.node;
  outcome.parameters = "{}";
  int best = -1;
  const auto candidates = tuning_candidates(entry, tune);
  for (std::size_t index = 0; index < candidates.size(); ++index) {
    const YAML::Node node = index == 0 ? entry.node : with_parameters(entry.node, candidates[index]);
    std::vector<std::unique_ptr<BudgetPolicy>> owned;
    try {
      owned = policies_for(node);
    } catch (const InputError&) {
      // A drawn combination the policy refuses (e.g. a cheap budget above the escalated one) is skipped.
      outcome.candidates.push_back({candidates[index], "invalid", 0, 0});
      continue;
    }
    std::vector<BudgetPolicy*> policies;
    for (auto& policy : owned) policies.push_back(policy.get());
    const JointSolution solution = solve_jointly(serving, policies, workloads, targets, compute);
    double quality = 0;
    for (const auto& result : solution.results) quality += result.summary.mean_expected_quality;
    quality /= static_cast<double>(solution.results.size());
    outcome.candidates.push_back({candidates[index], solution.solver.status, quality, solution.knob});
    // Eligible: set to the target, or spending less than it at the most expensive setting (its quality
    // is then what the target buys it), as the table compares them.
    const bool at_target = solution.solver.status == "matched" ||
                           solution.solver.status == "ill_conditioned" ||
                           solution.solver.status == "unreachable_high";
    if (at_target && (best < 0 || quality > outcome.candidates[best].quality)) best = static_cast<int>(index);
  }
  if (best < 0) {
    outcome.note = "no candidate reached the compute target on the tuning split; evaluated as written";
    return outcome;
  }
  if (best > 0) {
    // reset, not operator=: assigning to a YAML::Node that shares entry.node's storage rewrites that
    // storage, and every sweep point's copy of the entry with it.
    outcome.entry.reset(with_parameters(entry.node, candidates[best]));
    outcome.parameters = flow_text(candidates[best]);
    outcome.improved = true;
  }
  return outcome;
}

}  // namespace sparsesim
