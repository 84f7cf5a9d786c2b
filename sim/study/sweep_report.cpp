// sweep.md and sweep.html: the points side by side, from each point's summary.
#include "sim/study/sweep_report.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "reports/chart_specs.hpp"
#include "reports/html_page.hpp"
#include "reports/markdown_report.hpp"
#include "reports/number_format.hpp"
#include "reports/report_sections.hpp"
#include "sim/metrics/metric_paths.hpp"

namespace fleetsim {

namespace {

// A figure of each point's summary: its column, how it reads, and whether it is charted.
struct Figure {
  std::string metric;  // dotted summary path
  std::string header;
  std::function<std::string(double)> format;
  bool charted = false;
  std::string chart_title;
};

const std::vector<Figure>& figures() {
  static const std::vector<Figure> kFigures = {
      {"requests.completed", "completed", [](double v) { return format_count(v); }},
      {"requests.rejected", "rejected", [](double v) { return format_count(v); }, true,
       "Requests turned away"},
      {"fleet.peak_nodes", "peak nodes", [](double v) { return format_count(v); }},
      {"fleet.avg_nodes", "mean nodes", [](double v) { return format_sig(v, 4); }},
      {"economics.cost_usd", "cost", [](double v) { return format_usd(v); }, true,
       "GPU cost (USD)"},
      {"economics.margin_pct", "margin", [](double v) { return format_percent(v); }, true,
       "Cost-profit margin, theoretical (%)"},
      {"throughput.prefill_input_tok_per_s_per_node", "prefill tok/s/node",
       [](double v) { return format_count(v); }},
      {"throughput.decode_output_tok_per_s_per_node", "decode tok/s/node",
       [](double v) { return format_count(v); }},
      {"latency.ttft_s.p99", "TTFT p99 s", [](double v) { return format_sig(v, 3); }, true,
       "TTFT p99 (s)"},
      {"latency.tpot_ms.p99", "TPOT p99 ms", [](double v) { return format_sig(v, 3); }, true,
       "TPOT p99 (ms)"},
      {"latency.output_tok_per_s.token_weighted", "tok/s per stream",
       [](double v) { return format_sig(v, 3); }, true,
       "Output speed per stream (tok/s, token-weighted)"},
  };
  return kFigures;
}

// A point's value of a figure; none for a point that failed or a summary without it.
std::optional<double> figure_value(const SweepPointResult& p, const Figure& f) {
  return p.result.is_null() ? std::nullopt : metric_at(p.result, f.metric);
}

// A figure's column in the chart data: Vega-Lite reads a dot in a field name as a nested field.
std::string column_of(const Figure& f) {
  std::string c = f.metric;
  for (char& ch : c)
    if (ch == '.') ch = '_';
  return c;
}

std::string axis_label(const GridAxis& a) {
  const auto dot = a.path.rfind('.');
  return dot == std::string::npos ? a.path : a.path.substr(dot + 1);
}

// "prefill_lb=round-robin, overlap=false": a point's values by their axes' last path segment.
std::string point_label(const SweepSpec& spec, const SweepPointResult& p, std::size_t first_axis) {
  std::string out;
  for (std::size_t k = first_axis; k < p.values.size(); ++k) {
    if (!out.empty()) out += ", ";
    out += axis_label(spec.grid.axes()[k]) + "=" + p.values[k];
  }
  return out.empty() ? "base scenario" : out;
}

TextTable points_table(const SweepSpec& spec, const std::vector<SweepPointResult>& points) {
  TextTable t;
  t.id = "points";
  t.title = "Points";
  t.note = "Every point's full summary is in sweep.csv and sweep.json.";
  t.headers.push_back("point");
  t.numeric.push_back(true);
  for (const auto& a : spec.grid.axes()) {
    t.headers.push_back(a.path);
    t.numeric.push_back(false);
  }
  for (const Figure& f : figures()) {
    t.headers.push_back(f.header);
    t.numeric.push_back(true);
  }
  t.headers.push_back("error");
  t.numeric.push_back(false);
  for (const auto& p : points) {
    std::vector<std::string> row{std::to_string(p.index)};
    row.insert(row.end(), p.values.begin(), p.values.end());
    for (const Figure& f : figures()) {
      const auto v = figure_value(p, f);
      row.push_back(v ? f.format(*v) : "");
    }
    row.push_back(p.error);
    t.rows.push_back(std::move(row));
    t.row_status.push_back(p.error.empty() ? RowStatus::kNone : RowStatus::kFail);
  }
  return t;
}

std::string grid_text(const SweepSpec& spec, std::size_t points) {
  std::string text = std::to_string(points) + " point(s) of " + spec.scenario;
  if (spec.scale != 1) text += " at scale " + format_short(spec.scale);
  for (const auto& a : spec.grid.axes())
    text += "; " + a.path + " over " + std::to_string(a.values.size()) + " values";
  for (const auto& o : spec.overrides) text += "; --set " + o;
  return text;
}

}  // namespace

std::string render_sweep_markdown(const SweepSpec& spec,
                                  const std::vector<SweepPointResult>& points) {
  return "# Sweep\n\n" + grid_text(spec, points.size()) + ".\n\n" +
         render_markdown_table(points_table(spec, points));
}

std::string render_sweep_html(const SweepSpec& spec, const std::vector<SweepPointResult>& points) {
  HtmlPage page;
  page.title = "fleetsim sweep: " + spec.scenario;
  page.subtitle = grid_text(spec, points.size()) + ".";
  std::size_t failed = 0;
  for (const auto& p : points) failed += p.error.empty() ? 0 : 1;
  page.headline = {{"Points", std::to_string(points.size()), std::to_string(failed) + " failed"}};

  // One row per point: the first axis's value on x, the other axes' values as the colour.
  const bool grouped = spec.grid.axes().size() > 1;
  SeriesTable data{"points", "Sweep points", {"point", "x", "series"}, {}};
  for (const Figure& f : figures())
    if (f.charted) data.columns.push_back(column_of(f));
  for (const auto& p : points) {
    std::vector<Json> row{p.index, p.values.empty() ? std::string("base scenario") : p.values[0],
                          grouped ? point_label(spec, p, 1) : std::string("all")};
    for (const Figure& f : figures()) {
      if (!f.charted) continue;
      const auto v = figure_value(p, f);
      row.push_back(v ? Json(*v) : Json());
    }
    data.rows.push_back(std::move(row));
  }
  const std::string x_title = spec.grid.axes().empty() ? "" : spec.grid.axes()[0].path;
  std::string flat;  // figures zero (or missing) at every point: a chart would show nothing
  for (const Figure& f : figures()) {
    if (!f.charted) continue;
    const bool any = std::any_of(points.begin(), points.end(), [&](const SweepPointResult& p) {
      const auto v = figure_value(p, f);
      return v && *v != 0;
    });
    if (!any) {
      flat += (flat.empty() ? "" : ", ") + f.header;
      continue;
    }
    ChartSpec c;
    c.id = "sweep_" + std::to_string(page.charts.size());
    c.section = "Figures by point";
    c.title = f.chart_title;
    c.caption = grouped ? "Bars by " + x_title + ", coloured by the other axes" : "A bar per point";
    c.table = data.name;
    Json encoding{
        {"x",
         {{"field", "x"},
          {"type", "nominal"},
          {"title", x_title},
          {"sort", nullptr},
          {"axis", {{"labelAngle", 0}}}}},
        {"y", {{"field", column_of(f)}, {"type", "quantitative"}, {"title", f.header}}},
        {"tooltip",
         Json::array({{{"field", "point"}},
                      {{"field", "x"}, {"title", x_title}},
                      {{"field", "series"}, {"title", "other axes"}},
                      {{"field", column_of(f)}, {"title", f.header}, {"format", ",.4~r"}}})}};
    if (grouped) {
      encoding["xOffset"] = {{"field", "series"}, {"type", "nominal"}, {"sort", nullptr}};
      encoding["color"] = {{"field", "series"},
                           {"type", "nominal"},
                           {"sort", nullptr},
                           {"title", nullptr},
                           {"legend", {{"orient", "top"}}}};
    }
    c.spec = {{"width", "container"},
              {"height", 230},
              {"data", {{"name", data.name}}},
              {"mark", {{"type", "bar"}, {"color", "#4c78a8"}}},
              {"encoding", encoding}};
    page.charts.push_back(std::move(c));
  }
  page.data = {data};
  page.sections = {{"Points", {{points_table(spec, points), true}}}};
  if (!flat.empty())
    page.sections.front().tables.front().table.note +=
        " Zero at every point, not charted: " + flat + ".";
  page.footer =
      "Generated by fleetsim sweep; every point's full summary is in sweep.csv and sweep.json.";
  return render_page(page);
}

}  // namespace fleetsim
