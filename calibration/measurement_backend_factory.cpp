// Picks a backend from a device string; the CUDA one only exists when the build compiled the kernels.
#include <algorithm>
#include <cctype>

#include "calibration/measurement_backends.h"
#include "workloads/input_error.h"

#if SPARSESIM_HAVE_CUDA
#include "calibration/kernels/cuda_kernels.h"
#endif

namespace sparsesim {

#if SPARSESIM_HAVE_CUDA
std::unique_ptr<KernelBackend> make_cuda_backend(int device);  // measurement_cuda_backend.cpp
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
  const int count = cuda::device_count();
  if (index >= count)
    throw InputError("--device '" + device + "': " +
                     (count == 0 ? std::string("no CUDA device is visible (no GPU or no driver)")
                                 : "only " + std::to_string(count) + " CUDA device(s) are visible"));
  return make_cuda_backend(index);
#else
  (void)index;
  throw InputError("--device '" + device +
                   "': this sparsesim was built without CUDA (nvcc was not found at configure time); use "
                   "--device cpu, or rebuild on a machine with the CUDA toolkit");
#endif
}

}  // namespace sparsesim
