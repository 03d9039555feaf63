#include "experiments/sweep_points.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "core/input_error.h"
#include "experiments/yaml_fields.h"

namespace sparsesim {
namespace {

// splitmix64: a small, fully specified generator, so a seeded sample is the same on every platform and
// standard library (std:: distributions are not).
struct SampleRng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * static_cast<double>(n)); }
};

std::string scalar_text(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar() || node.Scalar().empty())
    throw InputError(yaml_where(node, path) + ": expected a value (a number or a name)");
  return node.Scalar();
}

std::vector<std::string> scalar_list(const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence() || node.size() == 0)
    throw InputError(yaml_where(node, path) + ": expected a non-empty list of values");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < node.size(); ++i)
    values.push_back(scalar_text(node[i], path + "[" + std::to_string(i) + "]"));
  return values;
}

bool is_integer_text(const std::string& text) {
  if (text.empty()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(std::isdigit(static_cast<unsigned char>(text[i])) || (i == 0 && text[i] == '-'))) return false;
  return true;
}

// One sampled dimension: a numeric range (integers when both bounds are written as integers) or a list
// of choices. `u` in [0, 1) picks the value.
struct Dimension {
  std::string field;
  bool integer = false;
  double low = 0, high = 0;
  std::vector<std::string> choices;

  std::string at(double u) const {
    if (!choices.empty())
      return choices[std::min(choices.size() - 1, static_cast<std::size_t>(u * choices.size()))];
    char text[40];
    if (integer) {
      const double span = high - low + 1;
      std::snprintf(text, sizeof text, "%.0f", std::min(high, low + std::floor(u * span)));
    } else {
      std::snprintf(text, sizeof text, "%.6g", low + u * (high - low));
    }
    return text;
  }
};

std::vector<SweepPoint> sample_points(const YAML::Node& node) {
  const std::string path = "sweep.sample";
  require_keys_within(node, path, {"method", "points", "seed", "ranges", "choices"});
  const auto method =
      yaml_value<std::string>(node, path, "method", "latin_hypercube", "random or latin_hypercube");
  if (method != "random" && method != "latin_hypercube")
    throw InputError(yaml_where(node["method"], path + ".method") +
                     ": expected random or latin_hypercube, got '" + method + "'");
  const auto count =
      yaml_in_range<std::int64_t>(node, path, "points", 0, 1, static_cast<double>(kMaxSweepPoints));
  if (count == 0)
    throw InputError(yaml_where(node, path) + ": missing required key 'points' (how many to draw)");
  SampleRng rng{yaml_value<std::uint64_t>(node, path, "seed", 1, "a non-negative integer")};
  std::vector<Dimension> dimensions;
  if (const YAML::Node ranges = node["ranges"]) {
    if (!ranges.IsMap())
      throw InputError(yaml_where(ranges, path + ".ranges") + ": expected {field: [low, high]}");
    for (const auto& item : ranges) {
      const std::string field = item.first.as<std::string>(), where = path + ".ranges." + field;
      const auto bounds = scalar_list(item.second, where);
      Dimension dimension{field};
      if (bounds.size() != 2) throw InputError(yaml_where(item.second, where) + ": expected [low, high]");
      dimension.integer = is_integer_text(bounds[0]) && is_integer_text(bounds[1]);
      try {
        dimension.low = std::stod(bounds[0]), dimension.high = std::stod(bounds[1]);
      } catch (const std::exception&) {
        throw InputError(yaml_where(item.second, where) + ": expected two numbers, got [" + bounds[0] + ", " +
                         bounds[1] + "]");
      }
      if (!std::isfinite(dimension.low) || !std::isfinite(dimension.high) || dimension.low > dimension.high)
        throw InputError(yaml_where(item.second, where) + ": expected finite low <= high, got [" + bounds[0] +
                         ", " + bounds[1] + "]");
      dimensions.push_back(dimension);
    }
  }
  if (const YAML::Node choices = node["choices"]) {
    if (!choices.IsMap())
      throw InputError(yaml_where(choices, path + ".choices") + ": expected {field: [a, b, ...]}");
    for (const auto& item : choices) {
      const std::string field = item.first.as<std::string>();
      Dimension dimension{field};
      dimension.choices = scalar_list(item.second, path + ".choices." + field);
      dimensions.push_back(dimension);
    }
  }
  if (dimensions.empty()) throw InputError(yaml_where(node, path) + ": expected ranges or choices to sample");
  // Latin hypercube: each dimension's [0, 1) cut into `count` strata, each stratum used once, in an
  // independent random order per dimension; random: independent uniform draws.
  const auto n = static_cast<std::size_t>(count);
  std::vector<std::vector<double>> u(dimensions.size(), std::vector<double>(n));
  for (auto& column : u) {
    if (method == "random") {
      for (double& value : column) value = rng.uniform();
    } else {
      std::vector<std::size_t> strata(n);
      for (std::size_t i = 0; i < n; ++i) strata[i] = i;
      for (std::size_t i = n; i > 1; --i) std::swap(strata[i - 1], strata[rng.below(i)]);
      for (std::size_t i = 0; i < n; ++i) column[i] = (static_cast<double>(strata[i]) + rng.uniform()) / n;
    }
  }
  std::vector<SweepPoint> points(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dimensions.size(); ++d)
      points[i].assignments.push_back({dimensions[d].field, dimensions[d].at(u[d][i])});
  return points;
}

std::vector<SweepPoint> grid_points(const YAML::Node& grid) {
  if (!grid.IsMap() || grid.size() == 0)
    throw InputError(yaml_where(grid, "sweep.grid") + ": expected {field: [values], ...}");
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  double size = 1;
  for (const auto& item : grid) {
    const std::string field = item.first.as<std::string>();
    axes.push_back({field, scalar_list(item.second, "sweep.grid." + field)});
    size *= static_cast<double>(axes.back().second.size());
  }
  if (size > static_cast<double>(kMaxSweepPoints))
    throw InputError(yaml_where(grid, "sweep.grid") + ": the grid has " +
                     std::to_string(static_cast<long long>(size)) + " points, more than " +
                     std::to_string(kMaxSweepPoints) + " (split it into several experiments, or sample it)");
  std::vector<SweepPoint> points(static_cast<std::size_t>(size));
  for (std::size_t index = 0; index < points.size(); ++index) {
    std::size_t rest = index;
    std::vector<SweepAssignment> reversed;
    for (auto axis = axes.rbegin(); axis != axes.rend(); ++axis) {
      reversed.push_back({axis->first, axis->second[rest % axis->second.size()]});
      rest /= axis->second.size();
    }
    points[index].assignments.assign(reversed.rbegin(), reversed.rend());
  }
  return points;
}

std::vector<SweepPoint> explicit_points(const YAML::Node& list) {
  if (!list.IsSequence() || list.size() == 0 || list.size() > kMaxSweepPoints)
    throw InputError(yaml_where(list, "sweep.points") + ": expected a list of 1 to " +
                     std::to_string(kMaxSweepPoints) + " maps {field: value, ...}");
  std::vector<SweepPoint> points;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "sweep.points[" + std::to_string(i) + "]";
    if (!list[i].IsMap() || list[i].size() == 0)
      throw InputError(yaml_where(list[i], path) + ": expected {field: value, ...}");
    SweepPoint point;
    for (const auto& item : list[i]) {
      const std::string field = item.first.as<std::string>();
      point.assignments.push_back({field, scalar_text(item.second, path + "." + field)});
    }
    points.push_back(point);
  }
  return points;
}

}  // namespace

std::string SweepPoint::label() const {
  std::string text;
  for (const auto& assignment : assignments)
    text += (text.empty() ? "" : ", ") + assignment.field + "=" + assignment.value;
  return text;
}

double SweepPoint::single_numeric_value() const {
  if (assignments.size() != 1) return std::numeric_limits<double>::quiet_NaN();
  const std::string& text = assignments.front().value;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0' ? value : std::numeric_limits<double>::quiet_NaN();
}

std::vector<SweepPoint> parse_sweep_points(const YAML::Node& sweep) {
  if (!sweep.IsMap()) throw InputError(yaml_where(sweep, "sweep") + ": expected a map");
  require_keys_within(sweep, "sweep", {"field", "values", "grid", "points", "sample"});
  const int forms = (sweep["field"] || sweep["values"] ? 1 : 0) + (sweep["grid"] ? 1 : 0) +
                    (sweep["points"] ? 1 : 0) + (sweep["sample"] ? 1 : 0);
  if (forms != 1)
    throw InputError(yaml_where(sweep, "sweep") +
                     ": expected exactly one of {field, values}, grid, points or sample");
  std::vector<SweepPoint> points;
  if (sweep["grid"]) {
    points = grid_points(sweep["grid"]);
  } else if (sweep["points"]) {
    points = explicit_points(sweep["points"]);
  } else if (sweep["sample"]) {
    points = sample_points(sweep["sample"]);
  } else {
    const auto field = yaml_required<std::string>(sweep, "sweep", "field", "a dotted field name");
    if (!sweep["values"]) throw InputError(yaml_where(sweep, "sweep") + ": missing required key 'values'");
    const auto values = scalar_list(sweep["values"], "sweep.values");
    if (values.size() > kMaxSweepPoints)
      throw InputError(yaml_where(sweep["values"], "sweep.values") + ": more than " +
                       std::to_string(kMaxSweepPoints) + " values (split it into several experiments)");
    for (const auto& value : values) points.push_back({{{field, value}}});
  }
  // The same point twice would be one configuration stored once and shown twice.
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::set<std::string> fields;
    for (const auto& assignment : points[i].assignments)
      if (!fields.insert(assignment.field).second)
        throw InputError(yaml_where(sweep, "sweep") + ": point " + std::to_string(i) + " sets " +
                         assignment.field + " twice");
    auto [found, inserted] = seen.emplace(points[i].label(), i);
    if (!inserted)
      throw InputError(yaml_where(sweep, "sweep") + ": point " + std::to_string(i) + " (" +
                       points[i].label() + ") repeats point " + std::to_string(found->second) +
                       (sweep["sample"] ? "; widen a range or draw fewer points" : ""));
  }
  return points;
}

YAML::Node document_for_point(const YAML::Node& document, const SweepPoint& point,
                              const std::vector<std::string>& policy_labels) {
  // Every key but the sweep, which may hold thousands of values: copying it for each point made
  // validating a sweep quadratic in its size (10,000 points took a minute).
  YAML::Node copy(YAML::NodeType::Map);
  for (const auto& item : document)
    if (item.first.Scalar() != "sweep") copy[item.first.Scalar()] = YAML::Clone(item.second);
  for (const auto& assignment : point.assignments) {
    const std::string& field = assignment.field;
    std::vector<std::string> segments;
    // Walked with reset(): yaml-cpp's operator= between nodes would rebind the node it is assigned to,
    // rewriting the document instead of moving down it.
    YAML::Node parent;
    parent.reset(copy);
    std::string rest = field;
    if (field.rfind("policies.", 0) == 0) {
      // policies.LABEL.param: the longest label that fits (labels may contain dots).
      const std::string after = field.substr(9);
      std::size_t best = policy_labels.size(), best_length = 0;
      for (std::size_t i = 0; i < policy_labels.size(); ++i) {
        const std::string& label = policy_labels[i];
        if (after.size() > label.size() + 1 && after.compare(0, label.size(), label) == 0 &&
            after[label.size()] == '.' && label.size() > best_length)
          best = i, best_length = label.size();
      }
      if (best == policy_labels.size()) {
        std::string labels;
        for (const auto& label : policy_labels) labels += (labels.empty() ? "" : ", ") + label;
        throw InputError("sweep field '" + field + "': expected policies.LABEL.PARAMETER with LABEL one of " +
                         labels);
      }
      YAML::Node policies = copy["policies"];
      if (!policies.IsSequence() || best >= policies.size())
        throw InputError("sweep field '" + field + "': the experiment has no policies list to set it in");
      const YAML::Node entry = policies[best];
      if (entry.IsScalar()) {
        YAML::Node map(YAML::NodeType::Map);
        map["impl"] = entry.Scalar();
        policies[best] = map;
      }
      parent.reset(policies[best]);
      rest = after.substr(best_length + 1);
    }
    for (std::size_t start = 0;;) {
      const auto dot = rest.find('.', start);
      segments.push_back(rest.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& segment : segments)
      if (segment.empty()) throw InputError("sweep field '" + field + "': empty name between dots");
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
      YAML::Node child = parent[segments[i]];
      if (!child || child.IsNull()) {
        parent[segments[i]] = YAML::Node(YAML::NodeType::Map);
      } else if (!child.IsMap()) {
        throw InputError("sweep field '" + field + "': '" + segments[i] +
                         "' is not a map in the experiment (write it as a map to sweep a key inside it)");
      }
      const YAML::Node next = parent[segments[i]];
      parent.reset(next);
    }
    parent[segments.back()] = assignment.value;
  }
  return copy;
}

}  // namespace sparsesim
