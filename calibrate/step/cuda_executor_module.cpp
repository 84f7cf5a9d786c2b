// Loading the cuda executor module (see cuda_executor_module.hpp).
#include "calibrate/step/cuda_executor_module.hpp"

#include <dlfcn.h>

#include <filesystem>

namespace fleetsim {

std::unique_ptr<KernelExecutor> load_cuda_executor(const CudaExecutorRequest& request,
                                                   std::string* no_device) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string path =
      ec ? kCudaExecutorModuleFile : (self.parent_path() / kCudaExecutorModuleFile).string();
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (module == nullptr) {
    const char* err = dlerror();
    *no_device = "cannot load the cuda executor module (" + std::string(err ? err : path) + ")";
    return nullptr;
  }
  const auto make = reinterpret_cast<MakeCudaExecutorFn>(dlsym(module, kMakeCudaExecutorSymbol));
  if (make == nullptr) {
    *no_device = path + " has no " + kMakeCudaExecutorSymbol;
    return nullptr;
  }
  return std::unique_ptr<KernelExecutor>(make(request, no_device));
}

}  // namespace fleetsim
