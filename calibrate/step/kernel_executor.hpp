// Interface: something that runs one operator of a simulated step and says how long it took —
// the calibrated cost model itself ("model") or the real kernels on a local GPU ("cuda").
#pragma once

#include <string>

#include "sim/hw/operators.hpp"

namespace fleetsim {

struct ExecutedOp {
  double time_s = 0;
  std::string note;  // how it ran (kernel and shapes), when that is not evident from the operator
};

class KernelExecutor {
 public:
  virtual ~KernelExecutor() = default;
  virtual std::string name() const = 0;
  // What executes: the GPU's name, or the cost model and its hardware profile.
  virtual std::string device() const = 0;
  virtual ExecutedOp run(const Operator& op) = 0;
};

}  // namespace fleetsim
