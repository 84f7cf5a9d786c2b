// Regression suite loading, judging and the verdict table.
#include "sim/study/regression_suite.hpp"

#include <cmath>
#include <filesystem>
#include <set>

#include "reports/markdown_table.hpp"
#include "reports/number_format.hpp"
#include "sim/metrics/metric_paths.hpp"

namespace fleetsim {

namespace {

MetricCheck read_check(const JsonReader& r) {
  r.only_keys({"metric", "relative", "absolute", "direction", "why"});
  MetricCheck c;
  c.metric = r.string("metric");
  c.relative = r.has("relative") ? r.non_negative("relative") : 0.0;
  c.absolute = r.has("absolute") ? r.non_negative("absolute") : 0.0;
  if (!r.has("relative") && !r.has("absolute"))
    r.fail("a check with a tolerance: \"relative\" (fraction) and/or \"absolute\"");
  const std::string d = r.has("direction")
                            ? r.one_of("direction", {"both", "higher_is_worse", "lower_is_worse"})
                            : "both";
  c.direction = d == "higher_is_worse"  ? Direction::kHigherIsWorse
                : d == "lower_is_worse" ? Direction::kLowerIsWorse
                                        : Direction::kBoth;
  return c;
}

std::vector<MetricCheck> read_checks(const JsonReader& r) {
  std::vector<MetricCheck> out;
  for (std::size_t i = 0; i < r.array_size(); ++i) out.push_back(read_check(r.at(i)));
  return out;
}

std::vector<std::string> read_strings(const JsonReader& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.array_size(); ++i) out.push_back(r.at(i).as_string());
  return out;
}

// An entry's own check replaces the suite's check of the same metric.
void merge_checks(std::vector<MetricCheck>& base, const std::vector<MetricCheck>& extra) {
  for (const auto& c : extra) {
    bool replaced = false;
    for (auto& b : base)
      if (b.metric == c.metric) {
        b = c;
        replaced = true;
      }
    if (!replaced) base.push_back(c);
  }
}

std::string resolve(const std::string& base_file, const std::string& rel) {
  namespace fs = std::filesystem;
  if (fs::path(rel).is_absolute()) return rel;
  return (fs::path(base_file).parent_path() / rel).lexically_normal().string();
}

std::string format_value(std::optional<double> v) {
  if (!v) return kMissingValue;
  return format_sig(*v, 6);
}

std::string format_tolerance(const MetricCheck& c) {
  const char* sign = c.direction == Direction::kBoth            ? "\xC2\xB1"  // U+00B1 plus-minus
                     : c.direction == Direction::kHigherIsWorse ? "+"
                                                                : "-";
  std::string t;
  if (c.relative > 0) {
    t = sign;
    t += format_sig(c.relative * 100, 3);
    t += "%";
  }
  if (c.absolute > 0) {
    t += t.empty() ? sign : " or ";
    t += format_sig(c.absolute, 3);
  }
  return t;
}

std::string format_change(std::optional<double> golden, std::optional<double> now) {
  if (!golden || !now) return kMissingValue;
  // Built by appends: GCC 12 warns (-Wrestrict, a false positive) on `const char* + string&&`.
  const double d = *now - *golden;
  std::string s = d >= 0 ? "+" : "";
  s += format_sig(d, 3);
  if (*golden != 0) {
    s += d >= 0 ? " (+" : " (";
    s += format_sig(100 * d / std::fabs(*golden), 3);
    s += "%)";
  }
  return s;
}

}  // namespace

RegressionSuite load_regression_suite(const std::string& dir) {
  RegressionSuite s;
  s.dir = dir;
  s.suite_file = (std::filesystem::path(dir) / "suite.json").string();
  s.goldens_file = (std::filesystem::path(dir) / "goldens.json").string();
  const Json doc = load_json_file(s.suite_file);
  const JsonReader r(doc, s.suite_file);
  r.only_keys({"description", "scenario", "scale", "set", "checks", "entries", "regenerate"});
  const std::string scenario = r.string("scenario");
  const double scale = r.positive("scale");
  const auto common_set = r.has("set") ? read_strings(r.at("set")) : std::vector<std::string>{};
  const auto common_checks = read_checks(r.at("checks"));
  const JsonReader entries = r.at("entries");
  std::set<std::string> names;
  for (std::size_t i = 0; i < entries.array_size(); ++i) {
    const JsonReader e = entries.at(i);
    e.only_keys({"name", "description", "scenario", "scale", "set", "checks"});
    RegressionEntry x;
    x.name = e.string("name");
    if (!names.insert(x.name).second) e.at("name").fail("a name not used by another entry");
    x.description = e.string_or("description", "");
    x.scenario = resolve(s.suite_file, e.has("scenario") ? e.string("scenario") : scenario);
    x.scale = e.has("scale") ? e.positive("scale") : scale;
    x.overrides = common_set;
    if (e.has("set"))
      for (auto& o : read_strings(e.at("set"))) x.overrides.push_back(std::move(o));
    x.checks = common_checks;
    if (e.has("checks")) merge_checks(x.checks, read_checks(e.at("checks")));
    s.entries.push_back(std::move(x));
  }
  if (s.entries.empty()) entries.fail("a non-empty array of entries");

  if (std::filesystem::exists(s.goldens_file)) {
    const Json g = load_json_file(s.goldens_file);
    const JsonReader gr(g, s.goldens_file);
    gr.only_keys({"_comment", "entries"});
    const JsonReader ge = gr.at("entries");
    for (const auto& name : ge.keys()) {
      const JsonReader m = ge.at(name);
      for (const auto& metric : m.keys()) s.goldens[name][metric] = m.number(metric);
    }
  }
  return s;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "ok";
    case Verdict::kImproved: return "improved";
    case Verdict::kRegressed: return "REGRESSED";
    case Verdict::kChanged: return "CHANGED";
    case Verdict::kMissingGolden: return "NO GOLDEN";
    case Verdict::kMissingMetric: return "NO METRIC";
  }
  return "?";
}

bool verdict_fails(Verdict v) { return v != Verdict::kPass && v != Verdict::kImproved; }

Verdict judge(const MetricCheck& c, std::optional<double> golden, std::optional<double> now) {
  if (!golden) return Verdict::kMissingGolden;
  if (!now || !std::isfinite(*now)) return Verdict::kMissingMetric;
  const double allowed = std::max(c.relative * std::fabs(*golden), c.absolute);
  const double d = *now - *golden;
  if (std::fabs(d) <= allowed) return Verdict::kPass;
  switch (c.direction) {
    case Direction::kBoth: return Verdict::kChanged;
    case Direction::kHigherIsWorse: return d > 0 ? Verdict::kRegressed : Verdict::kImproved;
    case Direction::kLowerIsWorse: return d < 0 ? Verdict::kRegressed : Verdict::kImproved;
  }
  return Verdict::kChanged;
}

std::vector<CheckOutcome> evaluate_entry(const RegressionSuite& suite, const RegressionEntry& e,
                                         const Json& summary) {
  std::vector<CheckOutcome> out;
  const auto g = suite.goldens.find(e.name);
  for (const auto& c : e.checks) {
    CheckOutcome o;
    o.entry = e.name;
    o.check = c;
    if (g != suite.goldens.end())
      if (auto it = g->second.find(c.metric); it != g->second.end()) o.golden = it->second;
    o.now = metric_at(summary, c.metric);
    o.verdict = judge(c, o.golden, o.now);
    out.push_back(o);
  }
  return out;
}

std::string format_outcome(const CheckOutcome& o) {
  return o.check.metric + ": golden " + format_value(o.golden) + ", now " + format_value(o.now) + ", " +
         format_change(o.golden, o.now) + ", tolerance " + format_tolerance(o.check) + ": " +
         verdict_name(o.verdict);
}

std::string render_outcomes(const std::vector<CheckOutcome>& outcomes, bool failures_only) {
  MarkdownTable t;
  using A = MarkdownTable::Align;
  t.add_column("scenario", A::kLeft);
  t.add_column("metric", A::kLeft);
  t.add_column("golden", A::kRight);
  t.add_column("now", A::kRight);
  t.add_column("change", A::kRight);
  t.add_column("tolerance", A::kRight);
  t.add_column("verdict", A::kLeft);
  for (const auto& o : outcomes) {
    if (failures_only && !verdict_fails(o.verdict)) continue;
    t.add_row({o.entry, o.check.metric, format_value(o.golden), format_value(o.now),
               format_change(o.golden, o.now), format_tolerance(o.check), verdict_name(o.verdict)});
  }
  return t.empty() ? std::string() : t.render();
}

Json make_goldens(const RegressionSuite& suite, const std::map<std::string, Json>& summaries) {
  Json entries = Json::object();
  for (const auto& e : suite.entries) {
    const auto it = summaries.find(e.name);
    if (it == summaries.end()) continue;
    Json m = Json::object();
    for (const auto& c : e.checks)
      if (auto v = metric_at(it->second, c.metric)) m[c.metric] = *v;
    entries[e.name] = m;
  }
  return Json{{"_comment",
               "Golden metrics of the regression suite. Written by `fleetsim regress --update`; "
               "tolerances live in suite.json. Review every change to this file."},
              {"entries", entries}};
}

}  // namespace fleetsim
