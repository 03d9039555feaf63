// oracle: knows every request's true expected-quality curve (the quality model at the request's true task
// family and length) and allocates budgets by Lagrangian relaxation: each request independently takes the
// candidate budget maximising  expected_quality - lambda * standalone_cost_seconds,  where candidates are
// the grid prefill_densities x decode_keep_fractions and the cost is policies/standalone_cost.h (prefill
// and each decode step priced as single-request batches). For any lambda that allocation has the highest
// total expected quality among all allocations from the grid with at most its total standalone cost (and
// bisection on the knob sets that cost), so no policy restricted to the grid can beat it at equal compute.
//
// Knob: log10(1 / lambda), lambda in expected-quality points per GPU-second. As lambda falls a request's
// chosen cost can only rise (exchange argument: q1 - l1 c1 >= q2 - l1 c2 and q2 - l2 c2 >= q1 - l2 c1 give
// (l1 - l2)(c2 - c1) >= 0), with ties broken towards the cheaper candidate; at the knob's maximum lambda is
// 0 (the best quality, cheapest among equals). Compute is therefore non-decreasing in the knob.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/budget_shapes.h"
#include "policies/policy_knob_docs.h"
#include "policies/standalone_cost.h"

namespace sparsesim {
namespace {

// lambda = 1e8 per GPU-second: a microsecond outweighs any quality difference, so everything is cheapest.
constexpr double kMinKnob = -8.0;
constexpr double kMaxKnob = 12.0;  // treated as lambda = 0

std::vector<double> read_fractions(const Params& params, const std::string& name) {
  const YAML::Node node = params.get_node(name);
  const std::string path = params.yaml_path() + "." + name;
  if (!node.IsSequence() || node.size() == 0)
    throw InputError(path + " (" + yaml_location(node) +
                     "): expected a non-empty list of fractions in (0, 1]");
  std::vector<double> values;
  for (std::size_t index = 0; index < node.size(); ++index) {
    double value = -1.0;
    try {
      value = node[index].as<double>();
    } catch (const YAML::Exception&) {
    }
    if (!(value > 0.0 && value <= 1.0))
      throw InputError(path + "[" + std::to_string(index) + "] (" + yaml_location(node[index]) +
                       "): expected a fraction in (0, 1]");
    values.push_back(value);
  }
  return values;
}

class OraclePolicy final : public BudgetPolicy {
 public:
  OraclePolicy(const Params& params, const PolicyContext& context)
      : cost_model_(context.cost_model),
        quality_model_(context.quality_model),
        prefill_densities_(read_fractions(params, "prefill_densities")),
        decode_keep_fractions_(read_fractions(params, "decode_keep_fractions")),
        min_kv_tokens_(params.get_int("min_kv_tokens")),
        knob_(std::clamp(params.get_double("knob"), kMinKnob, kMaxKnob)) {
    if (min_kv_tokens_ < 1) throw InputError(params.yaml_path() + ".min_kv_tokens: expected an integer >= 1");
    if (!cost_model_ || !quality_model_)
      throw InputError(params.yaml_path() + ": oracle needs the experiment's cost model and quality model");
  }

  void prepare(const std::vector<Request>& requests) override {
    tables_.clear();
    index_by_id_.clear();
    tables_.reserve(requests.size());
    for (const Request& request : requests) {
      index_by_id_[request.id] = tables_.size();
      tables_.push_back(candidates_for(request));
    }
  }

  Budget initial_budget(const Request& request, const SystemLoad&) const override {
    const auto found = index_by_id_.find(request.id);
    if (found != index_by_id_.end()) {
      const CandidateTable& table = tables_[found->second];
      if (table.input_tokens == request.input_tokens) return table.budget(choose(table));
    }
    const CandidateTable table = candidates_for(request);  // not prepared: decide on the spot
    return table.budget(choose(table));
  }

  KnobSpec knob() const override {
    return {"log10_inverse_lambda", knob_, kMinKnob, kMaxKnob,
            "log10(1 / lambda), lambda in quality per GPU-second; max = lambda 0 (best quality)"};
  }
  void set_knob(double value) override { knob_ = std::clamp(value, kMinKnob, kMaxKnob); }

 private:
  // Candidates are (prefill density p, decode budget d) pairs, index p * decode_count + d. Costs are
  // separable by phase, so each phase's options are priced once.
  struct CandidateTable {
    std::int32_t input_tokens = 0;
    std::vector<double> prefill_densities;  // after block rounding
    std::vector<std::int64_t> kv_budgets;
    std::vector<double> prefill_seconds;
    std::vector<double> decode_seconds;
    std::vector<double> quality;
    Budget budget(std::size_t index) const {
      Budget result;
      result.prefill_density = prefill_densities[index / kv_budgets.size()];
      result.decode_kv_budget_tokens = kv_budgets[index % kv_budgets.size()];
      return result;
    }
    double cost_seconds(std::size_t index) const {
      return prefill_seconds[index / kv_budgets.size()] + decode_seconds[index % kv_budgets.size()];
    }
  };

  CandidateTable candidates_for(const Request& request) const {
    CandidateTable table;
    table.input_tokens = request.input_tokens;
    const std::int64_t length = request.input_tokens;
    for (double density : prefill_densities_) {
      table.prefill_densities.push_back(
          prefill_density_for_kept_tokens(density * static_cast<double>(length), length));
      table.prefill_seconds.push_back(
          standalone_prefill_ns(*cost_model_, length, table.prefill_densities.back()) * 1e-9);
    }
    for (double keep : decode_keep_fractions_) {
      table.kv_budgets.push_back(
          decode_budget_for_kept_tokens(keep * static_cast<double>(length), length, min_kv_tokens_));
      table.decode_seconds.push_back(
          standalone_decode_ns(*cost_model_, length, table.kv_budgets.back(), 0, request.output_tokens) *
          1e-9);
    }
    const std::size_t count = table.prefill_densities.size() * table.kv_budgets.size();
    // Expected quality is dense accuracy x prefill retention x decode retention (QualityModel's contract),
    // so the grid needs one lookup per prefill option and one per decode option, not one per pair.
    std::vector<double> with_dense_decode(table.prefill_densities.size());
    for (std::size_t p = 0; p < with_dense_decode.size(); ++p) {
      Budget budget;
      budget.prefill_density = table.prefill_densities[p];
      with_dense_decode[p] = quality_model_->score(request, budget).expected_quality;
    }
    std::vector<double> decode_retention(table.kv_budgets.size());
    for (std::size_t d = 0; d < decode_retention.size(); ++d) {
      Budget budget;
      budget.decode_kv_budget_tokens = table.kv_budgets[d];
      decode_retention[d] = quality_model_->score(request, budget).decode_retention;
    }
    table.quality.reserve(count);
    for (std::size_t index = 0; index < count; ++index)
      table.quality.push_back(with_dense_decode[index / table.kv_budgets.size()] *
                              decode_retention[index % table.kv_budgets.size()]);
    return table;
  }

  std::size_t choose(const CandidateTable& table) const {
    const double lambda = knob_ >= kMaxKnob ? 0.0 : std::pow(10.0, -knob_);
    std::size_t best = 0;
    double best_value = -1e300, best_cost = 0;
    for (std::size_t index = 0; index < table.quality.size(); ++index) {
      const double cost = table.cost_seconds(index);
      const double value = table.quality[index] - lambda * cost;
      if (value > best_value || (value == best_value && cost < best_cost)) {
        best = index;
        best_value = value;
        best_cost = cost;
      }
    }
    return best;
  }

  const CostModel* cost_model_;
  const QualityModel* quality_model_;
  std::vector<double> prefill_densities_;
  std::vector<double> decode_keep_fractions_;
  std::int64_t min_kv_tokens_;
  double knob_;
  std::vector<CandidateTable> tables_;
  std::unordered_map<std::uint64_t, std::size_t> index_by_id_;
};

const bool registered = PolicyRegistry::instance().add(
    {"oracle",
     "knows each request's true quality curve; per request maximises expected quality - lambda * standalone "
     "GPU time over a budget grid (Lagrangian upper bound)",
     {{"prefill_densities",
       "[1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03]",
       "candidate prefill densities (kept fraction of key blocks), each in (0, 1]"},
      {"decode_keep_fractions",
       "[1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02]",
       "candidate decode KV budgets as fractions of the prompt, each in (0, 1]; 1 = dense"},
      {"min_kv_tokens", "64", "smallest decode KV budget in tokens"},
      {"knob", "3", "initial log10(1 / lambda); the iso-compute solver overrides it"}},
     [](const Params& params, const PolicyContext& context) {
       return std::make_unique<OraclePolicy>(params, context);
     }});
const bool documented = register_policy_knob_doc(
    "oracle",
    {"log10_inverse_lambda",
     "log10(1 / lambda) in [-8, 12], lambda in expected quality per standalone GPU-second; 12 means "
     "lambda = 0 (best quality); a request's chosen cost never falls as lambda falls, so compute "
     "is non-decreasing"});

}  // namespace
}  // namespace sparsesim
