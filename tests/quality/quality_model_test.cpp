#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/input_error.h"
#include "quality/curve_quality_model.h"
#include "quality/quality_curves.h"

using namespace sparsesim;

namespace {

namespace fs = std::filesystem;

const std::string kHeader = "model,task_family,phase,seq_len_tokens,sparsity,retention,value_status,source\n";
const std::string kDenseHeader = "model,task_family,seq_len_tokens,dense_accuracy,value_status,source\n";

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path path =
      fs::path(SPARSESIM_TEST_TMP) / ("quality_model_test-" + std::to_string(::getpid())) / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

Request request_of(std::int32_t input_tokens, TaskFamily family) {
  Request request;
  request.input_tokens = input_tokens;
  request.output_tokens = 100;
  request.traits.task_family = family;
  return request;
}

Budget sparse_budget(double prefill_sparsity, std::int64_t kv_tokens) {
  Budget budget;
  budget.prefill_density = 1.0 - prefill_sparsity;
  budget.decode_kv_budget_tokens = kv_tokens;
  return budget;
}

}  // namespace

TEST_CASE("curves set to 1 give expected quality equal to dense accuracy") {
  const std::string curves = write_temp("ones.csv", kHeader +
                                                        "*,mixed,both,16384,0.5,1,MEASURED,x\n"
                                                        "*,mixed,both,16384,0.99,1,MEASURED,x\n"
                                                        "*,mixed,both,65536,0.99,1,MEASURED,x\n");
  const std::string dense = write_temp("ones_dense.csv", kDenseHeader +
                                                             "Test-Model,*,4096,0.9,MEASURED,x\n"
                                                             "Test-Model,*,65536,0.6,MEASURED,x\n");
  const auto model = make_quality_model(YAML::Load("{curves: " + curves + ", dense_accuracy: " + dense + "}"),
                                        "quality", "Test-Model");
  for (const std::int32_t length : {1000, 4096, 16384, 30000, 65536, 120000}) {
    for (const TaskFamily family : {TaskFamily::unknown, TaskFamily::single_qa, TaskFamily::high_scope}) {
      const Request request = request_of(length, family);
      const double dense_accuracy =
          DenseAccuracyTable::load(dense).find("Test-Model", "mixed")->at(request.input_tokens);
      for (const double sparsity : {0.0, 0.5, 0.9}) {
        const QualityScore score = model->score(request, sparse_budget(sparsity, length / 10));
        CHECK(score.expected_quality == doctest::Approx(dense_accuracy));
        CHECK(score.prefill_retention == 1.0);
        CHECK(score.decode_retention == 1.0);
      }
    }
  }
  CHECK(model->describe().find("'mixed' used for: single_qa") != std::string::npos);
}

TEST_CASE("quality = dense x prefill retention x decode retention at the request's length and budget") {
  const auto model =
      make_quality_model(YAML::Load("data/quality/sparse_frontier_prior.csv"), "quality", "Llama-3.1-8B");
  const std::string describe = model->describe();
  CHECK(describe.find("sparse_frontier_prior.csv") != std::string::npos);
  CHECK(describe.find("below the shortest measured length: tolerance falls along the measured trend") !=
        std::string::npos);
  CHECK(describe.find("dense_accuracy.csv") != std::string::npos);

  const QualityCurves curves =
      QualityCurves::load(std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv");
  const Request request = request_of(32768, TaskFamily::high_scope);
  const Budget budget = sparse_budget(0.8, 32768 / 10);  // decode sparsity 0.9
  const QualityScore score = model->score(request, budget);
  const ShortLengthRule trend;
  const double prefill =
      curves.retention("Llama-3.1-8B", TaskFamily::high_scope, CurvePhase::prefill, 32768, 0.8, trend)
          .retention;
  const double decode = curves
                            .retention("Llama-3.1-8B", TaskFamily::high_scope, CurvePhase::decode, 32768,
                                       budget.decode_sparsity(32768), trend)
                            .retention;
  CHECK(score.prefill_retention == doctest::Approx(prefill));
  CHECK(score.decode_retention == doctest::Approx(decode));
  CHECK(score.expected_quality == doctest::Approx(0.874 * prefill * decode));  // RULER 32K: 87.4
  CHECK(score.prefill_lookup == LookupKind::exact);

  // Dense budget: quality is the dense accuracy, lookups exact.
  const QualityScore dense = model->score(request_of(2000, TaskFamily::single_qa), Budget{});
  CHECK(dense.expected_quality == doctest::Approx(0.955));  // RULER 4K, held below the shortest row
  CHECK(dense.prefill_lookup == LookupKind::exact);
  CHECK(dense.decode_lookup == LookupKind::exact);

  // A short sparse request is extrapolated and scored below the same budget at 16K.
  const QualityScore short_request =
      model->score(request_of(4000, TaskFamily::unknown), sparse_budget(0.9, 400));
  const QualityScore at_16k = model->score(request_of(16384, TaskFamily::unknown), sparse_budget(0.9, 1638));
  CHECK(short_request.prefill_lookup == LookupKind::extrapolated);
  CHECK(short_request.decode_lookup == LookupKind::extrapolated);
  CHECK(short_request.prefill_retention < at_16k.prefill_retention);
}

TEST_CASE("quality config: map form, rules, and errors naming the YAML path") {
  const std::string curves = std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv";
  const auto clamp = make_quality_model(
      YAML::Load("{curves: " + curves + ", below_shortest_length: {rule: clamp}}"), "quality", "Qwen2.5-7B");
  CHECK(clamp->describe().find("clamp") != std::string::npos);
  const auto floor = make_quality_model(
      YAML::Load("{curves: " + curves + ", below_shortest_length: {rule: floor, floor_retention: 0.6}}"),
      "quality", "Qwen2.5-7B");
  CHECK(floor->describe().find("floor 0.6") != std::string::npos);
  const auto trend = make_quality_model(YAML::Load("{curves: " + curves + "}"), "quality", "Qwen2.5-7B");
  const Request request = request_of(2048, TaskFamily::unknown);
  const Budget budget = sparse_budget(0.95, 102);
  CHECK(trend->score(request, budget).expected_quality <= clamp->score(request, budget).expected_quality);
  CHECK(trend->score(request, budget).expected_quality <= floor->score(request, budget).expected_quality);

  CHECK_THROWS_WITH_AS(make_quality_model(YAML::Load("{curves: " + curves + ", curve: x}"), "quality", "M"),
                       doctest::Contains("quality.curve"), InputError);
  CHECK_THROWS_WITH_AS(
      make_quality_model(YAML::Load("{curves: " + curves + ", below_shortest_length: {rule: hope}}"),
                         "quality", "M"),
      doctest::Contains("quality.below_shortest_length.rule"), InputError);
  CHECK_THROWS_WITH_AS(
      make_quality_model(
          YAML::Load("{curves: " + curves + ", below_shortest_length: {rule: floor, floor_retention: 2}}"),
          "quality", "M"),
      doctest::Contains("floor_retention"), InputError);
  CHECK_THROWS_WITH_AS(make_quality_model(YAML::Load("{dense_accuracy: x.csv}"), "quality", "M"),
                       doctest::Contains("quality.curves"), InputError);
  CHECK_THROWS_WITH_AS(make_quality_model(YAML::Load("/nonexistent/curves.csv"), "quality", "M"),
                       doctest::Contains("/nonexistent/curves.csv"), InputError);
  CHECK_THROWS_AS(make_quality_model(YAML::Load("[1, 2]"), "quality", "M"), InputError);

  // A file without a curve for a family and without a 'mixed' fallback fails at construction.
  const std::string partial =
      write_temp("partial.csv", kHeader + "*,single_qa,both,16384,0.5,0.9,ESTIMATE,x\n");
  CHECK_THROWS_WITH_AS(make_quality_model(YAML::Load(partial), "quality", "M"),
                       doctest::Contains("no prefill curve"), InputError);
  // No dense accuracy file beside the curves: retention only, and said so.
  const std::string alone =
      write_temp("alone/curves.csv", kHeader + "*,mixed,both,16384,0.5,0.9,ESTIMATE,x\n");
  const auto retention_only = make_quality_model(YAML::Load(alone), "quality", "M");
  CHECK(retention_only->describe().find("scores are retentions") != std::string::npos);
  CHECK(retention_only->score(request_of(16384, TaskFamily::high_scope), sparse_budget(0.5, 8192))
            .expected_quality == doctest::Approx(0.9 * 0.9));  // both phases at sparsity 0.5
}

TEST_CASE("a policy sparse in one phase gets exactly that phase's curve, under either combine rule") {
  const std::string path = (std::filesystem::path(SPARSESIM_TEST_TMP) / "phase_curves.csv").string();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path)
      << "model,task_family,phase,seq_len_tokens,sparsity,retention,value_status,source,method\n"
         "*,mixed,prefill,16384,0.9,0.80,ESTIMATE,test,*\n"
         "*,mixed,decode,16384,0.9,0.95,ESTIMATE,test,*\n"
         "*,mixed,decode,16384,0.9,0.60,ESTIMATE,test,snapkv\n";
  Request request;
  request.input_tokens = 16384;
  Budget prefill_only;
  prefill_only.prefill_density = 0.1;
  Budget decode_only;
  decode_only.decode_kv_budget_tokens = 1638;  // sparsity 0.9 at 16384
  Budget both = prefill_only;
  both.decode_kv_budget_tokens = 1638;
  for (const char* combine : {"product", "worse"}) {
    const YAML::Node node = YAML::Load(std::string("{curves: ") + path + ", phase_combine: " + combine + "}");
    const auto model = make_quality_model(node, "quality", "Qwen2.5-7B", {"vertical_slash", "quest"});
    CHECK(model->score(request, prefill_only).expected_quality == doctest::Approx(0.80).epsilon(0.002));
    CHECK(model->score(request, decode_only).expected_quality == doctest::Approx(0.95).epsilon(0.002));
    const double both_quality = model->score(request, both).expected_quality;
    CHECK(both_quality == doctest::Approx(std::string(combine) == "product" ? 0.76 : 0.80).epsilon(0.002));
    // The decode method's own curve replaces the pooled one.
    const auto snapkv = make_quality_model(node, "quality", "Qwen2.5-7B", {"vertical_slash", "snapkv"});
    CHECK(snapkv->score(request, decode_only).expected_quality == doctest::Approx(0.60).epsilon(0.002));
  }
  CHECK_THROWS_AS(make_quality_model(YAML::Load(std::string("{curves: ") + path + ", phase_combine: sum}"),
                                     "quality", "Qwen2.5-7B"),
                  InputError);
}
