// Text report of an iso-cost study (experiments/isocost_study.h).
#include <cstdio>
#include <map>
#include <sstream>

#include "experiments/isocost_study.h"

namespace sparsesim {
namespace {

std::string length_label(std::int64_t tokens) {
  if (tokens % 1024 == 0) return std::to_string(tokens / 1024) + "K";
  return std::to_string(tokens);
}

std::string sparsity_label(double sparsity) {
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", sparsity);
  return text;
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// "0.00 0.50 0.80" for the frontier points of one model at one (phase, length).
std::string frontier_list(const IsocostResult& result, StudyPhase phase, std::int64_t length,
                          const std::string& model, bool IsocostPoint::*mark) {
  std::string list;
  for (const auto& point : result.points)
    if (point.phase == phase && point.seq_len_tokens == length && point.model == model && point.*mark)
      list += (list.empty() ? "" : " ") + sparsity_label(point.sparsity);
  return list.empty() ? "-" : list;
}

std::string crossing_cell(const IsocostCrossing& crossing) {
  if (crossing.larger_best_sparsity < 0) return "no (none as cheap)";
  char text[64];
  std::snprintf(text, sizeof text, "%s s=%.2f %.3f%s%.3f", crossing.larger_sparse_wins ? "yes" : "no",
                crossing.larger_best_sparsity, crossing.larger_best_quality,
                crossing.larger_sparse_wins ? ">" : "<=", crossing.smaller_dense_quality);
  return text;
}

}  // namespace

std::string format_isocost_report(const IsocostSpec& spec, const IsocostResult& result, bool all_points) {
  std::ostringstream out;
  out << "Iso-cost study " << spec.name << ": " << spec.gpu.name << ", TP" << spec.tensor_parallel
      << ", batch 1, prefill method " << spec.methods.prefill_name << ", decode method "
      << spec.methods.decode_name << ", task family "
      << (spec.task_family == TaskFamily::unknown ? std::string("mixed (task-averaged)")
                                                  : std::string(task_family_name(spec.task_family)))
      << "\n";
  out << "cost (paper accounting): prefill = FLOPs of one forward pass over the prompt, decode = HBM bytes of"
         " one decode step at that context per sequence (decode batch "
      << spec.decode_batch
      << (spec.decode_batch == 1 ? ": the whole weight read per token" : " sharing one weight read")
      << "); sparsity removes attention terms only, selection free\n";
  out << "cost model: " << result.cost_model_description << "\n";
  out << "quality: " << result.quality_description << "\n";
  out << "quality of a point = dense accuracy(model, length) x that phase's retention (other phase "
         "dense)\n\n";

  out << "Sparsities on the cost-quality Pareto frontier, per model (paper accounting / [GPU time] where it"
         " differs)\n";
  out << pad("phase", 9) << pad("length", 8);
  for (const auto& model : spec.models) out << pad(model.name, 28);
  out << "\n";
  for (const StudyPhase phase : {StudyPhase::prefill, StudyPhase::decode})
    for (const auto length : spec.seq_len_tokens) {
      out << pad(study_phase_name(phase), 9) << pad(length_label(length), 8);
      for (const auto& model : spec.models) {
        const auto paper = frontier_list(result, phase, length, model.name, &IsocostPoint::frontier_paper);
        const auto gpu = frontier_list(result, phase, length, model.name, &IsocostPoint::frontier_gpu);
        out << pad(paper == gpu ? paper : paper + " [" + gpu + "]", 28);
      }
      out << "\n";
    }

  out << "\nLarger model sparse vs smaller model dense at no more cost (paper accounting): the larger model's"
         " best quality among sparsities as cheap as the smaller dense one\n";
  out << pad("phase", 9) << pad("larger vs smaller", 30);
  for (const auto length : spec.seq_len_tokens) out << pad(length_label(length), 26);
  out << "crossover\n";
  std::map<std::pair<int, std::string>, std::vector<const IsocostCrossing*>> rows;
  std::vector<std::pair<int, std::string>> order;
  for (const auto& crossing : result.crossings) {
    const auto key =
        std::make_pair(static_cast<int>(crossing.phase), crossing.larger + " vs " + crossing.smaller);
    if (!rows.count(key)) order.push_back(key);
    rows[key].push_back(&crossing);
  }
  for (const auto& key : order) {
    const auto& cells = rows[key];
    out << pad(study_phase_name(static_cast<StudyPhase>(key.first)), 9) << pad(key.second, 30);
    // The crossover is the shortest length from which the larger sparse model wins at every longer one.
    std::string crossover = "never";
    for (std::size_t i = cells.size(); i-- > 0;) {
      if (!cells[i]->larger_sparse_wins) break;
      crossover = "from " + length_label(cells[i]->seq_len_tokens);
    }
    for (const auto* cell : cells) out << pad(crossing_cell(*cell), 26);
    out << crossover << "\n";
  }

  std::size_t extrapolated = 0;
  for (const auto& point : result.points) extrapolated += point.extrapolated ? 1 : 0;
  out << "\n"
      << result.points.size() << " points, " << extrapolated << " with an extrapolated retention lookup\n";

  if (all_points) {
    out << "\n"
        << pad("phase", 9) << pad("length", 8) << pad("model", 14) << pad("sparsity", 10)
        << pad("paper cost", 14) << pad("priced cost", 14) << pad("GPU ms", 10) << pad("retention", 11)
        << pad("quality", 9) << "frontier\n";
    for (const auto& point : result.points) {
      const bool prefill = point.phase == StudyPhase::prefill;
      const double unit = prefill ? 1e12 : 1e9;
      const char* suffix = prefill ? " TFLOP" : " GB";
      char paper[32], priced[32], ms[32], numbers[48];
      std::snprintf(paper, sizeof paper, "%.2f%s", point.paper_cost / unit, suffix);
      std::snprintf(priced, sizeof priced, "%.2f%s", point.priced_cost / unit, suffix);
      std::snprintf(ms, sizeof ms, "%.3f", point.gpu_seconds * 1e3);
      std::snprintf(numbers, sizeof numbers, "%.3f%s", point.retention, point.extrapolated ? "~" : "");
      out << pad(study_phase_name(point.phase), 9) << pad(length_label(point.seq_len_tokens), 8)
          << pad(point.model, 14) << pad(sparsity_label(point.sparsity), 10) << pad(paper, 14)
          << pad(priced, 14) << pad(ms, 10) << pad(numbers, 11);
      std::snprintf(numbers, sizeof numbers, "%.3f", point.quality);
      out << pad(numbers, 9) << (point.frontier_paper ? "paper" : "") << (point.frontier_gpu ? " gpu" : "")
          << "\n";
    }
    out << "(~ = retention extrapolated outside the measured curves)\n";
  }
  return out.str();
}

}  // namespace sparsesim
