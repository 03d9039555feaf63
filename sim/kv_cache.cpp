#include "sim/kv_cache.h"

#include <algorithm>
#include <cassert>

#include "sim/simulation.h"

namespace sparsesim {

std::int64_t kv_capacity_blocks(const GpuSpec& gpu, const ModelConfig& model, int tensor_parallel,
                                const SchedulerConfig& scheduler) {
  const double memory_bytes = static_cast<double>(gpu.memory_bytes) * tensor_parallel;
  const double kv_bytes =
      memory_bytes - model.weight_bytes() - scheduler.activation_reserve_fraction * memory_bytes;
  const double block_bytes = static_cast<double>(model.kv_bytes_per_token()) * scheduler.kv_block_tokens;
  if (kv_bytes <= 0 || block_bytes <= 0) return 0;
  return static_cast<std::int64_t>(kv_bytes / block_bytes);
}

KvCache::KvCache(std::int64_t total_blocks, std::int32_t block_tokens)
    : total_blocks_(total_blocks), block_tokens_(block_tokens) {}

bool KvCache::make_free(std::int64_t blocks) {
  if (blocks <= free_blocks()) return true;
  if (blocks > available_blocks()) return false;
  while (free_blocks() < blocks && lru_head_ >= 0) evict(lru_head_);
  return free_blocks() >= blocks;
}

void KvCache::allocate(std::int64_t blocks) {
  assert(blocks <= free_blocks());
  private_blocks_ += blocks;
}

void KvCache::release(std::int64_t blocks) {
  private_blocks_ -= blocks;
  assert(private_blocks_ >= 0);
}

std::int32_t KvCache::lookup(const std::vector<std::uint64_t>& ids, std::int32_t max_entries) const {
  const std::int32_t limit = std::min<std::int32_t>(max_entries, static_cast<std::int32_t>(ids.size()));
  std::int32_t hits = 0;
  while (hits < limit && index_.count(ids[hits]) != 0) ++hits;
  return hits;
}

std::int32_t KvCache::acquire(const std::vector<std::uint64_t>& ids, std::int32_t from, std::int32_t to,
                              std::int32_t blocks_per_entry, bool insert_missing) {
  std::int32_t acquired = 0;
  for (std::int32_t position = from; position < to; ++position) {
    auto found = index_.find(ids[position]);
    if (found != index_.end()) {
      Entry& entry = entries_[found->second];
      if (entry.references == 0) {
        lru_unlink(found->second);
        referenced_cached_blocks_ += entry.blocks;
      }
      ++entry.references;
      if (insert_missing) private_blocks_ -= blocks_per_entry;  // our own copy is freed
    } else {
      if (!insert_missing) break;
      std::int32_t slot;
      if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
      } else {
        slot = static_cast<std::int32_t>(entries_.size());
        entries_.emplace_back();
      }
      entries_[slot] = Entry{ids[position], 1, blocks_per_entry, -1, -1};
      index_.emplace(ids[position], slot);
      private_blocks_ -= blocks_per_entry;
      cached_blocks_ += blocks_per_entry;
      referenced_cached_blocks_ += blocks_per_entry;
    }
    ++acquired;
  }
  return acquired;
}

void KvCache::release_refs(const std::vector<std::uint64_t>& ids, std::int32_t count) {
  for (std::int32_t position = count - 1; position >= 0; --position) {
    auto found = index_.find(ids[position]);
    assert(found != index_.end());
    Entry& entry = entries_[found->second];
    if (--entry.references == 0) {
      referenced_cached_blocks_ -= entry.blocks;
      lru_push_back(found->second);
    }
  }
}

void KvCache::lru_push_back(std::int32_t slot) {
  Entry& entry = entries_[slot];
  entry.lru_prev = lru_tail_;
  entry.lru_next = -1;
  if (lru_tail_ >= 0) entries_[lru_tail_].lru_next = slot;
  lru_tail_ = slot;
  if (lru_head_ < 0) lru_head_ = slot;
}

void KvCache::lru_unlink(std::int32_t slot) {
  Entry& entry = entries_[slot];
  if (entry.lru_prev >= 0)
    entries_[entry.lru_prev].lru_next = entry.lru_next;
  else
    lru_head_ = entry.lru_next;
  if (entry.lru_next >= 0)
    entries_[entry.lru_next].lru_prev = entry.lru_prev;
  else
    lru_tail_ = entry.lru_prev;
  entry.lru_prev = entry.lru_next = -1;
}

void KvCache::evict(std::int32_t slot) {
  lru_unlink(slot);
  Entry& entry = entries_[slot];
  cached_blocks_ -= entry.blocks;
  index_.erase(entry.id);
  free_slots_.push_back(slot);
}

}  // namespace sparsesim
