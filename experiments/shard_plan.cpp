#include "experiments/shard_plan.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "core/input_error.h"

namespace sparsesim {
namespace {

bool parse_int(const std::string& text, long long& value) {
  if (text.empty() || text.size() > 12) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  value = std::stoll(text);
  return true;
}

ShardSelector make_selector(const std::string& index_text, const std::string& count_text,
                            const std::string& source) {
  long long index = 0, count = 0;
  if (!parse_int(index_text, index) || !parse_int(count_text, count) || count < 1 || count > 100000 ||
      index >= count)
    throw InputError(source +
                     ": expected I/N with 0 <= I < N <= 100000 (shard I of N, counted from 0), got '" +
                     index_text + "/" + count_text + "'");
  return {static_cast<int>(index), static_cast<int>(count), source};
}

}  // namespace

ShardSelector parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw InputError("--shard: expected I/N with 0 <= I < N (shard I of N, counted from 0), got '" + text +
                     "'");
  return make_selector(text.substr(0, slash), text.substr(slash + 1), "--shard");
}

bool shard_from_slurm_environment(ShardSelector& shard) {
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
  if (!id || !count) return false;
  shard = make_selector(id, count, "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT");
  return true;
}

std::vector<int> assign_shards(const std::vector<double>& point_costs, int shard_count) {
  std::vector<std::size_t> order(point_costs.size());
  std::iota(order.begin(), order.end(), 0);
  // Costliest first; equal costs keep point order, so the plan is the same on every task.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return point_costs[a] > point_costs[b]; });
  std::vector<double> load(static_cast<std::size_t>(shard_count), 0.0);
  std::vector<int> shard_of(point_costs.size(), 0);
  for (std::size_t point : order) {
    const auto lightest = std::min_element(load.begin(), load.end()) - load.begin();
    shard_of[point] = static_cast<int>(lightest);
    load[static_cast<std::size_t>(lightest)] += point_costs[point];
  }
  return shard_of;
}

}  // namespace sparsesim
