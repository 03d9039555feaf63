// Loading GPU specs and model configs from the YAML files in data/gpus and data/models.
// Every numeric key is required (each carries a source in the file); a missing key, a non-number, a
// non-positive value, a value above its plausible bound (e.g. launch_floor_us <= 1000, peak FLOP/s
// <= 1e17, context_tokens <= 1e9; the bounds are in parse_gpu and parse_model), a key given twice or an
// unknown key is an InputError naming the file, the line and the key.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/hardware.h"
#include "core/input_error.h"
#include "core/yaml_file.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string format_bound(double bound) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", bound);
  return text;
}

std::int64_t line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// Reads one YAML document as a map and checks keys against the declared ones.
class SpecFile {
 public:
  SpecFile(const std::string& path, const std::vector<std::string>& known_keys) : path_(path) {
    root_ = load_yaml_file(path);  // a directory, a syntax error or a repeated key is an InputError
    if (!root_.IsMap()) throw InputError(path, line_of(root_), "", "expected a YAML map of keys");
    for (const auto& item : root_) {
      const auto key = item.first.as<std::string>();
      if (key == "sources" || key == "notes") continue;  // provenance text, not read by the simulator
      if (std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
        std::string names;
        for (const auto& k : known_keys) names += (names.empty() ? "" : ", ") + k;
        throw InputError(path, line_of(item.first), key,
                         "unknown key; expected one of: " + names + ", sources");
      }
    }
  }

  std::string get_string(const std::string& key) const {
    const YAML::Node value = required(key);
    if (!value.IsScalar() || value.Scalar().empty())
      throw InputError(path_, line_of(value), key, "expected a non-empty string");
    return value.Scalar();
  }

  // A positive number; `upper` bounds it (inclusive) when finite.
  double get_positive(const std::string& key, double upper = std::numeric_limits<double>::infinity()) const {
    const YAML::Node value = required(key);
    double number = 0;
    bool parsed = value.IsScalar();
    if (parsed) {
      try {
        number = value.as<double>();
      } catch (const YAML::Exception&) {
        parsed = false;
      }
    }
    const std::string shown = value.IsScalar() ? value.Scalar() : std::string("a non-scalar");
    if (!parsed || !std::isfinite(number))
      throw InputError(path_, line_of(value), key, "expected a positive number, got '" + shown + "'");
    if (!(number > 0))
      throw InputError(path_, line_of(value), key, "expected a positive number, got " + shown);
    if (number > upper)
      throw InputError(path_, line_of(value), key,
                       "expected a number in (0, " + format_bound(upper) + "], got " + shown);
    return number;
  }

  // A positive integer, written plainly or in exponent form ("80e9") as long as it is integral.
  std::int64_t get_positive_integer(const std::string& key, double upper = 9.0e18) const {
    const double number = get_positive(key, upper);
    if (number != std::floor(number))
      throw InputError(path_, line_of(root_[key]), key,
                       "expected a positive integer, got " + root_[key].Scalar());
    return static_cast<std::int64_t>(number);
  }

  double get_positive_or(const std::string& key, double fallback, double upper) const {
    return root_[key] ? get_positive(key, upper) : fallback;
  }

  std::int64_t get_positive_integer_or(const std::string& key, std::int64_t fallback, double upper) const {
    return root_[key] ? get_positive_integer(key, upper) : fallback;
  }

  const std::string& path() const { return path_; }

 private:
  YAML::Node required(const std::string& key) const {
    const YAML::Node value = root_[key];
    if (!value) throw InputError(path_, 0, key, "required key missing");
    return value;
  }

  std::string path_;
  YAML::Node root_;
};

int to_int(const SpecFile& file, const std::string& key, int upper) {
  return static_cast<int>(file.get_positive_integer(key, upper));
}

const std::vector<std::string> kGpuKeys = {"name",
                                           "peak_bf16_flops_per_s",
                                           "hbm_bytes_per_s",
                                           "memory_bytes",
                                           "l2_bytes",
                                           "sm_count",
                                           "gemm_efficiency",
                                           "prefill_attention_efficiency",
                                           "decode_bandwidth_efficiency",
                                           "memory_bandwidth_efficiency",
                                           "launch_floor_us",
                                           "interconnect_bytes_per_s",
                                           "allreduce_latency_us",
                                           "decode_attention_fixed_us",
                                           "cpu_overhead_us_per_iteration",
                                           "cpu_overhead_us_per_sequence",
                                           "idle_power_w",
                                           "peak_power_w",
                                           "price_per_gpu_hour"};

const std::vector<std::string> kModelKeys = {
    "name",           "layers",     "hidden_size",         "query_heads",
    "kv_heads",       "head_dim",   "intermediate_size",   "vocab_size",
    "context_tokens", "parameters", "bytes_per_parameter", "bytes_per_kv_element"};

GpuSpec parse_gpu(const std::string& path) {
  const SpecFile file(path, kGpuKeys);
  GpuSpec spec;
  spec.name = file.get_string("name");
  spec.peak_bf16_flops_per_s = file.get_positive("peak_bf16_flops_per_s", 1e17);
  spec.hbm_bytes_per_s = file.get_positive("hbm_bytes_per_s", 1e14);
  spec.memory_bytes = file.get_positive_integer("memory_bytes", 1e13);
  spec.l2_bytes = file.get_positive_integer("l2_bytes", 1e10);
  spec.sm_count = to_int(file, "sm_count", 100000);
  spec.gemm_efficiency = file.get_positive("gemm_efficiency", 1.0);
  spec.prefill_attention_efficiency = file.get_positive("prefill_attention_efficiency", 1.0);
  spec.decode_bandwidth_efficiency = file.get_positive("decode_bandwidth_efficiency", 1.0);
  spec.memory_bandwidth_efficiency = file.get_positive("memory_bandwidth_efficiency", 1.0);
  spec.launch_floor_us = file.get_positive("launch_floor_us", 1000.0);
  spec.interconnect_bytes_per_s = file.get_positive("interconnect_bytes_per_s", 1e14);
  spec.allreduce_latency_us = file.get_positive("allreduce_latency_us", 10000.0);
  spec.decode_attention_fixed_us = file.get_positive("decode_attention_fixed_us", 10000.0);
  spec.cpu_overhead_us_per_iteration = file.get_positive("cpu_overhead_us_per_iteration", 1e6);
  spec.cpu_overhead_us_per_sequence = file.get_positive("cpu_overhead_us_per_sequence", 1e5);
  spec.idle_power_w = file.get_positive_or("idle_power_w", 0, 2000.0);
  spec.peak_power_w = file.get_positive_or("peak_power_w", 0, 5000.0);
  if ((spec.idle_power_w > 0) != (spec.peak_power_w > 0))
    throw InputError(path, 0, spec.idle_power_w > 0 ? "peak_power_w" : "idle_power_w",
                     "give both idle_power_w and peak_power_w, or neither");
  if (spec.peak_power_w > 0 && spec.peak_power_w <= spec.idle_power_w)
    throw InputError(path, 0, "peak_power_w", "expected more than idle_power_w");
  spec.price_per_gpu_hour = file.get_positive_or("price_per_gpu_hour", 0, 1000.0);
  return spec;
}

ModelConfig parse_model(const std::string& path) {
  const SpecFile file(path, kModelKeys);
  ModelConfig config;
  config.name = file.get_string("name");
  config.layers = to_int(file, "layers", 10000);
  config.hidden_size = to_int(file, "hidden_size", 1 << 20);
  config.query_heads = to_int(file, "query_heads", 1 << 16);
  config.kv_heads = to_int(file, "kv_heads", 1 << 16);
  config.head_dim = to_int(file, "head_dim", 1 << 14);
  config.intermediate_size = to_int(file, "intermediate_size", 1 << 24);
  config.vocab_size = to_int(file, "vocab_size", 1 << 24);
  config.context_tokens = file.get_positive_integer("context_tokens", 1e9);
  config.parameters = file.get_positive("parameters", 1e14);
  config.bytes_per_parameter = static_cast<int>(file.get_positive_integer_or("bytes_per_parameter", 2, 8));
  config.bytes_per_kv_element = static_cast<int>(file.get_positive_integer_or("bytes_per_kv_element", 2, 8));
  if (config.query_heads % config.kv_heads != 0)
    throw InputError(path, 0, "kv_heads",
                     "expected a divisor of query_heads (" + std::to_string(config.query_heads) + "), got " +
                         std::to_string(config.kv_heads));
  return config;
}

// Directory holding the shipped data: $SPARSESIM_DATA_DIR when set, else <source tree>/data.
fs::path data_directory() {
  if (const char* override_dir = std::getenv("SPARSESIM_DATA_DIR"); override_dir && *override_dir)
    return fs::path(override_dir);
  return fs::path(SPARSESIM_SOURCE_DIR) / "data";
}

bool looks_like_path(const std::string& text) {
  if (text.find('/') != std::string::npos) return true;
  const std::string low = lower(text);
  auto ends_with = [&](const std::string& suffix) {
    return low.size() >= suffix.size() && low.compare(low.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

// Finds the file in data/<kind> whose `name:` (or file stem) equals `name`, ignoring case.
std::string resolve_name(const std::string& name, const std::string& kind) {
  const fs::path directory = data_directory() / kind;
  std::error_code error;
  if (!fs::is_directory(directory, error))
    throw InputError(directory.string(), 0, "",
                     "directory of " + kind + " files not found (looking up '" + name +
                         "'; set SPARSESIM_DATA_DIR or give a path)");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string extension = lower(entry.path().extension().string());
    if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // deterministic choice and message order
  const std::string wanted = lower(name);
  std::string known;
  for (const auto& file : files) {
    if (lower(file.stem().string()) == wanted) return file.string();
    std::string file_name;
    try {
      const YAML::Node root = YAML::LoadFile(file.string());
      if (root.IsMap() && root["name"] && root["name"].IsScalar()) file_name = root["name"].Scalar();
    } catch (const YAML::Exception&) {
      continue;  // a broken neighbour does not hide the file asked for; it fails when loaded by path
    }
    if (lower(file_name) == wanted) return file.string();
    if (!file_name.empty()) known += (known.empty() ? "" : ", ") + file_name;
  }
  throw InputError(directory.string(), 0, "name",
                   "no " + kind + " file named '" + name + "'; known: " + (known.empty() ? "(none)" : known));
}

}  // namespace

namespace {

// A sweep of thousands of points reads the same GPU and model files for every point: each file is
// parsed once per process (keyed by its path, size and modification time, so an edited file is read
// again) and the parsed struct copied out. A file that fails to parse is never cached, so it fails
// with its line every time.
template <class Spec>
Spec load_cached(const std::string& name_or_path, const char* folder, Spec (*parse)(const std::string&)) {
  const std::string path = looks_like_path(name_or_path) ? name_or_path : resolve_name(name_or_path, folder);
  std::error_code error;
  const auto size = fs::file_size(path, error);
  const auto modified = fs::last_write_time(path, error);
  if (error) return parse(path);  // not a readable file: let the parser say so
  struct Entry {
    std::uintmax_t size;
    fs::file_time_type modified;
    Spec spec;
  };
  static std::mutex mutex;
  static std::map<std::string, Entry> cache;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto found = cache.find(path);
    if (found != cache.end() && found->second.size == size && found->second.modified == modified)
      return found->second.spec;
  }
  Spec spec = parse(path);
  const std::lock_guard<std::mutex> lock(mutex);
  cache[path] = Entry{size, modified, spec};
  return spec;
}

}  // namespace

GpuSpec load_gpu_spec(const std::string& name_or_path) {
  return load_cached<GpuSpec>(name_or_path, "gpus", parse_gpu);
}

ModelConfig load_model_config(const std::string& name_or_path) {
  return load_cached<ModelConfig>(name_or_path, "models", parse_model);
}

}  // namespace sparsesim
