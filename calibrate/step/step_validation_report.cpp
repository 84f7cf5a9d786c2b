// Table, JSON and CSV renderings of a step validation (see step_validation_report.hpp).
#include "calibrate/step/step_validation_report.hpp"

#include <sstream>
#include <tuple>

namespace fleetsim {

namespace {

constexpr double kNsPerSecond = 1e9;
constexpr double kUsPerSecond = 1e6;

struct SectionInfo {
  StepSection section;
  const char* title;
  const StageSums& (*sums)(const StepValidation&);
};

const SectionInfo kSections[] = {
    {StepSection::kMoeLayer, "MoE layer, one microbatch",
     [](const StepValidation& v) -> const StageSums& { return v.moe; }},
    {StepSection::kDenseLayer, "Dense layer, one microbatch",
     [](const StepValidation& v) -> const StageSums& { return v.dense; }},
    {StepSection::kStepOps, "Step operators, both microbatches",
     [](const StepValidation& v) -> const StageSums& { return v.step_ops; }},
};

// The layer stages the StepTimer reports (the step operators form one stage of their own).
struct StageInfo {
  const char* name;
  std::int64_t LayerStageTimes::*field;
};
const StageInfo kLayerStages[] = {{"attn0", &LayerStageTimes::attn0_ns},
                                  {"attn1", &LayerStageTimes::attn1_ns},
                                  {"shared", &LayerStageTimes::shared_ns},
                                  {"mlp", &LayerStageTimes::mlp_ns}};

double us(double s) { return s * kUsPerSecond; }
double us(TimeNs ns) { return static_cast<double>(ns) / kNsPerUs; }

// One summary line: predicted, executed, the error, and the simulator's figure when it has one.
void print_compared(std::FILE* out, const std::string& what, double predicted_us,
                    double executed_us, const double* simulator_us) {
  std::fprintf(out, "  %-44s %12.1f %12.1f %9.2f", what.c_str(), predicted_us, executed_us,
               error_pct(predicted_us, executed_us));
  if (simulator_us != nullptr) std::fprintf(out, " %12.1f", *simulator_us);
  std::fprintf(out, "\n");
}

Json compared(TimeNs predicted_ns, TimeNs executed_ns) {
  return {{"predicted_ns", predicted_ns},
          {"executed_ns", executed_ns},
          {"error_pct", error_pct(static_cast<double>(predicted_ns), static_cast<double>(executed_ns))}};
}

}  // namespace

void print_step_validation(std::FILE* out, const StepValidation& v) {
  std::fprintf(out, "validate-step: %s\n", v.description.c_str());
  std::fprintf(out, "  executor   %s (%s)\n", v.executor.c_str(), v.device.c_str());
  std::fprintf(out, "  predicted  calibrated kernel cost model, %d compute SMs\n", v.compute_sms);
  std::fprintf(out, "  routing    %s\n", v.routing.c_str());
  for (const SectionInfo& sec : kSections) {
    std::fprintf(out, "\n%s:\n", sec.title);
    std::fprintf(out, "  %-24s %-6s %-23s %7s %7s %6s %6s %12s %12s %9s\n", "operator", "stage",
                 "class", "M", "N", "K", "groups", "predicted us", "executed us", "error %");
    for (const ValidatedOp& op : v.ops) {
      if (op.section != sec.section) continue;
      std::fprintf(out, "  %-24s %-6s %-23s %7lld %7lld %6lld %6lld %12.1f %12.1f %9.2f%s%s\n",
                   op.key.c_str(), to_string(op.stage), to_string(op.cls),
                   static_cast<long long>(op.m), static_cast<long long>(op.n),
                   static_cast<long long>(op.k), static_cast<long long>(op.groups),
                   us(op.predicted_s), us(op.executed_s), error_pct(op.predicted_s, op.executed_s),
                   op.note.empty() ? "" : "  ", op.note.c_str());
    }
    const StageSums& s = sec.sums(v);
    std::fprintf(out, "  %-85s %12.1f %12.1f %9.2f\n", "total", us(s.predicted_total_s()),
                 us(s.executed_total_s()), error_pct(s.predicted_total_s(), s.executed_total_s()));
  }

  std::fprintf(out, "\nPer stage, one microbatch (simulator: the StepTimer at this query):\n");
  std::fprintf(out, "  %-44s %12s %12s %9s %12s\n", "stage", "predicted us", "executed us",
               "error %", "simulator us");
  for (const auto& [name, sums, sim] :
       {std::tuple{"MoE layer", &v.moe, &v.simulator.moe.mb[0]},
        std::tuple{"dense layer", &v.dense, &v.simulator.dense.mb[0]}}) {
    const LayerStageTimes p = sums->predicted(), e = sums->executed();
    for (const StageInfo& st : kLayerStages) {
      const double sim_us = us(sim->*st.field);
      print_compared(out, std::string(name) + " " + st.name, us(p.*st.field), us(e.*st.field), &sim_us);
    }
  }
  std::fprintf(out, "\nCommunication (modelled, not executed), per microbatch of a MoE layer:\n");
  std::fprintf(out, "  %-44s %12.1f\n", "dispatch", us(v.simulator.moe.dispatch_ns[0]));
  std::fprintf(out, "  %-44s %12.1f\n", "combine", us(v.simulator.moe.combine_ns[0]));

  const int mb = StepValidation::kMicrobatches;
  std::fprintf(out, "\nWhole step: %d dense + %d MoE layers, %d microbatches each, + step operators:\n",
               v.dense_layers, v.moe_layers, mb);
  std::fprintf(out, "  %-44s %12s %12s %9s %12s\n", "", "predicted us", "executed us", "error %",
               "simulator us");
  print_compared(out, "compute alone, serial", us(v.serial_predicted_ns), us(v.serial_executed_ns),
                 nullptr);
  const double sim_us = us(v.simulator.total_ns);
  print_compared(out,
                 v.overlap ? "overlap pipeline + modelled communication"
                           : "no overlap + modelled communication",
                 us(v.pipelined_predicted_ns), us(v.pipelined_executed_ns), &sim_us);
}

Json step_validation_json(const StepValidation& v, const std::string& scenario_file,
                          const std::string& date) {
  Json ops = Json::array();
  for (const ValidatedOp& op : v.ops) {
    ops.push_back({{"section", to_string(op.section)},
                   {"name", op.key},
                   {"stage", to_string(op.stage)},
                   {"class", to_string(op.cls)},
                   {"precision", to_string(op.precision)},
                   {"m", op.m},
                   {"n", op.n},
                   {"k", op.k},
                   {"groups", op.groups},
                   {"flops", op.flops},
                   {"bytes", op.bytes},
                   {"predicted_ns", op.predicted_s * kNsPerSecond},
                   {"executed_ns", op.executed_s * kNsPerSecond},
                   {"error_pct", error_pct(op.predicted_s, op.executed_s)},
                   {"note", op.note}});
  }
  auto stages = [](const StageSums& s, const LayerStageTimes* sim) {
    Json j = Json::object();
    const LayerStageTimes p = s.predicted(), e = s.executed();
    for (const StageInfo& st : kLayerStages) {
      j[st.name] = {{"predicted_ns", p.*st.field}, {"executed_ns", e.*st.field}};
      if (sim != nullptr) j[st.name]["simulator_ns"] = sim->*st.field;
    }
    return j;
  };
  auto section = [](const StageSums& s) {
    return compared(seconds_to_ns(s.predicted_total_s()), seconds_to_ns(s.executed_total_s()));
  };
  Json moe = section(v.moe), dense = section(v.dense), step = section(v.step_ops);
  moe["stages"] = stages(v.moe, &v.simulator.moe.mb[0]);
  dense["stages"] = stages(v.dense, &v.simulator.dense.mb[0]);
  step["simulator_ns"] = v.simulator.overhead_ns;
  Json whole = compared(v.serial_predicted_ns, v.serial_executed_ns);
  whole["formula"] = "microbatches x (dense_layers x dense_layer + moe_layers x moe_layer) + step_ops";
  Json pipelined = compared(v.pipelined_predicted_ns, v.pipelined_executed_ns);
  pipelined["formula"] =
      "dense_layers x layer(dense) + moe_layers x layer(moe) + step_ops, each layer through the "
      "overlap pipeline with the modelled communication";
  pipelined["simulator_ns"] = v.simulator.total_ns;
  pipelined["simulator_dense_layer_ns"] = v.simulator.dense_layer_ns;
  pipelined["simulator_moe_layer_ns"] = v.simulator.moe_layer_ns;
  return {{"_schema", "docs/cuda-microbench.md#validating-a-simulated-step"},
          {"scenario", scenario_file},
          {"phase", to_string(v.phase)},
          {"executor", v.executor},
          {"device", v.device},
          {"date", date},
          {"step",
           {{"description", v.description},
            {"routing", v.routing},
            {"compute_sms", v.compute_sms},
            {"overlap", v.overlap},
            {"microbatches", StepValidation::kMicrobatches},
            {"dense_layers", v.dense_layers},
            {"moe_layers", v.moe_layers}}},
          {"ops", ops},
          {"sections", {{"moe_layer", moe}, {"dense_layer", dense}, {"step_ops", step}}},
          {"communication",
           {{"modelled", true},
            {"dispatch_ns", v.simulator.moe.dispatch_ns[0]},
            {"combine_ns", v.simulator.moe.combine_ns[0]}}},
          {"whole_step", whole},
          {"pipelined_step", pipelined}};
}

std::string step_validation_csv(const StepValidation& v) {
  std::ostringstream o;
  o.precision(17);
  o << "section,operator,stage,class,precision,m,n,k,groups,flops,bytes,predicted_ns,executed_ns,"
       "error_pct,note\n";
  for (const ValidatedOp& op : v.ops) {
    o << to_string(op.section) << ',' << op.key << ',' << to_string(op.stage) << ','
      << to_string(op.cls) << ',' << to_string(op.precision) << ',' << op.m << ',' << op.n << ','
      << op.k << ',' << op.groups << ',' << op.flops << ',' << op.bytes << ','
      << op.predicted_s * kNsPerSecond << ',' << op.executed_s * kNsPerSecond << ','
      << error_pct(op.predicted_s, op.executed_s) << ",\"" << op.note << "\"\n";
  }
  return o.str();
}

}  // namespace fleetsim
