// `cost_model: {impl: vidur, mlp: .../mlp.csv, all_reduce: .../all_reduce.csv}`: the roofline with its
// non-attention layer terms replaced by a measured Vidur profile (cost/vidur_profile.h). Vidur's
// attention.csv is not read: attention (dense and sparse, with the cluster's methods), the LM head and the
// engine's CPU work stay priced by the roofline, and describe() says so. The roofline's own parameters
// are accepted too.
#include <memory>

#include "core/input_error.h"
#include "cost/roofline_cost_model.h"
#include "cost/vidur_profile.h"

namespace sparsesim {
namespace {

constexpr const char* kNoAllReduce = "none";

std::vector<ParamSpec> vidur_param_specs() {
  std::vector<ParamSpec> specs = {
      {"mlp", "", "path to a Vidur mlp.csv (compute/<gpu>/<model>/mlp.csv) holding this model's shape"},
      {"all_reduce", kNoAllReduce,
       "path to a Vidur all_reduce.csv (network/<topology>/all_reduce.csv); required when tensor_parallel > "
       "1"}};
  for (auto& spec : roofline_param_specs()) specs.push_back(spec);
  return specs;
}

const bool registered = CostModelRegistry::instance().add(
    {"vidur",
     "measured Vidur operator profile (mlp.csv, all_reduce.csv) for the linear layers and TP all-reduces; "
     "the roofline for attention, LM head and CPU work",
     vidur_param_specs(),
     [](const Params& params, const CostModelContext& context) -> std::unique_ptr<CostModel> {
       const std::string all_reduce = params.get_string("all_reduce");
       const auto profile = std::make_shared<VidurLayerProfile>(
           params.get_string("mlp"), all_reduce == kNoAllReduce ? std::string() : all_reduce, context.model,
           context.tensor_parallel);
       auto model =
           std::make_unique<RooflineCostModel>(context, roofline_efficiencies_from(params, context.gpu));
       model->replace_layer_terms([profile](double tokens) { return profile->seconds(tokens); },
                                  "vidur: measured layers from " + profile->describe());
       return model;
     }});

}  // namespace
}  // namespace sparsesim
