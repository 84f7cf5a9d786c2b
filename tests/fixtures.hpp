// Specs shared by the unit tests: the committed DeepSeek-V3 model and H800 profile, loaded once.
#pragma once

#include "sim/spec/hardware_spec.hpp"
#include "sim/spec/model_spec.hpp"

namespace fleetsim::test {

inline const ModelSpec& v3() {
  static const ModelSpec m = load_model_spec(FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json");
  return m;
}
inline const HardwareSpec& h800() {
  static const HardwareSpec h = load_hardware_spec(FLEETSIM_SOURCE_DIR "/hw_profiles/h800.json");
  return h;
}

}  // namespace fleetsim::test
