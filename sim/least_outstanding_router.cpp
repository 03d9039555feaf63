// least_outstanding_tokens: the replica with the fewest unfinished tokens (input + output of the requests
// routed to it and not yet finished), lowest index on ties.
#include "sim/router.h"

namespace sparsesim {
namespace {

class LeastOutstandingRouter final : public Router {
 public:
  int route(const Request&, const ClusterView& view) override { return least_outstanding_replica(view); }
};

const bool registered = RouterRegistry::instance().add(
    {"least_outstanding_tokens",
     "the replica with the fewest unfinished input + output tokens",
     {},
     [](const Params&) { return std::make_unique<LeastOutstandingRouter>(); }});

}  // namespace
}  // namespace sparsesim
