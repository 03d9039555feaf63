// The tournament tree of outstanding tokens against the scan it replaces (least_outstanding_by_scan),
// through random changes, ties included, at replica counts that are and are not powers of two.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "sim/outstanding_tree.h"
#include "sim/router.h"

using namespace sparsesim;

namespace {

class VectorView final : public ClusterView {
 public:
  explicit VectorView(std::vector<std::int64_t>& tokens) : tokens_(tokens) {}
  int replicas() const override { return static_cast<int>(tokens_.size()); }
  std::int64_t outstanding_tokens(int replica) const override {
    return tokens_[static_cast<std::size_t>(replica)];
  }
  std::int64_t cached_prefix_tokens(int, const Request&) const override { return 0; }

 private:
  std::vector<std::int64_t>& tokens_;
};

}  // namespace

TEST_CASE("outstanding tree: the least-loaded replica, lowest index on ties, equals the scan") {
  std::mt19937_64 rng(21);
  for (int replicas : {1, 2, 3, 7, 8, 40, 400}) {
    std::vector<std::int64_t> tokens(static_cast<std::size_t>(replicas), 0);
    const VectorView view(tokens);
    OutstandingTree tree(replicas);
    CHECK(tree.least() == 0);  // all equal at the start: the lowest index
    for (int change = 0; change < 5000; ++change) {
      const int replica = static_cast<int>(rng() % static_cast<std::uint64_t>(replicas));
      // Few distinct values, so ties are common.
      tokens[static_cast<std::size_t>(replica)] = static_cast<std::int64_t>(rng() % 6) * 1000;
      tree.set(replica, tokens[static_cast<std::size_t>(replica)]);
      REQUIRE(tree.least() == least_outstanding_by_scan(view));
    }
  }
}
