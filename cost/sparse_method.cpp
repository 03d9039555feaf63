#include "cost/sparse_method.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "core/input_error.h"
#include "core/yaml_file.h"

namespace sparsesim {

SparseAttentionTime SparseMethod::prefill_chunk(const PrefillChunkWork&, const AttentionShape&,
                                                const AttentionRates&) const {
  throw std::logic_error("prefill_chunk called on a decode method");
}

SparseAttentionTime SparseMethod::decode_step(const DecodeStepWork&, const AttentionShape&,
                                              const AttentionRates&) const {
  throw std::logic_error("decode_step called on a prefill method");
}

bool SparseMethod::decode_run_terms(std::int64_t, std::int64_t, std::int64_t, const AttentionShape&,
                                    const AttentionRates&, DecodeItemTerms&) const {
  return false;
}

std::string sparse_method_coefficients_path() {
  if (const char* override_path = std::getenv("SPARSESIM_SPARSE_METHODS"); override_path && *override_path)
    return override_path;
  return (std::filesystem::path(SPARSESIM_SOURCE_DIR) / "data" / "sparse_methods.yaml").string();
}

namespace {

std::string coefficients_path() {
  return sparse_method_coefficients_path();
}

// The file is read once per process; it is small and methods are built once per run. Callers hold
// coefficients_mutex() while they read the document (yaml-cpp nodes are not safe to share across threads).
std::mutex& coefficients_mutex() {
  static std::mutex mutex;
  return mutex;
}

const YAML::Node& coefficients_file(const std::string& path) {
  static std::string loaded_path;
  static YAML::Node document;
  if (loaded_path != path) {
    document = load_yaml_file(path);
    loaded_path = path;
  }
  return document;
}

const std::vector<std::string> kStatuses = {"READ_FROM_PAPER", "APPROX_FROM_PAPER", "DERIVED", "ESTIMATE",
                                            "MEASURED"};

std::shared_ptr<const SparseMethod> build_method(const YAML::Node& node, const std::string& yaml_path,
                                                 const char* default_name, SparsePhase phase) {
  std::string name = default_name;
  YAML::Node parameters;
  if (node && node.IsScalar()) {
    name = node.Scalar();
  } else if (node && node.IsMap()) {
    if (!node["impl"] || !node["impl"].IsScalar())
      throw InputError(yaml_path + " (" + yaml_location(node) + "): expected a method name or {impl: NAME}");
    name = node["impl"].Scalar();
    parameters = node;
  } else if (node && !node.IsNull()) {
    throw InputError(yaml_path + " (" + yaml_location(node) + "): expected a method name or {impl: NAME}");
  }
  const auto& entry = SparseMethodRegistry::instance().get_for_input(name, yaml_path);
  const Params params(parameters, yaml_path, entry.params);
  std::shared_ptr<const SparseMethod> method = entry.factory(params);
  if (method->phase() != phase)
    throw InputError(yaml_path + ": '" + name + "' is a " +
                     (method->phase() == SparsePhase::prefill ? "prefill" : "decode") +
                     " method, expected a " + (phase == SparsePhase::prefill ? "prefill" : "decode") +
                     " one");
  return method;
}

}  // namespace

SparseMethods make_sparse_methods(const YAML::Node& node, const std::string& yaml_path) {
  YAML::Node prefill, decode;
  if (node && !node.IsNull()) {
    if (!node.IsMap())
      throw InputError(yaml_path + " (" + yaml_location(node) + "): expected {prefill: NAME, decode: NAME}");
    for (const auto& item : node) {
      const std::string key = item.first.Scalar();
      if (key == "prefill")
        prefill = item.second;
      else if (key == "decode")
        decode = item.second;
      else
        throw InputError(yaml_path + "." + key + " (" + yaml_location(item.first) +
                         "): unknown key (expected prefill, decode)");
    }
  }
  SparseMethods methods;
  methods.prefill =
      build_method(prefill, yaml_path + ".prefill", kDefaultPrefillMethod, SparsePhase::prefill);
  methods.decode = build_method(decode, yaml_path + ".decode", kDefaultDecodeMethod, SparsePhase::decode);
  methods.prefill_name = prefill && prefill.IsScalar() ? prefill.Scalar()
                         : prefill && prefill.IsMap()  ? prefill["impl"].Scalar()
                                                       : kDefaultPrefillMethod;
  methods.decode_name = decode && decode.IsScalar() ? decode.Scalar()
                        : decode && decode.IsMap()  ? decode["impl"].Scalar()
                                                    : kDefaultDecodeMethod;
  return methods;
}

MethodCoefficient sparse_method_coefficient(const std::string& method, const std::string& name, double min,
                                            double max) {
  const std::string path = coefficients_path();
  std::lock_guard<std::mutex> lock(coefficients_mutex());
  const YAML::Node& document = coefficients_file(path);
  const YAML::Node section = document[method];
  if (!section || !section.IsMap())
    throw InputError(path + ": no section for sparse method '" + method + "'");
  const YAML::Node entry = section[name];
  if (!entry || !entry.IsMap() || !entry["value"] || !entry["value_status"] || !entry["source"])
    throw InputError(path + ": " + method + "." + name + " (" + yaml_location(section) +
                     "): expected {value, value_status, source}");
  MethodCoefficient coefficient;
  coefficient.name = name;
  try {
    coefficient.value = entry["value"].as<double>();
  } catch (const YAML::Exception&) {
    throw InputError(path + ": " + method + "." + name + ".value (" + yaml_location(entry["value"]) +
                     "): expected a number");
  }
  if (!(std::isfinite(coefficient.value) && coefficient.value >= min && coefficient.value <= max))
    throw InputError(path + ": " + method + "." + name + ".value (" + yaml_location(entry["value"]) +
                     "): expected a number in [" + std::to_string(min) + ", " + std::to_string(max) +
                     "], got " + entry["value"].Scalar());
  coefficient.value_status = entry["value_status"].Scalar();
  bool known = false;
  for (const auto& status : kStatuses) known = known || status == coefficient.value_status;
  if (!known)
    throw InputError(path + ": " + method + "." + name + ".value_status (" +
                     yaml_location(entry["value_status"]) +
                     "): expected READ_FROM_PAPER, APPROX_FROM_PAPER, DERIVED, ESTIMATE or MEASURED");
  coefficient.source = entry["source"].Scalar();
  return coefficient;
}

}  // namespace sparsesim
