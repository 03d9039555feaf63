// The iso-cost study: its Pareto frontier, its cost accounting against closed forms, and that its knobs
// change what they claim to change.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/input_error.h"
#include "experiments/isocost_study.h"

namespace sparsesim {
namespace {

YAML::Node study_document(const std::string& isocost_block) {
  return YAML::Load(
      "name: t\n"
      "cluster: {gpu: H100-SXM, sparse_methods: {prefill: vertical_slash, decode: quest}}\n"
      "quality: data/quality/sparse_frontier_prior.csv\n"
      "isocost:\n" +
      isocost_block);
}

const IsocostPoint& point_at(const IsocostResult& result, const std::string& model, StudyPhase phase,
                             std::int64_t length, double sparsity) {
  for (const auto& point : result.points)
    if (point.model == model && point.phase == phase && point.seq_len_tokens == length &&
        std::abs(point.sparsity - sparsity) < 1e-9)
      return point;
  FAIL("no such point");
  return result.points.front();
}

// Weights one decode step reads: every matrix but the input embedding table (a lookup of one row).
double weights_read(const ModelConfig& model) {
  return model.weight_bytes() - double(model.vocab_size) * model.hidden_size * model.bytes_per_parameter;
}

}  // namespace

TEST_CASE("mark_pareto_frontier keeps exactly the undominated points") {
  std::vector<IsocostPoint> points(5);
  const double cost[] = {1, 2, 3, 2, 4};
  const double quality[] = {0.5, 0.7, 0.9, 0.6,
                            0.9};  // (2, 0.6) is dominated by (2, 0.7); (4, 0.9) by (3, 0.9)
  std::vector<IsocostPoint*> group;
  for (int i = 0; i < 5; ++i) {
    points[i].paper_cost = cost[i];
    points[i].quality = quality[i];
    group.push_back(&points[i]);
  }
  mark_pareto_frontier(group, &IsocostPoint::paper_cost, &IsocostPoint::frontier_paper);
  CHECK(points[0].frontier_paper);
  CHECK(points[1].frontier_paper);
  CHECK(points[2].frontier_paper);
  CHECK_FALSE(points[3].frontier_paper);
  CHECK_FALSE(points[4].frontier_paper);
}

TEST_CASE("iso-cost accounting: prefill FLOPs and decode bytes against their closed forms") {
  const auto spec = parse_isocost_study(
      study_document("  models: [Qwen2.5-7B, Qwen2.5-14B]\n  seq_len_tokens: [32768]\n  sparsities: [0.9]\n"),
      "test.yaml");
  REQUIRE(spec.sparsities.size() == 2);  // dense added
  const auto result = run_isocost_study(spec);
  const std::int64_t length = 32768;
  for (const auto& model : spec.models) {
    const auto& dense = point_at(result, model.name, StudyPhase::prefill, length, 0.0);
    const auto& sparse = point_at(result, model.name, StudyPhase::prefill, length, 0.9);
    // Causal attention: QK^T and PV, 2 FLOPs per multiply-add, half the L x L matrix, every query head.
    const double attention =
        2.0 * 2.0 * 0.5 * double(length) * double(length) * model.head_dim * model.query_heads * model.layers;
    // Sparsity removes 90% of the attention term and nothing else (the paper's accounting).
    CHECK((dense.paper_cost - sparse.paper_cost) / (0.9 * attention) == doctest::Approx(1.0).epsilon(0.01));
    // The linear part: 2 FLOPs per parameter per token, within 10% (embeddings are looked up, not
    // multiplied).
    CHECK((dense.paper_cost - attention) / (2.0 * model.parameters * length) ==
          doctest::Approx(1.0).epsilon(0.1));
    // The priced cost adds the method's estimation work; it is never below the paper's.
    CHECK(sparse.priced_cost > sparse.paper_cost);
    // Decode at batch 1: the weights (less the embedding table) plus the KV cache, read once per token.
    const auto& decode_dense = point_at(result, model.name, StudyPhase::decode, length, 0.0);
    const auto& decode_sparse = point_at(result, model.name, StudyPhase::decode, length, 0.9);
    const double kv = double(length) * model.kv_bytes_per_token();
    CHECK(decode_dense.paper_cost / (weights_read(model) + kv) == doctest::Approx(1.0).epsilon(0.01));
    CHECK((decode_dense.paper_cost - decode_sparse.paper_cost) / (0.9 * kv) ==
          doctest::Approx(1.0).epsilon(0.01));
    // Quality: a dense point scores the dense accuracy; a sparse one never more.
    CHECK(dense.retention == 1.0);
    CHECK(sparse.quality <= dense.quality);
  }
}

TEST_CASE("iso-cost decode_batch shares the weight read and changes which larger models can compete") {
  const std::string block =
      "  models: [Qwen2.5-7B, Qwen2.5-14B]\n  seq_len_tokens: [131072]\n"
      "  sparsities: [0.8, 0.9, 0.95]\n";
  const auto alone = run_isocost_study(parse_isocost_study(study_document(block), "t.yaml"));
  const auto shared =
      run_isocost_study(parse_isocost_study(study_document(block + "  decode_batch: 64\n"), "t.yaml"));
  const auto& one = point_at(alone, "Qwen2.5-7B", StudyPhase::decode, 131072, 0.0);
  const auto& many = point_at(shared, "Qwen2.5-7B", StudyPhase::decode, 131072, 0.0);
  const ModelConfig model = parse_isocost_study(study_document(block), "t.yaml").models.front();
  CHECK((one.paper_cost - many.paper_cost) / (weights_read(model) * (1.0 - 1.0 / 64)) ==
        doctest::Approx(1.0).epsilon(0.01));
  auto decode_crossing = [](const IsocostResult& result) {
    for (const auto& crossing : result.crossings)
      if (crossing.phase == StudyPhase::decode) return crossing;
    FAIL("no decode crossing");
    return IsocostCrossing{};
  };
  // At batch 1 the 14B model's weights alone outweigh the 7B model's whole step: nothing is as cheap.
  CHECK(decode_crossing(alone).larger_best_sparsity < 0);
  // Sharing the weights, KV traffic dominates and a sparse 14B configuration fits the 7B dense budget.
  CHECK(decode_crossing(shared).larger_best_sparsity >= 0.8);
  // Prefill is untouched by the decode batch.
  CHECK(point_at(alone, "Qwen2.5-14B", StudyPhase::prefill, 131072, 0.9).paper_cost ==
        point_at(shared, "Qwen2.5-14B", StudyPhase::prefill, 131072, 0.9).paper_cost);
}

TEST_CASE("iso-cost study input errors name the field") {
  auto error_of = [](const std::string& block) {
    try {
      parse_isocost_study(study_document(block), "t.yaml");
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("  models: [Qwen2.5-7B]\n  seq_len_tokens: [16384]\n  sparsities: [0.5]\n")
            .find("at least two models") != std::string::npos);
  CHECK(error_of("  models: [Qwen2.5-14B, Qwen2.5-7B]\n  seq_len_tokens: [16384]\n  sparsities: [0.5]\n")
            .find("increasing parameter count") != std::string::npos);
  CHECK(error_of("  models: [Qwen2.5-7B, Qwen2.5-14B]\n  seq_len_tokens: [16384]\n  sparsities: [1.0]\n")
            .find("isocost.sparsities") != std::string::npos);
  CHECK(error_of("  models: [Qwen2.5-7B, Qwen2.5-14B]\n  seq_len_tokens: [262144]\n  sparsities: [0.5]\n")
            .find("smallest context") != std::string::npos);
  CHECK(error_of("  models: [Qwen2.5-7B, Qwen2.5-14B]\n  seq_len_tokens: [16384]\n  sparsities: [0.5]\n"
                 "  task_family: poetry\n")
            .find("isocost.task_family") != std::string::npos);
  CHECK(error_of("  models: [Qwen2.5-7B, Qwen2.5-14B]\n  seq_len_tokens: [16384]\n  sparsities: [0.5]\n"
                 "  batch: 2\n")
            .find("batch") != std::string::npos);
}

}  // namespace sparsesim
