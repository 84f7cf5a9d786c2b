// Fits the "flow" comm model on the profile's DeepEP rows, prints/writes the Markdown report and
// optionally writes the fitted "comm_model" back into the profile (other keys left byte-for-byte).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "calibrate/comm/comm_fit.hpp"

int main(int argc, char** argv) {
  using namespace fleetsim;
  CLI::App app{"Fit the flow communication model on DeepEP rows"};
  std::string profile = FLEETSIM_SOURCE_DIR "/hw_profiles/h800.json";
  std::string model_path = FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json";
  std::string markdown_out;
  std::string fitted_on = "unset";
  bool write_profile = false;
  app.add_option("--profile", profile, "hardware profile JSON");
  app.add_option("--model", model_path, "model JSON");
  app.add_option("--markdown", markdown_out, "write the Markdown report here");
  app.add_option("--fitted-on", fitted_on, "date recorded in comm_model.fitted_on");
  app.add_flag("--write-profile", write_profile, "write comm_model into the profile");
  CLI11_PARSE(app, argc, argv);
  try {
    const HardwareSpec hw = load_hardware_spec(profile);
    const ModelSpec model = load_model_spec(model_path);
    const CommFitReport rep = fit_comm_model(hw, model);
    const std::string md = comm_fit_markdown(rep);
    std::cout << md;
    if (!markdown_out.empty()) std::ofstream(markdown_out) << md;
    const std::string command = "calibrate_comm_report --write-profile --fitted-on " + fitted_on;
    std::cout << comm_model_json(rep, fitted_on, command).dump(2) << "\n";
    if (write_profile) {
      std::ifstream in(profile);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text =
          replace_top_level_key(ss.str(), "comm_model", comm_model_json(rep, fitted_on, command));
      std::ofstream(profile) << text;
    }
  } catch (const std::exception& e) {
    std::cerr << "calibrate_comm_report: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
