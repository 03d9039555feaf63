#pragma once
// The C entry points of the CUDA plugin (libsparsesim_cuda_plugin.so), a shared module holding the CUDA
// kernels and the CUDA measurement backend. Only `sparsesim calibrate --device cuda[:N]` needs CUDA, so
// the CUDA runtime and cuBLAS (about 165 MiB resident) are loaded only when make_backend("cuda...")
// dlopen()s this plugin, never at start-up of the CLI, the tests or the benchmarks.
//
// The plugin does not link the sparsesim static libraries (that would duplicate the registries): its
// references to the core (the shared timing loop, the reference kernels) resolve against the executable
// that loads it, which must export its symbols (CMake ENABLE_EXPORTS). Exceptions thrown inside the plugin
// (std::runtime_error with the CUDA error text) propagate to the caller: both sides are built by the same
// compiler against the same libstdc++.
//
// Where the plugin is looked for (calibration/measurement_backend_factory.cpp):
//   1. $SPARSESIM_CUDA_PLUGIN, when set and non-empty (only that path is tried);
//   2. the path the build wrote it to (SPARSESIM_CUDA_PLUGIN_PATH, absolute);
//   3. libsparsesim_cuda_plugin.so next to the running executable (for a copied or installed binary).
#include "calibration/measurement.h"

// Bumped whenever a signature below changes, so a stale plugin is refused rather than misused.
#define SPARSESIM_CUDA_PLUGIN_ABI_VERSION 1

extern "C" {

// SPARSESIM_CUDA_PLUGIN_ABI_VERSION as the plugin was built.
using sparsesim_cuda_plugin_abi_version_fn = int();
// Usable CUDA devices; 0 when the driver is missing or reports no device. Never throws.
using sparsesim_cuda_device_count_fn = int();
// A new CUDA measurement backend on `device` (0 <= device < device count); the caller owns it and deletes
// it through KernelBackend's virtual destructor. Throws std::runtime_error on a CUDA failure.
using sparsesim_make_cuda_backend_fn = sparsesim::KernelBackend*(int device);

}  // extern "C"

// The symbol names looked up with dlsym.
inline constexpr const char* kCudaPluginAbiVersionSymbol = "sparsesim_cuda_plugin_abi_version";
inline constexpr const char* kCudaDeviceCountSymbol = "sparsesim_cuda_device_count";
inline constexpr const char* kMakeCudaBackendSymbol = "sparsesim_make_cuda_backend";
