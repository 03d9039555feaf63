#include "sim/outstanding_tree.h"

#include <limits>
#include <stdexcept>

namespace sparsesim {

OutstandingTree::OutstandingTree(int replicas) {
  if (replicas < 1) throw std::logic_error("OutstandingTree: at least one replica");
  while (leaves_ < replicas) leaves_ *= 2;
  tokens_.assign(static_cast<std::size_t>(leaves_), std::numeric_limits<std::int64_t>::max());
  winner_.assign(static_cast<std::size_t>(2 * leaves_), 0);
  for (int leaf = 0; leaf < leaves_; ++leaf) winner_[static_cast<std::size_t>(leaves_ + leaf)] = leaf;
  for (int replica = 0; replica < replicas; ++replica) tokens_[static_cast<std::size_t>(replica)] = 0;
  for (int node = leaves_ - 1; node >= 1; --node) {
    const int left = winner_[static_cast<std::size_t>(2 * node)];
    const int right = winner_[static_cast<std::size_t>(2 * node + 1)];
    winner_[static_cast<std::size_t>(node)] =
        tokens_[static_cast<std::size_t>(right)] < tokens_[static_cast<std::size_t>(left)] ? right : left;
  }
}

void OutstandingTree::set(int replica, std::int64_t outstanding_tokens) {
  tokens_[static_cast<std::size_t>(replica)] = outstanding_tokens;
  // Left subtrees hold the lower indices, so the left winner is kept on ties.
  for (int node = (leaves_ + replica) / 2; node >= 1; node /= 2) {
    const int left = winner_[static_cast<std::size_t>(2 * node)];
    const int right = winner_[static_cast<std::size_t>(2 * node + 1)];
    winner_[static_cast<std::size_t>(node)] =
        tokens_[static_cast<std::size_t>(right)] < tokens_[static_cast<std::size_t>(left)] ? right : left;
  }
}

}  // namespace sparsesim
