// Sweep execution and merged output.
#include "sim/study/sweep.hpp"

#include <map>
#include <mutex>
#include <stdexcept>

#include "reports/csv_writer.hpp"
#include "sim/serving/simulation.hpp"
#include "sim/metrics/metric_paths.hpp"
#include "sim/study/parallel_runner.hpp"
#include "sim/study/sweep_report.hpp"
#include "sim/util/text_file.hpp"

namespace fleetsim {

std::vector<std::string> point_overrides(const SweepSpec& spec, std::size_t index) {
  std::vector<std::string> o = spec.overrides;
  for (auto& g : spec.grid.overrides(index)) o.push_back(std::move(g));
  return o;
}

void validate_sweep(const SweepSpec& spec) {
  for (std::size_t i = 0; i < spec.grid.size(); ++i) {
    try {
      load_scenario(spec.scenario, point_overrides(spec, i), spec.scale);
    } catch (const ConfigError& e) {
      std::string where;
      for (const auto& o : spec.grid.overrides(i)) where += (where.empty() ? "" : ", ") + o;
      throw ConfigError(e.file(), e.json_path(),
                        e.expected() + " [grid point " + std::to_string(i) +
                            (where.empty() ? "" : ": " + where) + "]");
    }
  }
}

std::vector<std::size_t> rank_points(std::size_t num_points, int rank, int ranks) {
  if (ranks < 1 || rank < 0 || rank >= ranks) throw std::invalid_argument("bad MPI rank/size");
  std::vector<std::size_t> p;
  for (std::size_t i = static_cast<std::size_t>(rank); i < num_points; i += static_cast<std::size_t>(ranks))
    p.push_back(i);
  return p;
}

std::vector<SweepPointResult> run_sweep_points(const SweepSpec& spec,
                                               const std::vector<std::size_t>& points, int jobs,
                                               const SweepProgressFn& progress) {
  std::vector<SweepPointResult> out(points.size());
  std::mutex progress_mutex;
  run_indexed(points.size(), jobs, [&](std::size_t k) {
    SweepPointResult& p = out[k];
    p.index = points[k];
    p.values = spec.grid.values(p.index);
    try {
      const ScenarioSpec s = load_scenario(spec.scenario, point_overrides(spec, p.index), spec.scale);
      const SimulationResult r = simulate(s);
      p.result = result_part(r.summary);
      p.sim = r.summary.value("sim", Json::object());
    } catch (const std::exception& e) {
      p.result = nullptr;
      p.error = e.what();
    }
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(p);
    }
  });
  return out;
}

Json point_to_json(const SweepPointResult& p) {
  return Json{{"index", p.index}, {"values", p.values}, {"result", p.result}, {"sim", p.sim},
              {"error", p.error}};
}

SweepPointResult point_from_json(const Json& j) {
  SweepPointResult p;
  p.index = j.at("index").get<std::size_t>();
  p.values = j.at("values").get<std::vector<std::string>>();
  p.result = j.at("result");
  p.sim = j.at("sim");
  p.error = j.at("error").get<std::string>();
  return p;
}

namespace {

// Metric columns: the union over points, in first-seen order of each point's sorted paths;
// every successful point has the same set, so this is the summary's key order.
std::vector<std::string> metric_columns(const std::vector<SweepPointResult>& points) {
  std::vector<std::string> cols;
  std::map<std::string, bool> seen;
  for (const auto& p : points) {
    if (p.result.is_null()) continue;
    for (const auto& [path, v] : flatten_metrics(p.result))
      if (!seen[path]) {
        seen[path] = true;
        cols.push_back(path);
      }
  }
  return cols;
}

void check_order(const std::vector<SweepPointResult>& points) {
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i].index != i) throw std::logic_error("sweep results are not in point order");
}

// out += ',' + cell, written as two appends: GCC 12 warns (-Wrestrict, a false positive) on the
// temporary that `"," + std::string` builds.
void add_cell(std::string& out, const std::string& cell) {
  out += ',';
  out += cell;
}

}  // namespace

std::string render_sweep_csv(const SweepSpec& spec, const std::vector<SweepPointResult>& points) {
  check_order(points);
  const auto cols = metric_columns(points);
  std::string out = "point";
  for (const auto& a : spec.grid.axes()) add_cell(out, csv_field(a.path));
  for (const auto& c : cols) add_cell(out, csv_field(c));
  out += ",error\n";
  for (const auto& p : points) {
    out += std::to_string(p.index);
    for (const auto& v : p.values) add_cell(out, csv_field(v));
    std::map<std::string, Json> m;
    if (!p.result.is_null())
      for (auto& [path, v] : flatten_metrics(p.result)) m.emplace(path, v);
    for (const auto& c : cols) {
      const auto it = m.find(c);
      add_cell(out, it == m.end() ? std::string() : csv_field(it->second));
    }
    add_cell(out, csv_field(p.error));
    out += '\n';
  }
  return out;
}

Json render_sweep_json(const SweepSpec& spec, const std::vector<SweepPointResult>& points) {
  check_order(points);
  Json grid = Json::array();
  for (const auto& a : spec.grid.axes()) grid.push_back({{"path", a.path}, {"values", a.values}});
  Json pts = Json::array();
  for (const auto& p : points) {
    Json values = Json::object();
    for (std::size_t k = 0; k < p.values.size(); ++k)
      values[spec.grid.axes()[k].path] = parse_set_value(p.values[k]);
    Json e{{"point", p.index}, {"values", values}, {"summary", p.result}};
    if (!p.error.empty()) e["error"] = p.error;
    pts.push_back(e);
  }
  return Json{{"scenario", spec.scenario}, {"scale", spec.scale}, {"set", spec.overrides},
              {"grid", grid}, {"points", pts}};
}

void write_sweep(const SweepSpec& spec, const std::vector<SweepPointResult>& points,
                 const std::string& out_dir) {
  create_output_dir(out_dir);
  write_text_file_in(out_dir, "sweep.csv", render_sweep_csv(spec, points));
  write_text_file_in(out_dir, "sweep.json", render_sweep_json(spec, points).dump(2) + "\n");
  write_text_file_in(out_dir, "sweep.md", render_sweep_markdown(spec, points));
  write_text_file_in(out_dir, "sweep.html", render_sweep_html(spec, points));
  std::string sim = "point,events,wall_s,events_per_s,peak_rss_mb\n";
  for (const auto& p : points) {
    auto f = [&](const char* k) { return csv_field(p.sim.is_object() ? p.sim.value(k, Json()) : Json()); };
    sim += std::to_string(p.index) + "," + f("events") + "," + f("wall_s") + "," +
           f("events_per_s") + "," + f("peak_rss_mb") + "\n";
  }
  write_text_file_in(out_dir, "sweep_sim.csv", sim);
}

}  // namespace fleetsim
