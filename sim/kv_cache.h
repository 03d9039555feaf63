#pragma once
// Paged KV-cache memory of one replica, counted in blocks of `block_tokens` tokens, plus an optional
// prefix cache over the trace's prefix block ids (Request::prefix_block_ids).
//
// Accounting is by counts only (no per-block objects), so the hot path never allocates:
//   total = free + private + cached
// where `private` blocks belong to one running request each, and `cached` blocks belong to prefix-cache
// entries. A prefix-cache entry covers one prefix block id (`blocks_per_entry` KV blocks), is shared by every
// request that references it (refcount), and when no request references it is kept on an LRU list and
// evicted on demand: idle cached blocks are reclaimable memory, so they never block admission.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/hardware.h"

namespace sparsesim {

struct SchedulerConfig;

// KV blocks one replica holds. Weights and KV are split evenly over the tensor-parallel ranks, so the
// replica-wide budget is: tensor_parallel x GPU memory - weights - activation_reserve_fraction x
// tensor_parallel x GPU memory, divided by the bytes of one block (kv_bytes_per_token x kv_block_tokens,
// all ranks together). Returns 0 (never negative) when the weights do not fit.
std::int64_t kv_capacity_blocks(const GpuSpec& gpu, const ModelConfig& model, int tensor_parallel,
                                const SchedulerConfig& scheduler);

class KvCache {
 public:
  // blocks_per_entry: KV blocks covered by one prefix block id (prefix_block_tokens / block_tokens).
  KvCache(std::int64_t total_blocks, std::int32_t block_tokens);

  std::int64_t total_blocks() const { return total_blocks_; }
  std::int32_t block_tokens() const { return block_tokens_; }
  std::int64_t blocks_for_tokens(std::int64_t tokens) const {
    return (tokens + block_tokens_ - 1) / block_tokens_;
  }
  std::int64_t free_blocks() const { return total_blocks_ - private_blocks_ - cached_blocks_; }
  // Blocks referenced by running requests (private + cached entries with a reference): the KV footprint.
  std::int64_t used_blocks() const { return private_blocks_ + referenced_cached_blocks_; }
  // Free plus idle cached blocks: what could be made free by evicting the prefix cache.
  std::int64_t available_blocks() const { return free_blocks() + cached_blocks_ - referenced_cached_blocks_; }

  // Makes `blocks` free blocks, evicting idle prefix-cache entries (least recently used first) if needed.
  // Returns false, evicting nothing more than needed, when even an empty cache would not suffice.
  bool make_free(std::int64_t blocks);
  // Private blocks; allocate requires free_blocks() >= blocks (call make_free first).
  void allocate(std::int64_t blocks);
  void release(std::int64_t blocks);

  // ---- prefix cache (block granularity over prefix block ids) ----
  // Number of leading ids of `ids[0, max_entries)` present in the cache; no side effects (for routers).
  std::int32_t lookup(const std::vector<std::uint64_t>& ids, std::int32_t max_entries) const;
  // References ids[from, to): ids present gain a reference (the request's own blocks for them are freed,
  // deduplicating), ids absent become new entries built from `blocks_per_entry` of the caller's private
  // blocks. In both cases the caller's private count drops by blocks_per_entry per id.
  // Returns the number of leading ids referenced from `from` on: acquiring stops at the first id absent
  // when `insert_missing` is false (a lookup at admission), else covers [from, to).
  std::int32_t acquire(const std::vector<std::uint64_t>& ids, std::int32_t from, std::int32_t to,
                       std::int32_t blocks_per_entry, bool insert_missing);
  // Drops one reference on each of ids[0, count); entries left unreferenced join the LRU list, the
  // deepest block first so that chains are evicted from their tail.
  void release_refs(const std::vector<std::uint64_t>& ids, std::int32_t count);

  std::int64_t cached_blocks() const { return cached_blocks_; }
  std::int64_t cache_entries() const { return static_cast<std::int64_t>(index_.size()); }

 private:
  struct Entry {
    std::uint64_t id = 0;
    std::int32_t references = 0;
    std::int32_t blocks = 0;
    std::int32_t lru_prev = -1, lru_next = -1;  // on the LRU list only while references == 0
  };
  void lru_push_back(std::int32_t slot);
  void lru_unlink(std::int32_t slot);
  void evict(std::int32_t slot);

  std::int64_t total_blocks_;
  std::int32_t block_tokens_;
  std::int64_t private_blocks_ = 0;
  std::int64_t cached_blocks_ = 0;
  std::int64_t referenced_cached_blocks_ = 0;

  std::unordered_map<std::uint64_t, std::int32_t> index_;  // prefix block id -> slot in entries_
  std::vector<Entry> entries_;
  std::vector<std::int32_t> free_slots_;
  std::int32_t lru_head_ = -1, lru_tail_ = -1;  // head: evicted first
};

}  // namespace sparsesim
