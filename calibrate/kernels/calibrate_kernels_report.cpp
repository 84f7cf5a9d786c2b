// Fits the kernel cost model on the profile's published kernel rows, prints/writes the Markdown
// report and optionally writes the fitted "kernel_model" into the profile (other bytes kept).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "calibrate/kernels/kernel_fit.hpp"

int main(int argc, char** argv) {
  using namespace fleetsim;
  CLI::App app{"Fit the calibrated kernel cost model on published H800 kernel rows"};
  std::string profile = FLEETSIM_SOURCE_DIR "/hw_profiles/h800.json";
  std::string model_path = FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json";
  std::string markdown_out;
  std::string fitted_on = "unset";
  bool write_profile = false;
  app.add_option("--profile", profile, "hardware profile JSON");
  app.add_option("--model", model_path, "model JSON (names the operator of each GEMM shape)");
  app.add_option("--markdown", markdown_out, "write the Markdown report here");
  app.add_option("--fitted-on", fitted_on, "date recorded in kernel_model.fitted_on");
  app.add_flag("--write-profile", write_profile, "write kernel_model into the profile");
  CLI11_PARSE(app, argc, argv);
  try {
    const HardwareSpec hw = load_hardware_spec(profile);
    const ModelSpec model = load_model_spec(model_path);
    KernelFitOptions opt;
    opt.fitted_on = fitted_on;
    opt.fitted_by = "calibrate_kernels_report --write-profile --markdown docs/kernel-calibration.md "
                    "--fitted-on " + fitted_on;
    opt.model = &model;
    const KernelFitReport rep = fit_kernel_model(hw, opt);
    const std::string md = kernel_fit_markdown(rep);
    std::cout << md;
    if (!markdown_out.empty()) std::ofstream(markdown_out) << md;
    std::string why;
    if (!meets_bar(rep, KernelFitBar{}, &why)) std::cerr << "leave-one-out bar missed: " << why << "\n";
    if (write_profile) {
      // Re-read right before writing: other sections of the file are edited by other tools.
      std::ifstream in(profile);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text =
          replace_top_level_json_key(ss.str(), "kernel_model", kernel_model_json(rep));
      std::ofstream(profile) << text;
    }
  } catch (const std::exception& e) {
    std::cerr << "calibrate_kernels_report: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
