#pragma once
// Routers pick the replica for each arriving request. Each router lives in its own .cpp file in sim/ and
// registers itself by name; ClusterConfig::router names one. A router is created per simulation run, so
// it may keep state (a round-robin cursor). Ties are always broken by the lowest replica index, so routing
// is deterministic.
#include <cstdint>
#include <memory>
#include <string>

#include "core/registry.h"
#include "workloads/request.h"

namespace sparsesim {

// What a router may observe about the cluster when a request arrives.
class ClusterView {
 public:
  virtual ~ClusterView() = default;
  virtual int replicas() const = 0;
  // Input + output tokens of the requests routed to `replica` and not yet finished.
  virtual std::int64_t outstanding_tokens(int replica) const = 0;
  // Tokens of `request`'s prompt that `replica`'s prefix cache holds now (0 without prefix caching).
  virtual std::int64_t cached_prefix_tokens(int replica, const Request& request) const = 0;
  // The replica with the fewest outstanding tokens, lowest index on ties. The default scans every
  // replica; the simulator keeps it in a tree instead (sim/outstanding_tree.h).
  virtual int least_outstanding() const;
};

class Router {
 public:
  virtual ~Router() = default;
  // Returns a replica index in [0, view.replicas()).
  virtual int route(const Request& request, const ClusterView& view) = 0;
  // Whether route() reads ClusterView::cached_prefix_tokens. A decode run evicts idle prefix-cache entries
  // only when it ends (sim/replica.h), so with such a router runs stop where a block needs an eviction:
  // the router must see the cache step by step would have.
  virtual bool reads_prefix_cache() const { return false; }
};

using RouterRegistry = Registry<Router, const Params&>;

// Builds a registered router by name with default parameters; throws InputError naming the known ones.
std::unique_ptr<Router> make_router(const std::string& name);

// The replica with the fewest outstanding tokens, lowest index on ties (shared by several routers):
// view.least_outstanding().
int least_outstanding_replica(const ClusterView& view);
// The same by scanning every replica's outstanding_tokens (the default, and the tree's reference).
int least_outstanding_by_scan(const ClusterView& view);

}  // namespace sparsesim
