// Ratio files of measured operator times (see measured_ratios.hpp).
#include "sim/hw/measured_ratios.hpp"

#include <string_view>

namespace fleetsim {

std::string operator_key(const Operator& op) {
  const std::string_view name(op.name);
  if (op.mtp && name.rfind("mtp_", 0) != 0) return std::string("mtp.") + op.name;
  return std::string(name);
}

std::set<std::string> operator_keys(const ModelShapes& shapes, Phase phase) {
  // One token, one expert slot, one logit: every operator the phase has appears once.
  RankBatch one;
  one.tokens = 1;
  one.sequences = 1;
  one.attended_pairs = 1;
  one.kv_tokens_read = 1;
  ExpertWork ex;
  ex.tokens_per_slot = {1};
  std::set<std::string> keys;
  for (bool moe : {false, true})
    for (const Operator& op : layer_operators(shapes, phase, moe, one, ex)) keys.insert(operator_key(op));
  for (const Operator& op : step_operators(shapes, phase, one, 1)) keys.insert(operator_key(op));
  return keys;
}

MeasuredRatios parse_measured_ratios(const JsonReader& r, std::optional<Phase> phase,
                                     const std::set<std::string>& known_keys) {
  r.only_keys({"_schema", "phase", "ops", "gpu", "date", "executor"});
  MeasuredRatios m;
  m.phase = r.one_of("phase", {"prefill", "decode"}) == "prefill" ? Phase::kPrefill : Phase::kDecode;
  if (phase && *phase != m.phase) {
    r.fail_at("phase", std::string("\"") + to_string(*phase) + "\" (the file is read as the " +
                           to_string(*phase) + " step's ratios)");
  }
  m.gpu = r.string("gpu");
  m.date = r.string("date");
  m.executor = r.string("executor");
  const JsonReader ops = r.at("ops");
  for (const std::string& key : ops.keys()) {
    if (!known_keys.empty() && known_keys.count(key) == 0) {
      std::string list;
      for (const auto& k : known_keys) list += (list.empty() ? "" : ", ") + k;
      ops.fail_at(key, std::string("an operator of the ") + to_string(m.phase) +
                           " step (one of: " + list + ")");
    }
    m.ops[key] = ops.positive(key);
  }
  return m;
}

MeasuredRatios load_measured_ratios(const std::string& path, std::optional<Phase> phase,
                                    const std::set<std::string>& known_keys) {
  const Json doc = load_json_file(path);
  return parse_measured_ratios(JsonReader(doc, path), phase, known_keys);
}

Json measured_ratios_json(const MeasuredRatios& m) {
  Json ops = Json::object();
  for (const auto& [k, v] : m.ops) ops[k] = v;
  return {{"_schema", "docs/schemas.md#measured-operator-ratios"},
          {"phase", to_string(m.phase)},
          {"gpu", m.gpu},
          {"date", m.date},
          {"executor", m.executor},
          {"ops", ops}};
}

}  // namespace fleetsim
