// sparsesim curves [--file F] [--model M] [--rule trend|clamp|floor] [--floor X]
// Prints accuracy-versus-sparsity curves with each value's status, the rule used below the shortest
// measured length, and example lookups at short lengths that show how much of a score is extrapolated.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "core/input_error.h"
#include "quality/quality_curves.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

const char* status_code(const std::string& status) {
  if (status == "READ_FROM_PAPER") return "P";
  if (status == "APPROX_FROM_PAPER") return "~";
  if (status == "ESTIMATE") return "E";
  if (status == "EXTRAPOLATED") return "X";
  if (status == "MEASURED") return "M";
  if (status == "DEFINITION") return "D";
  return "?";
}

const char* kind_name(LookupKind kind) {
  switch (kind) {
    case LookupKind::exact:
      return "exact";
    case LookupKind::interpolated:
      return "interpolated";
    case LookupKind::extrapolated:
      return "EXTRAPOLATED";
  }
  return "";
}

std::string length_label(std::int64_t tokens) {
  if (tokens % 1024 == 0) return std::to_string(tokens / 1024) + "K";
  return std::to_string(tokens);
}

// One curve set as a table: a row per sparsity, a column per measured length.
void print_set(const CurveSet& set) {
  std::cout << "\nmodel " << set.model << ", task family " << set.task_family << ", phase " << set.phase
            << ", method " << (set.method == "*" ? std::string("* (pooled over methods)") : set.method)
            << "\n";
  std::map<double, std::vector<std::string>> rows;  // sparsity -> cell per length
  for (std::size_t column = 0; column < set.lengths.size(); ++column) {
    const LengthCurve& curve = set.lengths[column];
    for (std::size_t i = 0; i < curve.sparsity.size(); ++i) {
      auto& cells = rows[curve.sparsity[i]];
      cells.resize(set.lengths.size());
      char cell[32];
      std::snprintf(cell, sizeof cell, "%.3f %s", curve.retention[i], status_code(curve.value_status[i]));
      cells[column] = cell;
    }
  }
  std::printf("  %-9s", "sparsity");
  for (const auto& curve : set.lengths) std::printf(" %9s", length_label(curve.seq_len_tokens).c_str());
  std::printf("\n");
  for (const auto& [sparsity, cells] : rows) {
    std::printf("  %-9.4f", sparsity);
    for (std::size_t column = 0; column < set.lengths.size(); ++column)
      std::printf(" %9s", column < cells.size() && !cells[column].empty() ? cells[column].c_str() : "-");
    std::printf("\n");
  }
}

int curves_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim curves [--file CURVES.csv] [--model NAME] [--prefill-method M] [--decode-method M]\n"
      "                 [--rule trend|clamp|floor] [--floor X]\n\n"
      "Prints accuracy-versus-sparsity curves (retention = sparse / dense accuracy) with each value's\n"
      "status, the rule used below the shortest measured length, and example lookups at short lengths.\n\n"
      "options");
  std::string file = std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv";
  std::string model, rule_name = "trend", prefill_method = "vertical_slash", decode_method = "quest";
  double floor_retention = 0.0;
  options.add_options()("help,h", "show this help")("file,f", po::value(&file),
                                                    "curve CSV (default: shipped prior)")(
      "model,m", po::value(&model), "show only the curves this model uses (its own rows, else the '*' rows)")(
      "prefill-method", po::value(&prefill_method)->default_value("vertical_slash"),
      "prefill sparse method whose curves --model and the lookups use")(
      "decode-method", po::value(&decode_method)->default_value("quest"),
      "decode sparse method whose curves --model and the lookups use")(
      "rule,r", po::value(&rule_name)->default_value("trend"),
      "rule below the shortest length: trend, clamp, floor")("floor",
                                                             po::value(&floor_retention)->default_value(0.0),
                                                             "retention floor for --rule floor, in [0, 1]");
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  po::notify(vm);

  ShortLengthRule rule;
  if (rule_name == "trend")
    rule.kind = ShortLengthRule::Kind::trend;
  else if (rule_name == "clamp")
    rule.kind = ShortLengthRule::Kind::clamp;
  else if (rule_name == "floor")
    rule.kind = ShortLengthRule::Kind::floor;
  else
    throw InputError("--rule: expected trend, clamp or floor, got '" + rule_name + "'");
  if (!(floor_retention >= 0 && floor_retention <= 1))
    throw InputError("--floor: expected a retention in [0, 1], got " + std::to_string(floor_retention));
  rule.floor_retention = floor_retention;

  const QualityCurves curves = QualityCurves::load(file);
  std::cout
      << "curves: " << curves.path() << "\n"
      << rule.describe() << " (shortest measured length " << curves.shortest_length_tokens() << " tokens)\n"
      << "status: P read from paper, ~ approximate paper figure, E estimate, X extrapolated, M measured, "
         "D definition (sparsity 0)\n";

  const char* families[] = {"single_qa", "multi_query_retrieval", "high_scope", "mixed"};
  std::vector<const CurveSet*> shown;
  if (model.empty()) {
    for (const auto& set : curves.curve_sets()) shown.push_back(&set);
  } else {
    std::cout << "model: " << model
              << " (task family 'unknown' uses 'mixed'; a family without a curve uses 'mixed')\n";
    for (const char* family : families)
      for (const CurvePhase phase : {CurvePhase::prefill, CurvePhase::decode}) {
        const CurveSet* set =
            curves.find(model, family, phase, phase == CurvePhase::prefill ? prefill_method : decode_method);
        if (set && std::find(shown.begin(), shown.end(), set) == shown.end()) shown.push_back(set);
      }
  }
  for (const CurveSet* set : shown) print_set(*set);

  // Example lookups: most production requests are shorter than the shortest measured length.
  const std::string lookup_model = model.empty() ? "*" : model;
  std::cout << "\nexample lookups (model " << lookup_model << ", " << rule_name << " rule; prefill "
            << prefill_method << ", decode " << decode_method << "):\n";
  std::printf("  %-22s %-8s %8s %9s %10s %s\n", "task family", "phase", "length", "sparsity", "retention",
              "lookup");
  const std::int64_t example_lengths[] = {4096, 8192, 16384, 24576};
  for (const char* family : families) {
    const TaskFamily task = std::string(family) == "mixed" ? TaskFamily::unknown : parse_task_family(family);
    for (const CurvePhase phase : {CurvePhase::prefill, CurvePhase::decode})
      for (const std::int64_t length : example_lengths)
        for (const double sparsity : {0.8, 0.95}) {
          const RetentionLookup result =
              curves.retention(lookup_model, task, phase, length, sparsity, rule,
                               phase == CurvePhase::prefill ? prefill_method : decode_method);
          std::printf("  %-22s %-8s %8s %9.2f %10.3f %s\n", family,
                      phase == CurvePhase::prefill ? "prefill" : "decode", length_label(length).c_str(),
                      sparsity, result.retention, kind_name(result.kind));
        }
  }
  return 0;
}

const bool registered = register_command(
    {"curves", "print the accuracy-versus-sparsity curves, their provenance and the short-length rule",
     curves_command});

}  // namespace
}  // namespace sparsesim::cli
