#pragma once
// Test-only helpers for tests/sim: a cost model whose step times are hand-computable and a tiny cluster.
#include <cstdint>
#include <memory>
#include <vector>

#include "cost/cost_model.h"
#include "policies/budget_policy.h"
#include "sim/simulation.h"
#include "workloads/request.h"

namespace sparsesim::testing {

// duration = step_ns + token_ns x batch tokens. Attention time per item: attention_ns_per_context_token x
// (cached + new tokens) for prefills and x kv_tokens_read for decodes (0 by default, so it does not enter
// the duration: it only steers attribution). linear_ns = duration.
class LinearCostModel final : public CostModel {
 public:
  LinearCostModel(TimeNs step_ns, TimeNs token_ns, double attention_ns_per_context_token = 0)
      : step_ns_(step_ns),
        token_ns_(token_ns),
        attention_ns_per_context_token_(attention_ns_per_context_token) {}

  void step_cost(const BatchWork& batch, StepCost& out) const override {
    const std::int64_t tokens = batch.total_tokens();
    out.duration_ns = tokens == 0 ? 0 : step_ns_ + token_ns_ * tokens;
    out.linear_ns = static_cast<double>(out.duration_ns);
    out.item_attention_ns.clear();
    out.attention_flops = 0;
    for (const auto& chunk : batch.prefills) {
      const double ns =
          attention_ns_per_context_token_ * (chunk.cached_tokens + chunk.new_tokens) * chunk.density;
      out.item_attention_ns.push_back(ns);
      out.attention_flops += ns;
    }
    for (const auto& decode : batch.decodes) {
      const double ns = attention_ns_per_context_token_ * static_cast<double>(decode.kv_tokens_read);
      out.item_attention_ns.push_back(ns);
      out.attention_flops += ns;
    }
    out.linear_flops = 0;
    out.memory_bytes = static_cast<double>(tokens);
  }
  std::string describe() const override { return "linear test cost model"; }

 private:
  TimeNs step_ns_, token_ns_;
  double attention_ns_per_context_token_;
};

// A model whose KV token is 32 bytes (1 layer, 1 KV head, head dim 8, bf16) on a GPU holding exactly
// `kv_blocks` blocks of 16 tokens (no weights, no activation reserve).
inline ClusterConfig tiny_cluster(std::int64_t kv_blocks, int replicas = 1) {
  ClusterConfig cluster;
  cluster.model.name = "tiny";
  cluster.model.layers = 1;
  cluster.model.kv_heads = 1;
  cluster.model.head_dim = 8;
  cluster.model.query_heads = 1;
  cluster.model.context_tokens = 100000;
  cluster.model.parameters = 0;
  cluster.gpu.name = "tiny-gpu";
  cluster.gpu.memory_bytes = kv_blocks * 16 * 32;
  cluster.scheduler.activation_reserve_fraction = 0;
  cluster.scheduler.kv_block_tokens = 16;
  cluster.replicas = replicas;
  return cluster;
}

inline Request make_request(std::uint64_t id, TimeNs arrival_ns, std::int32_t input_tokens,
                            std::int32_t output_tokens) {
  Request request;
  request.id = id;
  request.arrival_ns = arrival_ns;
  request.input_tokens = input_tokens;
  request.output_tokens = output_tokens;
  return request;
}

// Deterministic pseudo-random requests (a fixed LCG, no std:: distributions).
inline std::vector<Request> synthetic_requests(int count, TimeNs mean_gap_ns, std::uint64_t seed = 7) {
  std::vector<Request> requests;
  std::uint64_t state = seed;
  auto next = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  TimeNs now = 0;
  for (int index = 0; index < count; ++index) {
    now += static_cast<TimeNs>(next() % static_cast<std::uint64_t>(2 * mean_gap_ns));
    requests.push_back(make_request(static_cast<std::uint64_t>(index), now,
                                    16 + static_cast<std::int32_t>(next() % 3000),
                                    1 + static_cast<std::int32_t>(next() % 400)));
  }
  return requests;
}

// The dense policy, built without a cost or quality model (the simulator does not need them for dense).
inline std::unique_ptr<BudgetPolicy> dense_policy() {
  static const PolicyContext context;
  return make_policy(YAML::Load("dense"), "policies[0]", context);
}

}  // namespace sparsesim::testing
