// The outputs of validate-step: a table for the terminal, the same as JSON (schema in
// docs/cuda-microbench.md, "Validating a simulated step") and one CSV row per operator.
#pragma once

#include <cstdio>
#include <string>

#include "calibrate/step/step_validation.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

void print_step_validation(std::FILE* out, const StepValidation& v);
Json step_validation_json(const StepValidation& v, const std::string& scenario_file,
                          const std::string& date);
std::string step_validation_csv(const StepValidation& v);

}  // namespace fleetsim
