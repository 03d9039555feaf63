#include <doctest/doctest.h>

#include "sim/kv_cache.h"
#include "sim/simulation.h"

using namespace sparsesim;

TEST_CASE("KV capacity: TP x memory minus weights and activation reserve, in blocks") {
  GpuSpec gpu;
  gpu.memory_bytes = 80'000'000'000;
  ModelConfig model;
  model.layers = 28;
  model.kv_heads = 4;
  model.head_dim = 128;
  model.parameters = 7.6e9;
  SchedulerConfig scheduler;  // 16-token blocks, 10% reserve
  // kv bytes per token = 2 x 28 x 4 x 128 x 2 = 57344; block = 917504 bytes.
  const double expected_one = (80e9 - 15.2e9 - 8e9) / 917504.0;
  CHECK(kv_capacity_blocks(gpu, model, 1, scheduler) == static_cast<std::int64_t>(expected_one));
  const double expected_two = (160e9 - 15.2e9 - 16e9) / 917504.0;
  CHECK(kv_capacity_blocks(gpu, model, 2, scheduler) == static_cast<std::int64_t>(expected_two));
  model.parameters = 1e12;  // weights do not fit
  CHECK(kv_capacity_blocks(gpu, model, 1, scheduler) == 0);
}

TEST_CASE("prefix cache: shared entries, LRU eviction of idle entries from the chain's tail") {
  KvCache cache(10, 16);
  const std::vector<std::uint64_t> chain = {11, 12, 13};
  // A request computed 3 prefix blocks of 2 KV blocks each, then hands them to the cache.
  REQUIRE(cache.make_free(6));
  cache.allocate(6);
  CHECK(cache.acquire(chain, 0, 3, 2, true) == 3);
  CHECK(cache.free_blocks() == 4);
  CHECK(cache.used_blocks() == 6);
  CHECK(cache.lookup(chain, 3) == 3);
  // A second request shares the first two entries.
  CHECK(cache.acquire(chain, 0, 2, 2, false) == 2);
  cache.release_refs(chain, 3);  // the first request ends: entry 13 is idle
  CHECK(cache.used_blocks() == 4);
  CHECK(cache.available_blocks() == 6);
  // Needing 6 free blocks evicts only the idle tail entry.
  CHECK(cache.make_free(6));
  CHECK(cache.lookup(chain, 3) == 2);
  CHECK_FALSE(cache.make_free(7));  // 4 blocks still referenced
  cache.release_refs(chain, 2);
  CHECK(cache.make_free(8));  // evicts entry 12 (the tail) first
  CHECK(cache.lookup(chain, 3) == 1);
  CHECK(cache.make_free(10));
  CHECK(cache.lookup(chain, 3) == 0);
  CHECK(cache.cache_entries() == 0);
}
