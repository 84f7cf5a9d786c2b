// `fleetsim validate-step SCENARIO --phase prefill|decode --execute model|cuda`: runs every
// operator of the simulated step with an executor and compares its time with the cost model's,
// per operator, per layer and for the whole step; optionally writes the measured/predicted
// ratios that the "measured" layer cost model reads.
#include <cstdio>
#include <iostream>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/number_option.hpp"
#include "apps/fleetsim/step_command_options.hpp"
#include "calibrate/cuda/bench_shapes.hpp"
#include "calibrate/cuda/profile_fragment.hpp"
#include "calibrate/step/cuda_executor_module.hpp"
#include "calibrate/step/model_kernel_executor.hpp"
#include "calibrate/step/step_validation_report.hpp"
#include "fleetsim/config.hpp"

namespace fleetsim::cli {

namespace {

struct ValidateStepOptions {
  StepCommandOptions step;
  std::string execute = "model";
  std::string routing = "drawn";
  std::string json_path, csv_path, measured_path;
  // Timed runs per operator (cuda): the microbenchmark's full-plan counts.
  int warmup = microbench::make_bench_plan(false).warmup_iters;
  int repeats = microbench::make_bench_plan(false).timed_iters;
};

// The executor named on the command line; null (and the reason) when it cannot run here.
std::unique_ptr<KernelExecutor> make_executor(const ValidateStepOptions& o,
                                              const CalibratedLayerCostModel& predictor,
                                              const SimulatedStep& st, const HardwareSpec& hw,
                                              std::string* no_device) {
  if (o.execute == "model")
    return std::make_unique<ModelKernelExecutor>(predictor.kernels(), st.sms.compute_sms, hw.name);
#if FLEETSIM_HAVE_CUDA
  return load_cuda_executor({&predictor.shapes(), st.sms.compute_sms, o.warmup, o.repeats},
                            no_device);
#else
  (void)predictor, (void)st, (void)hw;
  *no_device = "this fleetsim was built without CUDA (FLEETSIM_HAVE_CUDA is 0: no nvcc at "
               "configure time, or FLEETSIM_CUDA=OFF)";
  return nullptr;
#endif
}

void validate_step_command(const ValidateStepOptions& o) {
  const ScenarioSpec s = load_scenario(o.step.scenario, o.step.overrides);
  ServingSystem sys(s);
  StepOptions so = o.step.resolved();
  so.routing = o.routing == "uniform" ? StepRouting::kUniform : StepRouting::kDrawn;
  const SimulatedStep st = simulated_step(sys, so);
  const CalibratedLayerCostModel predictor(s.model, s.hardware);
  std::string no_device;
  const auto exec = make_executor(o, predictor, st, s.hardware, &no_device);
  if (!exec) {
    std::cerr << "fleetsim: no CUDA device: " << no_device << "\n";
    set_exit_code(kExitNoDevice);
    return;
  }
  const StepTimer& timer = st.phase == Phase::kDecode ? sys.decode_timer() : sys.prefill_timer();
  const StepValidation v = validate_step(s, st, timer, predictor, *exec);
  const std::string date = microbench::utc_now_iso();
  print_step_validation(stdout, v);
  if (!o.json_path.empty()) microbench::write_json_file(o.json_path, step_validation_json(v, s.file, date));
  if (!o.csv_path.empty()) write_text_file(o.csv_path, step_validation_csv(v));
  if (!o.measured_path.empty())
    microbench::write_json_file(o.measured_path, measured_ratios_json(measured_ratios(v, date)));
}

}  // namespace

void add_validate_step_command(CLI::App& app) {
  auto o = std::make_shared<ValidateStepOptions>();
  auto* cmd = app.add_subcommand(
      "validate-step", "Run the operators of one simulated step and compare with the cost model");
  add_step_command_options(*cmd, o->step);
  cmd->add_option("--execute", o->execute,
                  "model (the calibrated cost model: executed = predicted) or cuda (the "
                  "microbenchmark kernels on the local GPU)")
      ->check(CLI::IsMember({"model", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--routing", o->routing,
                  "expert-slot token counts: drawn (one microbatch through the scenario's expert "
                  "router) or uniform (the StepTimer's even split)")
      ->check(CLI::IsMember({"drawn", "uniform"}))
      ->capture_default_str();
  cmd->add_option("--json", o->json_path, "write the comparison as JSON");
  cmd->add_option("--csv", o->csv_path, "write one CSV row per operator");
  cmd->add_option("--write-measured", o->measured_path,
                  "write the measured/predicted ratio of each operator (for the \"measured\" layer "
                  "cost model)");
  cmd->add_option("--warmup", o->warmup, "cuda: untimed runs per operator")
      ->check(integer_at_least(0))
      ->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "cuda: timed runs per operator (median)")
      ->check(integer_at_least(1))
      ->capture_default_str();
  cmd->callback([o] { validate_step_command(*o); });
}

}  // namespace fleetsim::cli
