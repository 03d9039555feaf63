#include "sim/router.h"

#include <stdexcept>

#include "core/input_error.h"

namespace sparsesim {

std::unique_ptr<Router> make_router(const std::string& name) {
  const auto& entry = RouterRegistry::instance().get_for_input(name, "cluster.router");
  return entry.factory(Params(YAML::Node(), "cluster.router", entry.params));
}

int ClusterView::least_outstanding() const {
  return least_outstanding_by_scan(*this);
}

int least_outstanding_replica(const ClusterView& view) {
  return view.least_outstanding();
}

int least_outstanding_by_scan(const ClusterView& view) {
  int best = 0;
  std::int64_t best_tokens = view.outstanding_tokens(0);
  for (int replica = 1; replica < view.replicas(); ++replica) {
    const std::int64_t tokens = view.outstanding_tokens(replica);
    if (tokens < best_tokens) {
      best = replica;
      best_tokens = tokens;
    }
  }
  return best;
}

}  // namespace sparsesim
