// Picks a backend from a device string. The CUDA backend lives in a plugin (see
// calibration/cuda_plugin/cuda_plugin_abi.h) that is dlopen()ed only when a cuda device is asked for, so
// that nothing else in sparsesim loads the CUDA runtime and cuBLAS. The environment variable
// SPARSESIM_CUDA_PLUGIN overrides the plugin's path.
#include <algorithm>
#include <cctype>

#include "calibration/measurement_backends.h"
#include "core/input_error.h"

#if SPARSESIM_HAVE_CUDA
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "calibration/cuda_plugin/cuda_plugin_abi.h"
#endif

namespace sparsesim {

#if SPARSESIM_HAVE_CUDA
namespace {

struct CudaPlugin {
  sparsesim_cuda_device_count_fn* device_count = nullptr;
  sparsesim_make_cuda_backend_fn* make_backend = nullptr;
};

// The executable's own directory joined with the plugin's file name; empty if /proc/self/exe is unreadable.
std::string plugin_next_to_executable(const std::string& built_path) {
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return (executable.parent_path() / std::filesystem::path(built_path).filename()).string();
}

// The path to dlopen: $SPARSESIM_CUDA_PLUGIN, else the built path, else the copy next to the executable.
std::string cuda_plugin_path() {
  if (const char* override_path = std::getenv("SPARSESIM_CUDA_PLUGIN"); override_path && *override_path)
    return override_path;
  const std::string built_path = SPARSESIM_CUDA_PLUGIN_PATH;
  if (access(built_path.c_str(), F_OK) == 0) return built_path;
  const std::string beside = plugin_next_to_executable(built_path);
  return !beside.empty() && access(beside.c_str(), F_OK) == 0 ? beside : built_path;
}

template <typename Function>
Function* find_symbol(void* handle, const char* name, const std::string& device, const std::string& path) {
  dlerror();  // clear a stale error
  void* symbol = dlsym(handle, name);
  if (!symbol) {
    const char* why = dlerror();
    throw InputError("--device '" + device + "': the CUDA plugin " + path + " lacks " + name + " (" +
                     (why ? why : "null symbol") + "); rebuild sparsesim");
  }
  return reinterpret_cast<Function*>(symbol);
}

CudaPlugin load_cuda_plugin(const std::string& device) {
  const std::string path = cuda_plugin_path();
  // Never dlclose()d: backends made by the plugin run its code until the process ends.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw InputError("--device '" + device + "': cannot load the CUDA plugin " + path + ": " +
                     (why ? why : "unknown dlopen error") +
                     " (is the CUDA runtime installed? SPARSESIM_CUDA_PLUGIN overrides the path)");
  }
  const int abi_version =
      find_symbol<sparsesim_cuda_plugin_abi_version_fn>(handle, kCudaPluginAbiVersionSymbol, device, path)();
  if (abi_version != SPARSESIM_CUDA_PLUGIN_ABI_VERSION)
    throw InputError("--device '" + device + "': the CUDA plugin " + path + " has interface version " +
                     std::to_string(abi_version) + ", this sparsesim expects " +
                     std::to_string(SPARSESIM_CUDA_PLUGIN_ABI_VERSION) + "; rebuild sparsesim");
  CudaPlugin plugin;
  plugin.device_count =
      find_symbol<sparsesim_cuda_device_count_fn>(handle, kCudaDeviceCountSymbol, device, path);
  plugin.make_backend =
      find_symbol<sparsesim_make_cuda_backend_fn>(handle, kMakeCudaBackendSymbol, device, path);
  return plugin;
}

// Loaded once; a failed load throws and is retried on the next call.
const CudaPlugin& cuda_plugin(const std::string& device) {
  static const CudaPlugin plugin = load_cuda_plugin(device);
  return plugin;
}

}  // namespace

bool cuda_backend_compiled() {
  return true;
}
#else
bool cuda_backend_compiled() {
  return false;
}
#endif

std::unique_ptr<KernelBackend> make_backend(const std::string& device) {
  if (device == "cpu") return make_cpu_backend();
  if (device.rfind("cuda", 0) != 0)
    throw InputError("--device '" + device + "': expected cpu, cuda or cuda:N");
  int index = 0;
  if (device.size() > 4) {
    const std::string digits = device.substr(5);
    const bool numeric =
        device[4] == ':' && !digits.empty() && digits.size() < 4 &&
        std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!numeric) throw InputError("--device '" + device + "': expected cpu, cuda or cuda:N");
    index = std::stoi(digits);
  }
#if SPARSESIM_HAVE_CUDA
  const CudaPlugin& plugin = cuda_plugin(device);
  const int count = plugin.device_count();
  if (index >= count)
    throw InputError("--device '" + device + "': " +
                     (count == 0 ? std::string("no CUDA device is visible (no GPU or no driver)")
                                 : "only " + std::to_string(count) + " CUDA device(s) are visible"));
  return std::unique_ptr<KernelBackend>(plugin.make_backend(index));
#else
  (void)index;
  throw InputError("--device '" + device +
                   "': this sparsesim was built without CUDA (nvcc was not found at configure time); use "
                   "--device cpu, or rebuild on a machine with the CUDA toolkit");
#endif
}

}  // namespace sparsesim
