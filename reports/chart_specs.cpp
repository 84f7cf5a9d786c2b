// Vega-Lite chart specifications for the HTML report.
#include "reports/chart_specs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace fleetsim {

namespace {

// Tableau-10 colours, the Vega default scheme, named by what they show across all charts so a
// colour means the same thing everywhere.
constexpr const char* kBlue = "#4c78a8";     // input / prefill / p50
constexpr const char* kOrange = "#f58518";   // output / decode
constexpr const char* kRed = "#e45756";      // cost / p99
constexpr const char* kTeal = "#72b7b2";     // theoretical income
constexpr const char* kGreen = "#54a24b";    // actual income
constexpr const char* kPurple = "#b279a2";   // queue
constexpr const char* kRuleGrey = "#888888";
constexpr const char* kGrey = "#79706e";       // a published reference series
constexpr const char* kDarkRed = "#9d3a3a";    // published cost
constexpr const char* kDarkTeal = "#3b7f7a";   // published income

constexpr int kChartHeightPx = 230;
constexpr int kMaxTimeTicks = 12;
constexpr double kMinutesPerHour = 60.0;
constexpr double kLogScaleSpanRatio = 100.0;  // histogram bins spanning more look better on log x

struct Series {
  std::string column;
  std::string label;  // legend and tooltip name; no '.', '[' or ']' (Vega-Lite field syntax)
  std::string color;
};

bool has(const SeriesTable& table, const std::string& column) {
  return column_index(table, column).has_value();
}

std::vector<Series> present(const SeriesTable& table, const std::vector<Series>& wanted) {
  std::vector<Series> out;
  for (const Series& s : wanted) {
    if (has(table, s.column)) out.push_back(s);
  }
  return out;
}

std::vector<double> column_numbers(const SeriesTable& table, std::size_t column) {
  std::vector<double> out;
  for (const auto& row : table.rows) {
    if (row[column].is_number()) {
      const double v = row[column].get<double>();
      if (std::isfinite(v)) out.push_back(v);
    }
  }
  return out;
}

// "HH:MM" -> minutes since midnight.
std::optional<double> parse_clock_min(const Json& cell) {
  if (!cell.is_string()) return std::nullopt;
  const std::string text = cell.get<std::string>();
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 3 != text.size()) return std::nullopt;
  int hours = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    hours = hours * 10 + (text[i] - '0');
  }
  const char m1 = text[colon + 1];
  const char m2 = text[colon + 2];
  if (m1 < '0' || m1 > '5' || m2 < '0' || m2 > '9') return std::nullopt;
  return hours * kMinutesPerHour + (m1 - '0') * 10 + (m2 - '0');
}

// The x encoding shared by every chart over the timeline: hours since start, labelled with the
// wall-clock time when the "clock" column says where the day starts.
Json time_x(const SeriesTable& timeline) {
  Json x = {{"field", "t_h"}, {"type", "quantitative"}, {"title", "hours since start"}};
  const std::vector<double> t_h = column_numbers(timeline, *column_index(timeline, "t_h"));
  if (t_h.size() < 2) return x;
  const auto [lo_it, hi_it] = std::minmax_element(t_h.begin(), t_h.end());
  const double lo = *lo_it;
  const double hi = *hi_it;
  x["scale"] = {{"domain", {lo, hi}}, {"nice", false}, {"zero", false}};

  static constexpr std::array<double, 14> kStepsH{1.0 / 12, 1.0 / 6, 0.25, 0.5, 1, 2, 3,
                                                  4,        6,       12,   24,  48, 72, 168};
  double step_h = kStepsH.back();
  for (double candidate : kStepsH) {
    if ((hi - lo) / candidate <= kMaxTimeTicks) {
      step_h = candidate;
      break;
    }
  }
  Json values = Json::array();
  for (auto k = static_cast<long long>(std::ceil(lo / step_h - 1e-9));
       static_cast<double>(k) * step_h <= hi + 1e-9; ++k) {
    values.push_back(static_cast<double>(k) * step_h);
  }
  x["axis"] = {{"values", values}, {"grid", true}};

  const auto clock_col = column_index(timeline, "clock");
  const auto t_col = column_index(timeline, "t_h");
  if (clock_col && !timeline.rows.empty() && timeline.rows[0][*t_col].is_number()) {
    if (const auto clock_min = parse_clock_min(timeline.rows[0][*clock_col])) {
      const double offset_min = *clock_min - timeline.rows[0][*t_col].get<double>() * kMinutesPerHour;
      // Whole minutes since midnight of the first day, then HH:MM modulo 24 h.
      const std::string minutes = "floor(datum.value * 60 + " + Json(offset_min).dump() + " + 0.5)";
      x["axis"]["labelExpr"] = "format(floor(" + minutes + " / 60) % 24, '02d') + ':' + format(" +
                               minutes + " % 60, '02d')";
      x["title"] = "time of day";
    }
  }
  return x;
}

Json hover_param() {
  return {{"name", "hover"},
          {"select",
           {{"type", "point"},
            {"fields", {"t_h"}},
            {"nearest", true},
            {"on", "pointerover"},
            {"clear", "pointerout"}}}};
}

Json time_tooltip_head(const SeriesTable& timeline) {
  if (has(timeline, "clock")) return Json::array({{{"field", "clock"}, {"title", "time"}}});
  return Json::array({{{"field", "t_h"}, {"title", "hours"}, {"format", ".2f"}}});
}

// A vertical rule under the pointer whose tooltip lists every series at that time.
Json hover_rule_layer(const SeriesTable& timeline, const std::vector<std::string>& fields,
                      const std::string& value_format, bool pivot) {
  Json tooltip = time_tooltip_head(timeline);
  for (const std::string& field : fields) {
    tooltip.push_back({{"field", field}, {"type", "quantitative"}, {"format", value_format}});
  }
  Json layer = {{"mark", {{"type", "rule"}, {"color", kRuleGrey}, {"strokeWidth", 1}}},
                {"params", {hover_param()}},
                {"encoding",
                 {{"opacity",
                   {{"condition", {{"param", "hover"}, {"empty", false}, {"value", 0.6}}},
                    {"value", 0}}},
                  {"tooltip", tooltip}}}};
  if (pivot) {
    Json groupby = {"t_h"};
    if (has(timeline, "clock")) groupby.push_back("clock");
    layer["transform"] = {{{"pivot", "series"}, {"value", "value"}, {"groupby", groupby}}};
  }
  return layer;
}

// Whether a numeric column of the table has a value above zero.
bool any_positive(const SeriesTable& table, const std::string& column) {
  const auto col = column_index(table, column);
  if (!col) return false;
  return std::any_of(table.rows.begin(), table.rows.end(), [&](const std::vector<Json>& row) {
    return row[*col].is_number() && row[*col].get<double>() > 0;
  });
}

// Several columns of the timeline against time, as lines or as a stacked area.
std::optional<ChartSpec> timeline_chart(const SeriesTable& timeline, ChartSpec chart,
                                        const std::vector<Series>& wanted,
                                        const std::string& y_title, const std::string& y_format,
                                        bool stacked_area) {
  const std::vector<Series> series = present(timeline, wanted);
  if (series.empty()) return std::nullopt;
  Json fold = Json::array();
  Json labels = Json::array();
  Json colors = Json::array();
  std::vector<std::string> label_fields;
  std::string label_expr;
  for (const Series& s : series) {
    fold.push_back(s.column);
    labels.push_back(s.label);
    colors.push_back(s.color);
    label_fields.push_back(s.label);
    label_expr += "datum.series_column === " + Json(s.column).dump() + " ? " + Json(s.label).dump() + " : ";
  }
  label_expr += "datum.series_column";

  Json y = {{"field", "value"}, {"type", "quantitative"}, {"title", y_title},
            {"axis", {{"format", y_format}}}};
  Json mark = {{"type", stacked_area ? "area" : "line"}};
  if (stacked_area) {
    y["stack"] = "zero";
    mark["interpolate"] = "step-after";
    mark["opacity"] = 0.85;
    mark["line"] = {{"strokeWidth", 1}};
  } else {
    mark["strokeWidth"] = 1.8;
  }
  Json main_layer = {
      {"mark", mark},
      {"encoding",
       {{"y", y},
        {"color",
         {{"field", "series"},
          {"type", "nominal"},
          {"scale", {{"domain", labels}, {"range", colors}}},
          {"legend", {{"orient", "top"}, {"title", nullptr}}}}}}}};
  if (stacked_area) {
    // Bottom-to-top in the order given: prefill under decode.
    main_layer["encoding"]["order"] = {{"field", "series_order"}, {"type", "quantitative"}};
    std::string order_expr;
    for (std::size_t i = 0; i < series.size(); ++i) {
      order_expr += "datum.series_column === " + Json(series[i].column).dump() + " ? " +
                    std::to_string(i) + " : ";
    }
    order_expr += std::to_string(series.size());
    chart.spec["transform"] = {{{"fold", fold}, {"as", {"series_column", "value"}}},
                               {{"calculate", label_expr}, {"as", "series"}},
                               {{"calculate", order_expr}, {"as", "series_order"}}};
  } else {
    chart.spec["transform"] = {{{"fold", fold}, {"as", {"series_column", "value"}}},
                               {{"calculate", label_expr}, {"as", "series"}}};
  }
  chart.spec["encoding"] = {{"x", time_x(timeline)}};
  chart.spec["layer"] = {main_layer, hover_rule_layer(timeline, label_fields, y_format, true)};
  chart.table = timeline.name;
  return chart;
}

// Two timeline columns of different units: left and right y axes.
std::optional<ChartSpec> dual_axis_chart(const SeriesTable& timeline, ChartSpec chart,
                                         const Series& left, const std::string& left_title,
                                         const Series& right, const std::string& right_title) {
  std::vector<std::pair<Series, std::string>> sides;
  if (has(timeline, left.column)) sides.emplace_back(left, left_title);
  if (has(timeline, right.column)) sides.emplace_back(right, right_title);
  if (sides.empty()) return std::nullopt;
  Json layers = Json::array();
  std::vector<std::string> fields;
  for (std::size_t i = 0; i < sides.size(); ++i) {
    const auto& [series, title] = sides[i];
    layers.push_back(
        {{"mark", {{"type", "line"}, {"color", series.color}, {"strokeWidth", 1.8}}},
         {"encoding",
          {{"y",
            {{"field", series.column},
             {"type", "quantitative"},
             {"title", title},
             {"axis",
              {{"orient", i == 0 ? "left" : "right"}, {"titleColor", series.color},
               {"format", "~s"}, {"grid", i == 0}}}}}}}});
    fields.push_back(series.column);
  }
  layers.push_back(hover_rule_layer(timeline, fields, ",.4~r", false));
  chart.spec["encoding"] = {{"x", time_x(timeline)}};
  chart.spec["layer"] = layers;
  if (sides.size() == 2) chart.spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  chart.table = timeline.name;
  return chart;
}

// Bars from lo to hi, with the run's p50/p99 from the summary as labelled rules.
std::optional<ChartSpec> histogram_chart(const ReportData& data, const SeriesTable& hist,
                                         ChartSpec chart, const std::string& lo,
                                         const std::string& hi, const std::string& unit,
                                         const char* summary_key) {
  if (!has(hist, lo) || !has(hist, hi) || !has(hist, "count")) return std::nullopt;
  const std::vector<double> los = column_numbers(hist, *column_index(hist, lo));
  const std::vector<double> his = column_numbers(hist, *column_index(hist, hi));
  Json x = {{"field", lo}, {"type", "quantitative"}, {"title", unit}};
  if (!los.empty() && !his.empty()) {
    const double min_lo = *std::min_element(los.begin(), los.end());
    const double max_hi = *std::max_element(his.begin(), his.end());
    if (min_lo > 0 && max_hi / min_lo >= kLogScaleSpanRatio) {
      x["scale"] = {{"type", "log"}, {"domain", {min_lo, max_hi}}, {"nice", false}};
    } else {
      x["scale"] = {{"domain", {min_lo, max_hi}}, {"nice", false}};
    }
  }
  Json bars = {
      {"mark", {{"type", "bar"}, {"color", kBlue}, {"stroke", "white"}, {"strokeWidth", 0.5}}},
      {"encoding",
       {{"x", x},
        {"x2", {{"field", hi}}},
        // x and x2 both continuous would make Vega-Lite lay the bar sideways; pin its base.
        {"y2", {{"datum", 0}}},
        {"y", {{"field", "count"}, {"type", "quantitative"}, {"title", "requests"},
               {"axis", {{"format", "~s"}}}}},
        {"tooltip",
         {{{"field", lo}, {"title", "from (" + unit + ")"}, {"format", ",.4~r"}},
          {{"field", hi}, {"title", "to (" + unit + ")"}, {"format", ",.4~r"}},
          {{"field", "count"}, {"title", "requests"}, {"format", ","}}}}}}};
  Json layers = Json::array({bars});

  Json marks = Json::array();
  for (const char* stat : {"p50", "p99"}) {
    if (const auto v = summary_number(data.summary, {"latency", summary_key, stat})) {
      marks.push_back({{"stat", stat}, {"value", *v}});
    }
  }
  if (!marks.empty()) {
    Json rule_x = {{"field", "value"}, {"type", "quantitative"}};
    layers.push_back({{"data", {{"values", marks}}},
                      {"mark", {{"type", "rule"}, {"color", kRed}, {"strokeDash", {4, 3}}}},
                      {"encoding",
                       {{"x", rule_x},
                        {"tooltip",
                         {{{"field", "stat"}}, {{"field", "value"}, {"format", ",.4~r"}}}}}}});
    layers.push_back({{"data", {{"values", marks}}},
                      // Above the plot, where no bar can hide it.
                      {"mark",
                       {{"type", "text"}, {"color", kRed}, {"align", "center"}, {"baseline", "bottom"},
                        {"y", 0}, {"dy", -3}, {"fontSize", 11}}},
                      {"encoding", {{"x", rule_x}, {"text", {{"field", "stat"}}}}}});
  }
  chart.spec["layer"] = layers;
  chart.table = hist.name;
  return chart;
}

// Grouped bars per hour, one per series.
std::optional<ChartSpec> hourly_chart(const SeriesTable& hourly, ChartSpec chart, const std::vector<Series>& wanted) {
  const std::vector<Series> series = present(hourly, wanted);
  if (series.empty() || !has(hourly, "hour")) return std::nullopt;
  Json fold = Json::array();
  Json labels = Json::array();
  Json colors = Json::array();
  std::string label_expr;
  for (const Series& s : series) {
    fold.push_back(s.column);
    labels.push_back(s.label);
    colors.push_back(s.color);
    label_expr += "datum.series_column === " + Json(s.column).dump() + " ? " + Json(s.label).dump() + " : ";
  }
  label_expr += "datum.series_column";
  chart.spec["transform"] = {{{"fold", fold}, {"as", {"series_column", "value"}}},
                             {{"calculate", label_expr}, {"as", "series"}}};
  chart.spec["mark"] = {{"type", "bar"}};
  chart.spec["encoding"] = {
      {"x",
       {{"field", "hour"}, {"type", "ordinal"}, {"sort", nullptr}, {"title", "hour"},
        {"axis", {{"labelAngle", 0}, {"labelOverlap", "parity"}}}}},
      {"xOffset", {{"field", "series"}, {"type", "nominal"}, {"sort", labels}}},
      {"y", {{"field", "value"}, {"type", "quantitative"}, {"title", "USD per hour"},
             {"axis", {{"format", "$~s"}}}}},
      {"color",
       {{"field", "series"},
        {"type", "nominal"},
        {"scale", {{"domain", labels}, {"range", colors}}},
        {"legend", {{"orient", "top"}, {"title", nullptr}}}}},
      {"tooltip",
       {{{"field", "hour"}},
        {{"field", "series"}, {"title", "what"}},
        {{"field", "value"}, {"type", "quantitative"}, {"title", "USD"}, {"format", "$,.0f"}}}}};
  chart.table = hourly.name;
  return chart;
}

std::optional<ChartSpec> rejections_chart(const SeriesTable& rejections, ChartSpec chart) {
  if (!has(rejections, "reason") || !has(rejections, "count")) return std::nullopt;
  // A fixed height per bar; a {"step": ...} height would clash with the container width.
  constexpr std::size_t kBarStepPx = 30;
  constexpr std::size_t kMinHeightPx = 60;
  chart.spec["height"] = std::max(kMinHeightPx, kBarStepPx * rejections.rows.size());
  chart.spec["mark"] = {{"type", "bar"}, {"color", kRed}};
  Json x_scale = Json::object();
  if (!any_positive(rejections, "count")) {
    // Every reason at zero: a zero-width domain would label its one tick NaN.
    x_scale["domain"] = {0, 1};
    chart.caption += ": none in this run";
  }
  chart.spec["encoding"] = {
      {"y", {{"field", "reason"}, {"type", "nominal"}, {"sort", "-x"}, {"title", nullptr}}},
      {"x", {{"field", "count"}, {"type", "quantitative"}, {"title", "requests"}, {"scale", x_scale},
             {"axis", {{"format", "~s"}, {"tickCount", 6}, {"tickMinStep", 1}}}}},
      {"tooltip", {{{"field", "reason"}}, {{"field", "count"}, {"format", ","}}}}};
  chart.table = rejections.name;
  return chart;
}

ChartSpec base(std::string id, std::string section, std::string title, std::string caption) {
  ChartSpec chart;
  chart.id = std::move(id);
  chart.section = std::move(section);
  chart.title = std::move(title);
  chart.caption = std::move(caption);
  chart.spec = {{"width", "container"}, {"height", kChartHeightPx}};
  return chart;
}

}  // namespace

std::vector<ChartSpec> build_chart_specs(const ReportData& data) {
  std::vector<std::optional<ChartSpec>> charts;
  const SeriesTable* timeline = find_table(data, "timeline");
  if (timeline != nullptr && !has(*timeline, "t_h")) timeline = nullptr;
  const std::string day = "Load and fleet";
  const std::string money = "Economics";
  const std::string speed = "Throughput";
  const std::string latency = "Latency";

  if (timeline != nullptr) {
    charts.push_back(timeline_chart(
        *timeline, base("load", day, "Load", "Input and output tokens per second across the fleet"),
        {{"input_tok_per_s", "input tok/s", kBlue}, {"output_tok_per_s", "output tok/s", kOrange}},
        "tokens per second", "~s", false));
    // Without the prefill/decode split, the total alone.
    std::vector<Series> nodes{{"nodes_prefill", "prefill", kBlue}, {"nodes_decode", "decode", kOrange}};
    if (present(*timeline, nodes).empty()) nodes = {{"nodes_total", "nodes", kBlue}};
    charts.push_back(timeline_chart(
        *timeline, base("nodes", day, "Nodes", "Nodes serving prefill and decode (stacked)"), nodes,
        "nodes", ",~r", true));
    if (has(*timeline, "published_nodes")) {
      charts.push_back(timeline_chart(
          *timeline,
          base("nodes_vs_published", day, "Nodes against the published day",
               "Simulated nodes in use beside the published node-count schedule at the same wall-clock time"),
          {{"nodes_total", "simulated", kBlue}, {"published_nodes", "published", kGrey}}, "nodes", ",~r",
          false));
    }
    charts.push_back(dual_axis_chart(
        *timeline,
        base("queue", day, "Arrivals and prefill queue", "Request arrivals and requests waiting for prefill"),
        {"arrivals_per_s", "arrivals", kBlue}, "arrivals per second",
        {"prefill_queue_requests", "queued", kPurple}, "requests queued for prefill"));
  }
  // The autoscaler's reasoning: each kind's demand against the capacity of the units it asked for.
  const SeriesTable* decisions = find_table(data, "fleet_decisions");
  if (decisions != nullptr && has(*decisions, "t_h")) {
    charts.push_back(timeline_chart(
        *decisions,
        base("prefill_decisions", day, "Prefill: demand against the units asked for",
             "At each autoscaler decision: prompt tokens to compute per second, and what the prefill units "
             "it asked for compute at their token budget (cost model)"),
        {{"computed_tok_per_s", "demand", kBlue}, {"prefill_target_tok_per_s", "capacity asked for", kGrey}},
        "computed tokens per second", "~s", false));
    charts.push_back(timeline_chart(
        *decisions,
        base("decode_decisions", day, "Decode: demand against the units asked for",
             "At each autoscaler decision: output tokens per second the arrivals ask for, and what the decode "
             "units it asked for deliver at the speed SLO (cost model)"),
        {{"output_tok_per_s", "demand", kOrange}, {"decode_target_tok_per_s_at_slo", "capacity asked for", kGrey}},
        "output tokens per second", "~s", false));
  }
  if (const SeriesTable* hourly = find_table(data, "hourly")) {
    charts.push_back(hourly_chart(
        *hourly, base("hourly_economics", money, "Cost and income per hour",
                      "Fleet cost against theoretical (list price) and actual income"),
        {{"cost_usd", "cost", kRed},
         {"theoretical_income_usd", "theoretical income", kTeal},
         {"actual_income_usd", "actual income", kGreen}}));
  }
  if (const SeriesTable* published = find_table(data, "published_day")) {
    charts.push_back(hourly_chart(
        *published, base("published_day_economics", money, "Cost and income per hour against the published day",
                         "Simulated fleet cost and theoretical income beside the published hourly bars"),
        {{"cost_usd", "cost", kRed},
         {"published_cost_usd", "published cost", kDarkRed},
         {"theoretical_income_usd", "theoretical income", kTeal},
         {"published_theoretical_income_usd", "published income", kDarkTeal}}));
  }
  if (timeline != nullptr) {
    charts.push_back(timeline_chart(
        *timeline,
        base("throughput_per_node", speed, "Throughput per node",
             "Prefill input and decode output tokens per second per node"),
        {{"prefill_input_tok_per_s_per_node", "prefill (input)", kBlue},
         {"decode_output_tok_per_s_per_node", "decode (output)", kOrange}},
        "tokens per second per node", "~s", false));
    charts.push_back(dual_axis_chart(
        *timeline,
        base("decode_batch", speed, "Decode batch and stream speed",
             "Decode batch per GPU against output speed seen by each stream"),
        {"decode_batch_per_gpu", "batch", kOrange}, "decode batch per GPU",
        {"output_tok_per_s_per_stream", "speed", kTeal}, "output tok/s per stream"));
    charts.push_back(timeline_chart(
        *timeline,
        base("expert_imbalance", speed, "Expert-parallel imbalance",
             "Max over mean routed tokens per GPU under the current EPLB placement"),
        {{"prefill_expert_imbalance", "prefill", kBlue}, {"decode_expert_imbalance", "decode", kOrange}},
        "max / mean tokens per GPU", ",.3~r", false));
    charts.push_back(timeline_chart(
        *timeline, base("ttft_over_time", latency, "Time to first token", "p50 and p99 over the run"),
        {{"ttft_p50_s", "p50", kBlue}, {"ttft_p99_s", "p99", kRed}}, "seconds", ",.3~r", false));
    charts.push_back(timeline_chart(
        *timeline, base("tpot_over_time", latency, "Time per output token", "p50 and p99 over the run"),
        {{"tpot_p50_ms", "p50", kBlue}, {"tpot_p99_ms", "p99", kRed}}, "milliseconds", ",.3~r",
        false));
  }
  if (const SeriesTable* hist = find_table(data, "ttft_hist")) {
    charts.push_back(histogram_chart(
        data, *hist, base("ttft_hist", latency, "TTFT distribution", "Requests by time to first token"),
        "lo_s", "hi_s", "seconds", "ttft_s"));
  }
  if (const SeriesTable* hist = find_table(data, "tpot_hist")) {
    charts.push_back(histogram_chart(
        data, *hist,
        base("tpot_hist", latency, "TPOT distribution", "Requests by mean time per output token"),
        "lo_ms", "hi_ms", "milliseconds", "tpot_ms"));
  }
  if (const SeriesTable* rejections = find_table(data, "rejections")) {
    charts.push_back(rejections_chart(
        *rejections, base("rejections", "Rejections", "Rejected requests", "Requests turned away, by reason")));
  }
  // When they happened, if any did (a flat zero line says nothing the table does not).
  if (timeline != nullptr && any_positive(*timeline, "rejected_requests")) {
    charts.push_back(timeline_chart(
        *timeline,
        base("rejections_over_time", "Rejections", "Rejections over time",
             "Requests turned away in each sampling interval, all reasons"),
        {{"rejected_requests", "rejected", kRed}}, "requests per interval", ",~r", false));
  }

  std::vector<ChartSpec> out;
  for (auto& chart : charts) {
    if (!chart) continue;
    chart->wide = chart->id == "queue" || chart->id == "hourly_economics" ||
                  chart->id == "published_day_economics" || chart->id == "rejections";
    chart->spec["data"] = {{"name", chart->table}};
    out.push_back(std::move(*chart));
  }
  return out;
}

}  // namespace fleetsim
