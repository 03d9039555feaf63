// round_robin: replicas in turn, 0, 1, ..., N-1, 0, ... regardless of load.
#include "sim/router.h"

namespace sparsesim {
namespace {

class RoundRobinRouter final : public Router {
 public:
  int route(const Request&, const ClusterView& view) override {
    const int replica = next_ % view.replicas();
    next_ = replica + 1;
    return replica;
  }

 private:
  int next_ = 0;
};

const bool registered =
    RouterRegistry::instance().add({"round_robin", "replicas in turn, ignoring load", {}, [](const Params&) {
                                      return std::make_unique<RoundRobinRouter>();
                                    }});

}  // namespace
}  // namespace sparsesim
