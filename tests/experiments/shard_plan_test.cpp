// Shards split a sweep's points by estimated cost, the same way on every task.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "core/input_error.h"
#include "experiments/shard_plan.h"

using namespace sparsesim;

TEST_CASE("shards are balanced by cost, not by count, and every point lands in exactly one") {
  // One point as costly as the other nine together: by count it would share a shard with four others.
  std::vector<double> costs = {9, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const std::vector<int> shard_of = assign_shards(costs, 2);
  REQUIRE(shard_of.size() == costs.size());
  double load[2] = {0, 0};
  for (std::size_t i = 0; i < costs.size(); ++i) load[shard_of[i]] += costs[i];
  CHECK(load[0] == 9);
  CHECK(load[1] == 9);
  CHECK(std::count(shard_of.begin(), shard_of.end(), shard_of[0]) == 1);  // the big point runs alone
  CHECK(assign_shards(costs, 2) == shard_of);                             // the same plan every time
  // Longest-processing-time bound: no shard exceeds the mean load plus the costliest point.
  std::vector<double> mixed;
  for (int i = 0; i < 97; ++i) mixed.push_back(1 + (i * 37) % 11);
  const std::vector<int> split = assign_shards(mixed, 4);
  std::vector<double> loads(4, 0);
  for (std::size_t i = 0; i < mixed.size(); ++i) loads[split[i]] += mixed[i];
  const double total = std::accumulate(mixed.begin(), mixed.end(), 0.0);
  for (double shard_load : loads) CHECK(shard_load <= total / 4 + 11);
  // More shards than points: the extra shards are empty, not duplicates.
  const std::vector<int> sparse = assign_shards({1, 1}, 4);
  CHECK(sparse[0] != sparse[1]);
}

TEST_CASE("a shard selector is I/N counted from 0; anything else is an input error") {
  const ShardSelector shard = parse_shard("2/4");
  CHECK(shard.index == 2);
  CHECK(shard.count == 4);
  for (const char* bad : {"4/4", "-1/4", "1", "1/0", "a/b", "1/4/2", "", "1/1000001"})
    CHECK_THROWS_AS(parse_shard(bad), InputError);
  setenv("SLURM_ARRAY_TASK_ID", "3", 1);
  setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
  ShardSelector from_env;
  CHECK(shard_from_slurm_environment(from_env));
  CHECK(from_env.index == 3);
  setenv("SLURM_ARRAY_TASK_ID", "4", 1);
  CHECK_THROWS_AS(shard_from_slurm_environment(from_env), InputError);
  unsetenv("SLURM_ARRAY_TASK_ID");
  unsetenv("SLURM_ARRAY_TASK_COUNT");
  CHECK_FALSE(shard_from_slurm_environment(from_env));
}
