// prefix_affinity: send a request to the replica whose prefix cache holds the longest leading part of its
// prompt, unless that replica is overloaded compared with the least-loaded one (more than
// max_imbalance_tokens more outstanding tokens); otherwise, and when no replica holds any of the prefix,
// fall back to least outstanding tokens. Ties go to the lowest replica index.
#include <algorithm>

#include "sim/router.h"

namespace sparsesim {
namespace {

class PrefixAffinityRouter final : public Router {
 public:
  explicit PrefixAffinityRouter(std::int64_t max_imbalance_tokens)
      : max_imbalance_tokens_(max_imbalance_tokens) {}

  bool reads_prefix_cache() const override { return true; }
  int route(const Request& request, const ClusterView& view) override {
    const int least_loaded = least_outstanding_replica(view);
    int best = -1;
    std::int64_t best_cached_tokens = 0;
    for (int replica = 0; replica < view.replicas(); ++replica) {
      const std::int64_t cached_tokens = view.cached_prefix_tokens(replica, request);
      if (cached_tokens > best_cached_tokens) {
        best = replica;
        best_cached_tokens = cached_tokens;
      }
    }
    if (best < 0) return least_loaded;
    const std::int64_t imbalance = view.outstanding_tokens(best) - view.outstanding_tokens(least_loaded);
    return imbalance > max_imbalance_tokens_ ? least_loaded : best;
  }

 private:
  std::int64_t max_imbalance_tokens_;
};

const bool registered = RouterRegistry::instance().add(
    {"prefix_affinity",
     "the replica caching the longest prefix of the prompt, unless it is overloaded; else least outstanding",
     {{"max_imbalance_tokens", "32768",
       "largest excess of outstanding tokens over the least-loaded replica accepted for a prefix hit"}},
     [](const Params& params) {
       return std::make_unique<PrefixAffinityRouter>(
           std::max<std::int64_t>(0, params.get_int("max_imbalance_tokens")));
     }});

}  // namespace
}  // namespace sparsesim
