// YAML binding and assembly of the synthetic generator (schema in synthetic_generator.h).
#include "workloads/synthetic_generator.h"

#include <cmath>
#include <stdexcept>

#include "core/input_error.h"
#include "core/params.h"
#include "workloads/seeded_draws.h"
#include "workloads/trace_loading.h"

namespace sparsesim {
namespace {

// Stream ids mixed into the seed: one independent generator per part of the workload.
constexpr std::uint64_t kArrivalStream = 1, kInputStream = 2, kOutputStream = 3;

YAML::Node required_map(const Params& params, const std::string& name) {
  const YAML::Node node = params.get_node(name);
  if (!node.IsMap())
    throw InputError(params.yaml_path() + "." + name + " (" + yaml_location(node) + "): expected a map");
  return node;
}

ArrivalSpec parse_arrival(const YAML::Node& node, const std::string& path) {
  const Params params(node, path,
                      {{"process", "poisson", "poisson, gamma or constant"},
                       {"rate_per_s", "", "mean arrival rate in requests per second, > 0"},
                       {"cv", "1", "inter-arrival coefficient of variation (gamma only), > 0"}},
                      {});
  ArrivalSpec spec;
  const std::string process = params.get_string("process");
  if (process == "poisson") {
    spec.process = ArrivalSpec::Process::poisson;
  } else if (process == "gamma") {
    spec.process = ArrivalSpec::Process::gamma;
  } else if (process == "constant") {
    spec.process = ArrivalSpec::Process::constant;
  } else {
    throw InputError(path + ".process: expected poisson, gamma or constant, got '" + process + "'");
  }
  spec.rate_per_s = params.get_double("rate_per_s");
  // Beyond [1e-6, 1e7] requests/s the arrivals leave the int64-nanosecond clock or share one instant.
  if (!(spec.rate_per_s >= 1e-6 && spec.rate_per_s <= 1e7))
    throw InputError(path + ".rate_per_s: expected a rate in [1e-06, 1e+07] requests/s");
  spec.cv = params.get_double("cv");
  if (!(spec.cv > 0.0 && spec.cv <= 100)) throw InputError(path + ".cv: expected a cv in (0, 100]");
  if (params.was_given("cv") && spec.process != ArrivalSpec::Process::gamma && spec.cv != 1.0)
    throw InputError(path + ".cv: only the gamma process has a tunable cv (poisson is 1, constant is 0)");
  return spec;
}

std::int32_t token_bound(const Params& params, const std::string& name) {
  const std::int64_t value = params.get_int(name);
  if (value < 1 || value > 2147483647)
    throw InputError(params.yaml_path() + "." + name + ": expected a token count in [1, 2^31-1]");
  return static_cast<std::int32_t>(value);
}

LengthSpec parse_length(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap() || !node["dist"])
    throw InputError(path + " (" + yaml_location(node) +
                     "): expected a map with dist: fixed, lognormal, uniform or empirical");
  const std::string dist = node["dist"].as<std::string>();
  const ParamSpec min_spec{"min", "1", "smallest length in tokens (draws are clamped up to it)"};
  const ParamSpec max_spec{"max", "2147483647", "largest length in tokens (draws are clamped down to it)"};
  LengthSpec spec;
  if (dist == "fixed") {
    const Params params(node, path, {{"value", "", "tokens, >= 1"}}, {"dist"});
    spec.dist = LengthSpec::Dist::fixed;
    spec.value = static_cast<double>(token_bound(params, "value"));
  } else if (dist == "lognormal") {
    const Params params(node, path,
                        {{"median", "", "median length in tokens, > 0"},
                         {"sigma", "", "standard deviation of ln(length), >= 0"},
                         min_spec,
                         max_spec},
                        {"dist"});
    spec.dist = LengthSpec::Dist::lognormal;
    spec.median = params.get_double("median");
    spec.sigma = params.get_double("sigma");
    if (!(spec.median > 0.0) || !std::isfinite(spec.median)) throw InputError(path + ".median: expected > 0");
    if (!(spec.sigma >= 0.0) || !std::isfinite(spec.sigma)) throw InputError(path + ".sigma: expected >= 0");
    spec.min = token_bound(params, "min");
    spec.max = token_bound(params, "max");
  } else if (dist == "uniform") {
    const Params params(node, path,
                        {{"min", "", "smallest length in tokens, inclusive"},
                         {"max", "", "largest length in tokens, inclusive"}},
                        {"dist"});
    spec.dist = LengthSpec::Dist::uniform;
    spec.min = token_bound(params, "min");
    spec.max = token_bound(params, "max");
  } else if (dist == "empirical") {
    const Params params(node, path,
                        {{"trace", "''", "trace file to take lengths from"},
                         {"format", "''", "its format; '' = sniffed"},
                         {"field", "input", "input or output: which length of the trace"},
                         {"values", "[]", "lengths given inline instead of a trace"},
                         min_spec,
                         max_spec},
                        {"dist"});
    spec.dist = LengthSpec::Dist::empirical;
    spec.min = token_bound(params, "min");
    spec.max = token_bound(params, "max");
    const std::string trace = params.get_string("trace");
    const std::string field = params.get_string("field");
    if (field != "input" && field != "output")
      throw InputError(path + ".field: expected input or output, got '" + field + "'");
    if (!trace.empty()) {
      if (params.was_given("values")) throw InputError(path + ": give either trace or values, not both");
      TraceLoadReport report;
      stream_trace(
          trace, params.get_string("format"),
          [&](Request&& request) {
            spec.empirical_values.push_back(field == "input" ? request.input_tokens : request.output_tokens);
          },
          report);
    } else {
      const YAML::Node values = params.get_node("values");
      if (!values.IsSequence()) throw InputError(path + ".values: expected a list of token counts");
      for (std::size_t index = 0; index < values.size(); ++index) {
        std::int64_t value = 0;
        try {
          value = values[index].as<std::int64_t>();
        } catch (const YAML::Exception&) {
          value = 0;
        }
        if (value < 1 || value > 2147483647)
          throw InputError(path + ".values[" + std::to_string(index) + "]: expected a token count >= 1");
        spec.empirical_values.push_back(static_cast<std::int32_t>(value));
      }
    }
    if (spec.empirical_values.empty())
      throw InputError(path + ": empirical needs a non-empty trace or values");
  } else {
    throw InputError(path + ".dist: expected fixed, lognormal, uniform or empirical, got '" + dist + "'");
  }
  if (spec.min > spec.max) throw InputError(path + ": expected min <= max");
  return spec;
}

}  // namespace

ArrivalSpec parse_arrival_spec(const YAML::Node& node, const std::string& yaml_path) {
  if (!node) throw InputError(yaml_path + ": expected a map (process, rate_per_s, cv)");
  if (!node.IsMap())
    throw InputError(yaml_path + " (" + yaml_location(node) + "): expected a map (process, rate_per_s, cv)");
  return parse_arrival(node, yaml_path);
}

LengthSpec parse_length_spec(const YAML::Node& node, const std::string& yaml_path) {
  if (!node)
    throw InputError(yaml_path + ": expected a map with dist: fixed, lognormal, uniform or empirical");
  return parse_length(node, yaml_path);
}

GeneratorSpec parse_generator_spec(const YAML::Node& node, const std::string& yaml_path) {
  const Params params(node, yaml_path,
                      {{"count", "-1", "number of requests (or give duration_s)"},
                       {"duration_s", "0", "generate arrivals until this many seconds (or give count)"},
                       {"arrival", "", "arrival process map"},
                       {"input_tokens", "", "prompt length distribution map"},
                       {"output_tokens", "", "output length distribution map"}},
                      {});
  if (!node || !node.IsMap())
    throw InputError(yaml_path + ": expected a map (count, arrival, input_tokens, ...)");
  GeneratorSpec spec;
  spec.count = params.get_int("count");
  spec.duration_s = params.get_double("duration_s");
  if (params.was_given("count") == params.was_given("duration_s"))
    throw InputError(yaml_path + ": give exactly one of count and duration_s");
  if (params.was_given("count") && (spec.count < 1 || spec.count > 100'000'000))
    throw InputError(yaml_path + ".count: expected an integer in [1, 100000000]");
  if (params.was_given("duration_s") && !(spec.duration_s > 0.0 && spec.duration_s <= 1e8))
    throw InputError(yaml_path + ".duration_s: expected seconds in (0, 1e8]");
  spec.arrival = parse_arrival(required_map(params, "arrival"), yaml_path + ".arrival");
  if (params.was_given("duration_s") && spec.duration_s * spec.arrival.rate_per_s > 1e8)
    throw InputError(yaml_path + ": duration_s x arrival.rate_per_s expects " +
                     std::to_string(static_cast<long long>(spec.duration_s * spec.arrival.rate_per_s)) +
                     " requests; at most 100000000");
  spec.input_tokens = parse_length(required_map(params, "input_tokens"), yaml_path + ".input_tokens");
  spec.output_tokens = parse_length(required_map(params, "output_tokens"), yaml_path + ".output_tokens");
  return spec;
}

std::vector<Request> generate_requests(const GeneratorSpec& spec, std::uint64_t seed) {
  const std::vector<TimeNs> arrivals =
      generate_arrivals(spec.arrival, spec.count, spec.duration_s, mix_seeds(seed, kArrivalStream));
  std::mt19937_64 input_generator(mix_seeds(seed, kInputStream));
  std::mt19937_64 output_generator(mix_seeds(seed, kOutputStream));
  std::vector<Request> requests(arrivals.size());
  for (std::size_t index = 0; index < arrivals.size(); ++index) {
    Request& request = requests[index];
    request.id = index;
    request.arrival_ns = arrivals[index];
    request.input_tokens = draw_length(spec.input_tokens, input_generator);
    request.output_tokens = draw_length(spec.output_tokens, output_generator);
  }
  return requests;
}

std::vector<Request> generate_requests(const YAML::Node& node, std::uint64_t seed,
                                       const std::string& yaml_path) {
  return generate_requests(parse_generator_spec(node, yaml_path), seed);
}

void apply_rate_multiplier(std::vector<Request>& requests, double multiplier) {
  if (!(multiplier > 0.0) || !std::isfinite(multiplier))
    throw std::invalid_argument("rate multiplier must be finite and > 0, got " + std::to_string(multiplier));
  for (auto& request : requests)
    request.arrival_ns =
        static_cast<TimeNs>(std::llround(static_cast<double>(request.arrival_ns) / multiplier));
}

}  // namespace sparsesim
