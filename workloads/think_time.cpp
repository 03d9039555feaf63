// Parsing and seeded draws of think-time distributions (schema in think_time.h).
#include "workloads/think_time.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/input_error.h"
#include "core/params.h"
#include "workloads/seeded_draws.h"
#include "workloads/synthetic_draws.h"

namespace sparsesim {
namespace {

// Mixed into the experiment seed so think times are a stream of their own (independent of the task mix,
// the synthetic generator and the other per-request draws made from the same seed).
constexpr std::uint64_t kThinkTimeStream = 0x7468696e6b54ULL;  // "thinkT"
constexpr double kLargestThinkTimeS = 1e9;                     // ~31 years: keeps seconds * 1e9 inside TimeNs

double seconds(const Params& params, const std::string& name, bool allow_infinite) {
  const double value = params.get_double(name);
  if (!(value >= 0.0) || (!allow_infinite && !std::isfinite(value)))
    throw InputError(params.yaml_path() + "." + name + ": expected " +
                     (allow_infinite ? "seconds >= 0 (or .inf)" : "finite seconds >= 0"));
  return std::isinf(value) ? kLargestThinkTimeS : std::min(value, kLargestThinkTimeS);
}

}  // namespace

ThinkTimeSpec fixed_think_time(double value_s) {
  ThinkTimeSpec spec;
  spec.dist = ThinkTimeSpec::Dist::fixed;
  spec.value_s = value_s;
  return spec;
}

ThinkTimeSpec parse_think_time_spec(const YAML::Node& node, const std::string& yaml_path) {
  if (!node || !node.IsMap() || !node["dist"])
    throw InputError(yaml_path + " (" + yaml_location(node) +
                     "): expected a map with dist: fixed, uniform, exponential or lognormal");
  const std::string dist = node["dist"].as<std::string>();
  const ParamSpec min_spec{"min_s", "0", "shortest think time in seconds (draws are clamped up to it)"};
  const ParamSpec max_spec{"max_s", ".inf", "longest think time in seconds (draws are clamped down to it)"};
  ThinkTimeSpec spec;
  if (dist == "fixed") {
    const Params params(node, yaml_path, {{"value_s", "", "think time in seconds, >= 0"}}, {"dist"});
    spec = fixed_think_time(seconds(params, "value_s", false));
  } else if (dist == "uniform") {
    const Params params(node, yaml_path,
                        {{"min_s", "", "shortest think time in seconds"}, {"max_s", "", "longest, seconds"}},
                        {"dist"});
    spec.dist = ThinkTimeSpec::Dist::uniform;
    spec.min_s = seconds(params, "min_s", false);
    spec.max_s = seconds(params, "max_s", false);
  } else if (dist == "exponential") {
    const Params params(node, yaml_path,
                        {{"mean_s", "", "mean think time in seconds, > 0"}, min_spec, max_spec}, {"dist"});
    spec.dist = ThinkTimeSpec::Dist::exponential;
    spec.mean_s = seconds(params, "mean_s", false);
    if (!(spec.mean_s > 0.0)) throw InputError(yaml_path + ".mean_s: expected > 0");
    spec.min_s = seconds(params, "min_s", false);
    spec.max_s = seconds(params, "max_s", true);
  } else if (dist == "lognormal") {
    const Params params(node, yaml_path,
                        {{"median_s", "", "median think time in seconds, > 0"},
                         {"sigma", "", "standard deviation of ln(think time), >= 0"},
                         min_spec,
                         max_spec},
                        {"dist"});
    spec.dist = ThinkTimeSpec::Dist::lognormal;
    spec.median_s = seconds(params, "median_s", false);
    if (!(spec.median_s > 0.0)) throw InputError(yaml_path + ".median_s: expected > 0");
    spec.sigma = params.get_double("sigma");
    if (!(spec.sigma >= 0.0) || !std::isfinite(spec.sigma))
      throw InputError(yaml_path + ".sigma: expected >= 0");
    spec.min_s = seconds(params, "min_s", false);
    spec.max_s = seconds(params, "max_s", true);
  } else {
    throw InputError(yaml_path + ".dist: expected fixed, uniform, exponential or lognormal, got '" + dist +
                     "'");
  }
  if (spec.min_s > spec.max_s) throw InputError(yaml_path + ": expected min_s <= max_s");
  return spec;
}

TimeNs draw_think_time_ns(const ThinkTimeSpec& spec, std::uint64_t seed, std::uint64_t request_id) {
  std::mt19937_64 generator(mix_seeds(mix_seeds(seed, kThinkTimeStream), request_id));
  double value_s = spec.value_s;
  switch (spec.dist) {
    case ThinkTimeSpec::Dist::fixed:
      break;
    case ThinkTimeSpec::Dist::uniform:
      value_s = spec.min_s + (spec.max_s - spec.min_s) * uniform_unit(generator);
      break;
    case ThinkTimeSpec::Dist::exponential:
      value_s = exponential_draw(generator, spec.mean_s);
      break;
    case ThinkTimeSpec::Dist::lognormal:
      value_s = lognormal_draw(generator, spec.median_s, spec.sigma);
      break;
  }
  if (spec.dist != ThinkTimeSpec::Dist::fixed) value_s = std::clamp(value_s, spec.min_s, spec.max_s);
  value_s = std::clamp(value_s, 0.0, kLargestThinkTimeS);
  return static_cast<TimeNs>(std::llround(value_s * 1e9));
}

}  // namespace sparsesim
