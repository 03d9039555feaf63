#pragma once
// Internal to sim/: the replica with the fewest outstanding tokens, lowest index on ties, kept by a
// tournament tree so that routing an arrival is O(1) and a replica's change O(log replicas) (a scan of
// every replica per arrival was the largest cost of the 400-replica runs).
#include <cstdint>
#include <vector>

namespace sparsesim {

class OutstandingTree {
 public:
  explicit OutstandingTree(int replicas);
  void set(int replica, std::int64_t outstanding_tokens);
  // The replica with the fewest outstanding tokens; the lowest index among equals.
  int least() const { return winner_[1]; }

 private:
  int leaves_ = 1;                    // a power of two >= replicas
  std::vector<std::int64_t> tokens_;  // per leaf; padding leaves hold the largest value
  std::vector<int> winner_;           // per node (1 = root, leaves at leaves_ + i): the subtree's least
};

}  // namespace sparsesim
