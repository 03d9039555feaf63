#include <doctest/doctest.h>

#include <map>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/input_error.h"
#include "quality/quality_curves.h"

using namespace sparsesim;

namespace {

namespace fs = std::filesystem;

const std::string kShipped = std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv";
const std::string kHeader = "model,task_family,phase,seq_len_tokens,sparsity,retention,value_status,source\n";

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path path =
      fs::path(SPARSESIM_TEST_TMP) / ("quality_curves_test-" + std::to_string(::getpid())) / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

// Two measured lengths, 16K and 32K: tolerance rises with length, as in the published curves.
const std::string kTwoLengths = kHeader +
                                "*,mixed,both,16384,0,1,DEFINITION,x\n"
                                "*,mixed,both,16384,0.5,0.9,ESTIMATE,x\n"
                                "*,mixed,both,16384,0.9,0.6,ESTIMATE,x\n"
                                "*,mixed,both,32768,0,1,DEFINITION,x\n"
                                "*,mixed,both,32768,0.5,1.0,ESTIMATE,x\n"
                                "*,mixed,both,32768,0.9,0.8,ESTIMATE,\"a, quoted source\"\n";

const ShortLengthRule kTrend{};

}  // namespace

TEST_CASE("shipped prior loads; retention never rises with sparsity and is 1 at sparsity 0") {
  const QualityCurves curves = QualityCurves::load(kShipped);
  CHECK(curves.shortest_length_tokens() == 16384);
  CHECK(curves.curve_sets().size() >= 6);
  for (const ShortLengthRule rule : {ShortLengthRule{}, ShortLengthRule{ShortLengthRule::Kind::clamp, 0},
                                     ShortLengthRule{ShortLengthRule::Kind::floor, 0.5}}) {
    for (const char* model : {"Qwen2.5-7B", "Qwen2.5-72B", "Llama-3.1-70B", "unknown-model"}) {
      for (const TaskFamily family : {TaskFamily::unknown, TaskFamily::single_qa,
                                      TaskFamily::multi_query_retrieval, TaskFamily::high_scope}) {
        for (const CurvePhase phase : {CurvePhase::prefill, CurvePhase::decode}) {
          for (const std::int64_t length :
               {100, 1000, 2048, 6000, 16384, 20000, 40000, 65536, 100000, 131072, 500000}) {
            const RetentionLookup zero = curves.retention(model, family, phase, length, 0.0, rule);
            CHECK(zero.retention == 1.0);
            CHECK(zero.kind == LookupKind::exact);
            double previous = 1.0;
            for (int step = 1; step <= 99; ++step) {
              const double sparsity = step / 100.0;
              const double value = curves.retention(model, family, phase, length, sparsity, rule).retention;
              CHECK(value <= previous + 1e-12);
              CHECK(value >= 0.0);
              previous = value;
            }
          }
        }
      }
    }
  }
}

TEST_CASE("lookup kinds: exact at measured points, interpolated between, extrapolated outside") {
  const QualityCurves curves = QualityCurves::load(write_temp("two.csv", kTwoLengths));
  auto lookup = [&](std::int64_t length, double sparsity) {
    return curves.retention("any-model", TaskFamily::unknown, CurvePhase::prefill, length, sparsity, kTrend);
  };
  CHECK(lookup(16384, 0.5).kind == LookupKind::exact);
  CHECK(lookup(16384, 0.5).retention == doctest::Approx(0.9));
  CHECK(lookup(16384, 0.7).kind == LookupKind::interpolated);
  CHECK(lookup(16384, 0.7).retention == doctest::Approx(0.75));
  // Halfway in log length between 16K and 32K.
  const RetentionLookup middle = lookup(23170, 0.9);
  CHECK(middle.kind == LookupKind::interpolated);
  CHECK(middle.retention == doctest::Approx(0.7).epsilon(1e-3));
  // Above the longest: the longest curve, flagged.
  CHECK(lookup(131072, 0.9).retention == doctest::Approx(0.8));
  CHECK(lookup(131072, 0.9).kind == LookupKind::extrapolated);
  CHECK(lookup(32768, 0.9).kind == LookupKind::exact);
  // Above the largest measured sparsity: flagged, and falls further.
  CHECK(lookup(16384, 0.95).kind == LookupKind::extrapolated);
  CHECK(lookup(16384, 0.95).retention < 0.6);
  // Below the shortest length: flagged, whatever the rule.
  CHECK(lookup(8192, 0.5).kind == LookupKind::extrapolated);
  CHECK(lookup(8192, 0.0).kind == LookupKind::exact);
}

TEST_CASE("below the shortest length the default rule is conservative and follows the trend") {
  const QualityCurves curves = QualityCurves::load(write_temp("two.csv", kTwoLengths));
  auto lookup = [&](std::int64_t length, double sparsity, const ShortLengthRule& rule) {
    return curves.retention("m", TaskFamily::unknown, CurvePhase::decode, length, sparsity, rule).retention;
  };
  // Trend: from 32K to 16K retention at 0.9 falls by 0.2 per halving; so 8K gives 0.4 and 4K 0.2.
  CHECK(lookup(8192, 0.9, kTrend) == doctest::Approx(0.4));
  CHECK(lookup(4096, 0.9, kTrend) == doctest::Approx(0.2));
  CHECK(lookup(1024, 0.9, kTrend) == doctest::Approx(0.0));
  // At 0.5: falls by 0.1 per halving.
  CHECK(lookup(8192, 0.5, kTrend) == doctest::Approx(0.8));
  for (double sparsity = 0.05; sparsity < 1.0; sparsity += 0.05) {
    CHECK(lookup(4096, sparsity, kTrend) <= lookup(16384, sparsity, kTrend) + 1e-12);
    CHECK(lookup(2048, sparsity, kTrend) <= lookup(4096, sparsity, kTrend) + 1e-12);
  }
  // Clamp holds the shortest curve; the floor rule never goes below its floor nor above the curve.
  const ShortLengthRule clamp{ShortLengthRule::Kind::clamp, 0};
  CHECK(lookup(2048, 0.9, clamp) == doctest::Approx(0.6));
  const ShortLengthRule floor{ShortLengthRule::Kind::floor, 0.3};
  CHECK(lookup(1024, 0.9, floor) == doctest::Approx(0.3));
  CHECK(lookup(8192, 0.9, floor) == doctest::Approx(0.4));
  CHECK(lookup(1024, 0.0, floor) == 1.0);
  CHECK(kTrend.describe().find("trend") != std::string::npos);
  CHECK(floor.describe().find("0.3") != std::string::npos);
}

TEST_CASE("a flat or reversed trend gives no extra fall, never more tolerance than the shortest curve") {
  const QualityCurves curves = QualityCurves::load(
      write_temp("reversed.csv", kHeader + "*,high_scope,prefill,16384,0.5,0.9,ESTIMATE,x\n"
                                           "*,high_scope,prefill,16384,0.9,0.7,ESTIMATE,x\n"
                                           "*,high_scope,prefill,65536,0.5,0.8,ESTIMATE,x\n"
                                           "*,high_scope,prefill,65536,0.9,0.5,ESTIMATE,x\n"));
  for (double sparsity = 0.1; sparsity < 1.0; sparsity += 0.1) {
    const double short_value =
        curves.retention("m", TaskFamily::high_scope, CurvePhase::prefill, 2000, sparsity, kTrend).retention;
    const double at_shortest =
        curves.retention("m", TaskFamily::high_scope, CurvePhase::prefill, 16384, sparsity, kTrend).retention;
    CHECK(short_value <= at_shortest + 1e-12);
  }
}

TEST_CASE("shipped prior: short requests are scored more harshly than at 16K") {
  const QualityCurves curves = QualityCurves::load(kShipped);
  for (const double sparsity : {0.8, 0.9, 0.95}) {
    const RetentionLookup at_16k =
        curves.retention("Qwen2.5-7B", TaskFamily::unknown, CurvePhase::prefill, 16384, sparsity, kTrend);
    const RetentionLookup at_4k =
        curves.retention("Qwen2.5-7B", TaskFamily::unknown, CurvePhase::prefill, 4096, sparsity, kTrend);
    CHECK(at_4k.retention <= at_16k.retention);
    CHECK(at_4k.kind == LookupKind::extrapolated);
  }
  CHECK(
      curves.retention("Qwen2.5-7B", TaskFamily::unknown, CurvePhase::prefill, 4096, 0.95, kTrend).retention <
      curves.retention("Qwen2.5-7B", TaskFamily::unknown, CurvePhase::prefill, 16384, 0.95, kTrend)
          .retention);
  // The 16K mixed curves at a 1/20 budget: the phases average the paper's ~0.33 pooled relative error
  // (SF3-1), decode losing less than prefill (the paper's per-phase finding; split 1/3 each way).
  auto mixed = [&](CurvePhase phase, std::int64_t length) {
    return curves.retention("Qwen2.5-7B", TaskFamily::unknown, phase, length, 0.95, kTrend).retention;
  };
  CHECK(mixed(CurvePhase::prefill, 16384) == doctest::Approx(1 - 0.33 * 4 / 3.0).epsilon(1e-3));
  CHECK(mixed(CurvePhase::decode, 16384) == doctest::Approx(1 - 0.33 * 2 / 3.0).epsilon(1e-3));
  for (const std::int64_t length : {16384, 32768, 65536})
    CHECK((mixed(CurvePhase::prefill, length) + mixed(CurvePhase::decode, length)) / 2 ==
          doctest::Approx(1 - std::map<std::int64_t, double>{{16384, 0.33}, {32768, 0.26}, {65536, 0.20}}[length])
              .epsilon(1e-3));
  // Large models get their own multi-query curve; others the (more pessimistic) default: pooled relative
  // errors 0.197 (72B) and 0.494 (7B) at 32K, two thirds of each in decode.
  const double large = curves
                           .retention("qwen2.5-72b", TaskFamily::multi_query_retrieval, CurvePhase::decode,
                                      32768, 0.95, kTrend)
                           .retention;
  const double small =
      curves
          .retention("Qwen2.5-7B", TaskFamily::multi_query_retrieval, CurvePhase::decode, 32768, 0.95, kTrend)
          .retention;
  CHECK(large == doctest::Approx(1 - 0.197 * 2 / 3.0).epsilon(1e-3));
  CHECK(small == doctest::Approx(1 - 0.494 * 2 / 3.0).epsilon(1e-3));
  // Short contexts: Quest's LongBench results put a measured decode single-QA curve at 8K, so a lookup
  // there at 0.8 is exact, at 12K interpolated, and only beyond its last point extrapolated.
  CHECK(curves.retention("Qwen2.5-7B", TaskFamily::single_qa, CurvePhase::decode, 8192, 0.8, kTrend).kind ==
        LookupKind::exact);
  CHECK(curves.retention("Qwen2.5-7B", TaskFamily::single_qa, CurvePhase::decode, 12288, 0.8, kTrend).kind ==
        LookupKind::interpolated);
  CHECK(curves.retention("Qwen2.5-7B", TaskFamily::single_qa, CurvePhase::prefill, 8192, 0.8, kTrend).kind ==
        LookupKind::extrapolated);
}

TEST_CASE("model rows take precedence per task family; phase rows before pooled rows") {
  const QualityCurves curves = QualityCurves::load(
      write_temp("precedence.csv", kHeader + "*,single_qa,both,16384,0.9,0.5,ESTIMATE,x\n"
                                             "Special-Model,single_qa,decode,16384,0.9,0.9,MEASURED,x\n"
                                             "any,mixed,both,16384,0.9,0.4,ESTIMATE,x\n"));
  CHECK(curves.retention("special-model", TaskFamily::single_qa, CurvePhase::decode, 16384, 0.9, kTrend)
            .retention == doctest::Approx(0.9));
  CHECK(curves.retention("special-model", TaskFamily::single_qa, CurvePhase::prefill, 16384, 0.9, kTrend)
            .retention == doctest::Approx(0.5));
  CHECK(curves.retention("other", TaskFamily::single_qa, CurvePhase::decode, 16384, 0.9, kTrend).retention ==
        doctest::Approx(0.5));
  // A family without a curve falls back on "mixed".
  CHECK(curves.retention("other", TaskFamily::high_scope, CurvePhase::decode, 16384, 0.9, kTrend).retention ==
        doctest::Approx(0.4));
}

TEST_CASE("malformed and non-monotone curve files fail naming file:row and the field") {
  auto fails_with = [](const std::string& name, const std::string& body, const std::string& expected) {
    const std::string path = write_temp(name, kHeader + body);
    CHECK_THROWS_WITH_AS(QualityCurves::load(path), doctest::Contains(expected.c_str()), InputError);
  };
  fails_with("rising.csv", "*,mixed,both,16384,0.5,0.8,ESTIMATE,x\n*,mixed,both,16384,0.9,0.85,ESTIMATE,x\n",
             "rising.csv:3: field 'retention': curve rises with sparsity");
  fails_with("rising_order.csv",
             "*,mixed,both,16384,0.9,0.85,ESTIMATE,x\n*,mixed,both,16384,0.5,0.8,ESTIMATE,x\n",
             "rising_order.csv:2: field 'retention'");
  fails_with("zero.csv", "*,mixed,both,16384,0,0.9,ESTIMATE,x\n",
             "zero.csv:2: field 'retention': expected exactly 1");
  fails_with("sparsity.csv", "*,mixed,both,16384,1.2,0.5,ESTIMATE,x\n", "sparsity.csv:2: field 'sparsity'");
  fails_with("text.csv", "*,mixed,both,16384,abc,0.5,ESTIMATE,x\n", "text.csv:2: field 'sparsity'");
  fails_with("retention.csv", "*,mixed,both,16384,0.5,1.5,ESTIMATE,x\n",
             "retention.csv:2: field 'retention'");
  fails_with("length.csv", "*,mixed,both,16k,0.5,0.9,ESTIMATE,x\n", "length.csv:2: field 'seq_len_tokens'");
  fails_with("family.csv", "*,poetry,both,16384,0.5,0.9,ESTIMATE,x\n", "family.csv:2: field 'task_family'");
  fails_with("phase.csv", "*,mixed,train,16384,0.5,0.9,ESTIMATE,x\n", "phase.csv:2: field 'phase'");
  fails_with("status.csv", "*,mixed,both,16384,0.5,0.9,GUESS,x\n", "status.csv:2: field 'value_status'");
  fails_with("fields.csv", "*,mixed,both,16384,0.5\n", "fields.csv:2: expected 8 fields");
  fails_with("duplicate.csv",
             "*,mixed,both,16384,0.5,0.9,ESTIMATE,x\n*,mixed,both,16384,0.5,0.9,ESTIMATE,x\n",
             "duplicate.csv:3: field 'sparsity': duplicate point");
  fails_with("quote.csv", "*,mixed,both,16384,0.5,0.9,ESTIMATE,\"open\n", "quote.csv:2: unterminated quote");
  fails_with("dense_only.csv", "*,mixed,both,16384,0,1,DEFINITION,x\n",
             "at least one point with sparsity > 0");
  fails_with("empty.csv", "", "no curve rows");
  const std::string no_header = write_temp("header.csv", "model,family\n");
  CHECK_THROWS_WITH_AS(QualityCurves::load(no_header), doctest::Contains("header lacks this column"),
                       InputError);
  CHECK_THROWS_WITH_AS(QualityCurves::load("/nonexistent/curves.csv"),
                       doctest::Contains("/nonexistent/curves.csv"), InputError);
}

TEST_CASE("dense accuracy table: lookup order, log-length interpolation, validation") {
  const std::string header = "model,task_family,seq_len_tokens,dense_accuracy,value_status,source\n";
  const DenseAccuracyTable table =
      DenseAccuracyTable::load(write_temp("dense.csv", header + "M,*,4096,0.9,READ_FROM_PAPER,x\n"
                                                                "M,*,16384,0.7,READ_FROM_PAPER,x\n"
                                                                "M,single_qa,4096,0.95,ESTIMATE,x\n"
                                                                "*,*,4096,0.5,ESTIMATE,x\n"));
  REQUIRE(table.find("m", "high_scope"));
  CHECK(table.find("m", "high_scope")->at(8192) == doctest::Approx(0.8));
  CHECK(table.find("m", "high_scope")->at(1000) == doctest::Approx(0.9));
  CHECK(table.find("m", "high_scope")->at(100000) == doctest::Approx(0.7));
  CHECK(table.find("M", "single_qa")->at(8192) == doctest::Approx(0.95));
  CHECK(table.find("other", "single_qa")->at(8192) == doctest::Approx(0.5));
  CHECK_THROWS_WITH_AS(
      DenseAccuracyTable::load(write_temp("dense_bad.csv", header + "M,*,4096,1.2,ESTIMATE,x\n")),
      doctest::Contains("dense_bad.csv:2: field 'dense_accuracy'"), InputError);
  CHECK_THROWS_WITH_AS(DenseAccuracyTable::load(write_temp(
                           "dense_dup.csv", header + "M,*,4096,0.8,ESTIMATE,x\nM,*,4096,0.7,ESTIMATE,x\n")),
                       doctest::Contains("dense_dup.csv:3: field 'seq_len_tokens': duplicate"), InputError);
  // The shipped file covers every shipped model.
  const DenseAccuracyTable shipped =
      DenseAccuracyTable::load(std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/dense_accuracy.csv");
  for (const char* model :
       {"Qwen2.5-7B", "Qwen2.5-14B", "Qwen2.5-32B", "Qwen2.5-72B", "Llama-3.1-8B", "Llama-3.1-70B"})
    CHECK(shipped.find(model, "single_qa") != nullptr);
  CHECK(shipped.find("Llama-3.1-8B", "mixed")->at(16384) == doctest::Approx(0.916));
}

TEST_CASE("below the shortest length a flat family still loses tolerance at the task-averaged rate") {
  // single_qa is flat from 16K to 32K; the mixed curve rises by 0.1 at sparsity 0.9 per doubling.
  const std::string text = kHeader +
                           "*,mixed,both,16384,0.9,0.6,ESTIMATE,x\n"
                           "*,mixed,both,32768,0.9,0.7,ESTIMATE,x\n"
                           "*,single_qa,both,16384,0.9,1.0,ESTIMATE,x\n"
                           "*,single_qa,both,32768,0.9,1.0,ESTIMATE,x\n";
  const QualityCurves curves = QualityCurves::load(write_temp("flat_family.csv", text));
  ShortLengthRule rule;  // trend, with the reference by default
  // Two doublings below 16K: retention falls by 2 x 0.1 at sparsity 0.9.
  const RetentionLookup at_4k =
      curves.retention("any-model", TaskFamily::single_qa, CurvePhase::prefill, 4096, 0.9, rule);
  CHECK(at_4k.retention == doctest::Approx(0.8));
  CHECK(at_4k.kind == LookupKind::extrapolated);
  // At and above the shortest measured length the family's own curve is used unchanged.
  CHECK(
      curves.retention("any-model", TaskFamily::single_qa, CurvePhase::prefill, 16384, 0.9, rule).retention ==
      doctest::Approx(1.0));
  // Without the reference the flat family keeps its 16K tolerance (the family's own trend only).
  rule.reference_trend = false;
  CHECK(
      curves.retention("any-model", TaskFamily::single_qa, CurvePhase::prefill, 4096, 0.9, rule).retention ==
      doctest::Approx(1.0));
  // The mixed curve itself is unaffected by the option.
  ShortLengthRule with_reference;
  CHECK(
      curves.retention("any-model", TaskFamily::unknown, CurvePhase::prefill, 4096, 0.9, with_reference)
          .retention ==
      doctest::Approx(curves.retention("any-model", TaskFamily::unknown, CurvePhase::prefill, 4096, 0.9, rule)
                          .retention));
}

TEST_CASE("shipped dense accuracy: Qwen2.5 rows are the Qwen2.5 report's RULER figures, not proxies") {
  const DenseAccuracyTable table = DenseAccuracyTable::load("data/quality/dense_accuracy.csv");
  // arXiv 2412.15115 Table 16 (YaRN + DCA): 7B falls to 55.1 at 128K, 72B keeps 88.4; the former proxies
  // (Qwen2.5-7B-1M: 84.4, Qwen2-72B: 53.7) had them the other way round.
  CHECK(table.find("Qwen2.5-7B", "*")->at(131072) == doctest::Approx(0.551));
  CHECK(table.find("Qwen2.5-72B", "*")->at(131072) == doctest::Approx(0.884));
  CHECK(table.find("Qwen2.5-32B", "*")->at(65536) == doctest::Approx(0.903));
  CHECK(table.find("Qwen2.5-14B", "*")->at(4096) == doctest::Approx(0.977));
  // The same table's Llama-3.1-70B row equals the RULER README's: the two sources agree.
  CHECK(table.find("Llama-3.1-70B", "*")->at(65536) == doctest::Approx(0.884));
}
