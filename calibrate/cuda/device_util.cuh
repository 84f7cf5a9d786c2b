// CUDA plumbing shared by the microbenchmark translation units: checked calls, owning device
// buffers, random fills and the event timer that every table uses.
#pragma once

#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetsim::microbench {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline void cuda_check(cudaError_t e, const char* what, const char* file, int line) {
  if (e != cudaSuccess)
    throw CudaError(std::string(what) + " failed at " + file + ":" + std::to_string(line) + ": " +
                    cudaGetErrorString(e));
}
inline void cublas_check(cublasStatus_t s, const char* what, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw CudaError(std::string(what) + " failed at " + file + ":" + std::to_string(line) +
                    ": cuBLAS status " + std::to_string(static_cast<int>(s)));
}

#define FS_CUDA(call) ::fleetsim::microbench::cuda_check((call), #call, __FILE__, __LINE__)
#define FS_CUBLAS(call) ::fleetsim::microbench::cublas_check((call), #call, __FILE__, __LINE__)
// After every kernel launch: catches bad launch configurations at once.
#define FS_LAUNCHED() FS_CUDA(cudaGetLastError())

// Owning device allocation; move-only.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
    if (bytes_ > 0) FS_CUDA(cudaMalloc(&ptr_, bytes_));
  }
  ~DeviceBuffer() {
    if (ptr_ != nullptr) cudaFree(ptr_);
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) {
    o.ptr_ = nullptr;
    o.bytes_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      if (ptr_ != nullptr) cudaFree(ptr_);
      ptr_ = o.ptr_;
      bytes_ = o.bytes_;
      o.ptr_ = nullptr;
      o.bytes_ = 0;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  template <typename T = void>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

template <typename T>
DeviceBuffer upload(const std::vector<T>& host) {
  DeviceBuffer d(host.size() * sizeof(T));
  FS_CUDA(cudaMemcpy(d.as(), host.data(), d.bytes(), cudaMemcpyHostToDevice));
  return d;
}

template <typename T>
std::vector<T> download(const DeviceBuffer& d, std::size_t count) {
  std::vector<T> host(count);
  FS_CUDA(cudaMemcpy(host.data(), d.as(), count * sizeof(T), cudaMemcpyDeviceToHost));
  return host;
}

// Fills with values uniform in [-amplitude, amplitude) from a counter hash: benchmark inputs
// must not be zeros (zeros hide wrong indexing and can run faster, METHOD.md).
void fill_random_bf16(DeviceBuffer& buf, std::size_t count, std::uint64_t seed, float amplitude);
void fill_random_fp8(DeviceBuffer& buf, std::size_t count, std::uint64_t seed, float amplitude);
void fill_random_f32(DeviceBuffer& buf, std::size_t count, std::uint64_t seed, float lo, float hi);
// Byte pattern that is a NaN in BF16, FP8 e4m3 and FP32: outputs are poisoned before a check so
// that an unwritten element fails it.
constexpr unsigned char kPoisonByte = 0xFF;
void poison(DeviceBuffer& buf);

// Times `op(rotation, stream)`: `warmup` untimed runs, then `repeats` runs captured into one CUDA
// graph with an event between consecutive runs, replayed once; rotation cycles through
// [0, rotations). Returns each run's time in microseconds. The graph keeps host-side launches
// out of the times, as serving engines' graph-replayed decode steps and DeepGEMM's
// profiler-timed tables do (on an H200 the smallest decode operator went from 5.7 us eager to
// 4.4 us); a run's time still includes its gap inside the graph and the event nodes.
std::vector<double> time_runs_us(const std::function<void(int, cudaStream_t)>& op, int rotations,
                                 int warmup, int repeats);
inline constexpr const char* kTimingStatistic =
    "median over the repeats of CUDA-event times between consecutive runs, all runs replayed as "
    "one CUDA graph";

}  // namespace fleetsim::microbench
