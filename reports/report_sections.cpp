// Headline figures and text tables shared by report.md and report.html.
#include "reports/report_sections.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <optional>

#include "reports/number_format.hpp"

namespace fleetsim {

namespace {

constexpr double kTokensPerMillion = 1e6;
constexpr double kPercent = 100.0;
constexpr int kLatencyDigits = 3;
constexpr int kRateDigits = 4;

using Path = std::initializer_list<const char*>;

std::optional<double> number(const ReportData& data, Path path) {
  return summary_number(data.summary, path);
}

std::optional<double> ratio_pct(std::optional<double> part, std::optional<double> whole) {
  if (!part || !whole || *whole == 0.0) return std::nullopt;
  return *part / *whole * kPercent;
}

std::string join_present(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += " \xC2\xB7 ";  // middle dot
    out += part;
  }
  return out;
}

std::string labelled(const std::string& label, std::optional<double> value,
                     const std::function<std::string(double)>& format) {
  return value ? label + " " + format(*value) : std::string{};
}

std::optional<double> cell_number(const Json& cell) {
  if (!cell.is_number()) return std::nullopt;
  const double value = cell.get<double>();
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

// Key/value table builder that drops rows whose value is absent.
struct KeyValueTable {
  TextTable table;
  KeyValueTable(std::string id, std::string title) {
    table.id = std::move(id);
    table.title = std::move(title);
    table.headers = {"Metric", "Value"};
    table.numeric = {false, true};
  }
  void add(const std::string& label, const std::string& value) {
    if (value == kMissingValue) return;
    table.rows.push_back({label, value});
    table.row_status.push_back(RowStatus::kNone);
  }
};

// How one known column of a series is shown, and how its total row is formed.
enum class Total { kNone, kSum, kMean, kLabel };
struct ColumnView {
  std::string column;
  std::string header;
  std::function<std::string(const Json&)> format;
  Total total = Total::kNone;
};

std::string cell_or_missing(const Json& cell, const std::function<std::string(double)>& format) {
  const auto value = cell_number(cell);
  if (value) return format(*value);
  return cell.is_string() ? cell.get<std::string>() : std::string{kMissingValue};
}

std::function<std::string(const Json&)> numeric_format(std::function<std::string(double)> f) {
  return [f = std::move(f)](const Json& cell) { return cell_or_missing(cell, f); };
}

// Like numeric_format, but whole numbers given as integers stay whole ("278", not "278.0").
std::function<std::string(const Json&)> measured_format(std::function<std::string(double)> f) {
  return [f = std::move(f)](const Json& cell) {
    return cell.is_number_integer() ? format_cell(cell) : cell_or_missing(cell, f);
  };
}

// Known columns first in the given order, then any others the simulation added.
TextTable series_text_table(const SeriesTable& series, const std::string& title,
                            const std::vector<ColumnView>& views, bool with_total) {
  struct Shown {
    std::size_t index;
    const ColumnView* view;  // nullptr: generic
  };
  std::vector<Shown> shown;
  std::vector<bool> used(series.columns.size(), false);
  for (const ColumnView& view : views) {
    if (auto index = column_index(series, view.column)) {
      shown.push_back({*index, &view});
      used[*index] = true;
    }
  }
  for (std::size_t c = 0; c < series.columns.size(); ++c) {
    if (!used[c]) shown.push_back({c, nullptr});
  }

  TextTable table;
  table.id = series.name;
  table.title = title.empty() ? series.title : title;
  for (const Shown& s : shown) {
    table.headers.push_back(s.view ? s.view->header : series.columns[s.index]);
    bool numeric = true;
    for (const auto& row : series.rows) numeric = numeric && !row[s.index].is_string();
    table.numeric.push_back(numeric && !series.rows.empty());
  }
  for (const auto& row : series.rows) {
    std::vector<std::string> cells;
    for (const Shown& s : shown) {
      cells.push_back(s.view ? s.view->format(row[s.index]) : format_cell(row[s.index]));
    }
    table.rows.push_back(std::move(cells));
    table.row_status.push_back(RowStatus::kNone);
  }
  if (with_total && !series.rows.empty()) {
    std::vector<std::string> cells;
    for (const Shown& s : shown) {
      const Total total = s.view ? s.view->total : Total::kNone;
      if (total == Total::kLabel) {
        cells.push_back("Total");
        continue;
      }
      if (total == Total::kNone) {
        cells.push_back("");
        continue;
      }
      double sum = 0.0;
      std::size_t n = 0;
      for (const auto& row : series.rows) {
        if (auto v = cell_number(row[s.index])) {
          sum += *v;
          ++n;
        }
      }
      if (n == 0) {
        cells.push_back(kMissingValue);
      } else {
        const double value = total == Total::kSum ? sum : sum / static_cast<double>(n);
        cells.push_back(s.view->format(Json(value)));
      }
    }
    table.rows.push_back(std::move(cells));
    table.row_status.push_back(RowStatus::kNone);
    table.last_row_is_total = true;
  }
  return table;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

TextTable traffic_table(const ReportData& data) {
  KeyValueTable t("traffic", "Requests and tokens");
  t.add("Requests arrived", format_count(number(data, {"requests", "arrived"})));
  t.add("Requests completed", format_count(number(data, {"requests", "completed"})));
  t.add("Requests rejected", format_count(number(data, {"requests", "rejected"})));
  t.add("Requests in flight at the end, finished after it",
        format_count(number(data, {"requests", "in_flight_at_end"})));
  const auto last_ended_s = number(data, {"requests", "last_ended_s"});
  const auto window_s = number(data, {"scenario", "duration_s"});
  if (last_ended_s && window_s)
    t.add("Last of them ended", format_sig((*last_ended_s - *window_s) / 60.0, 3) + " min after the end");
  t.add("Input tokens", format_count(number(data, {"tokens", "input"})));
  const auto hit = number(data, {"tokens", "input_cache_hit"});
  const auto hit_pct = ratio_pct(hit, number(data, {"tokens", "input"}));
  t.add("Input tokens hitting the KV cache",
        hit ? format_count(*hit) + (hit_pct ? " (" + format_percent(*hit_pct) + ")" : "")
            : kMissingValue);
  t.add("Output tokens", format_count(number(data, {"tokens", "output"})));
  return t.table;
}

TextTable fleet_table(const ReportData& data) {
  KeyValueTable t("fleet", "Fleet and economics");
  t.add("Peak nodes", format_count(number(data, {"fleet", "peak_nodes"})));
  t.add("Average nodes", format_sig(number(data, {"fleet", "avg_nodes"}), kRateDigits));
  t.add("Minimum nodes", format_count(number(data, {"fleet", "min_nodes"})));
  t.add("Node-hours", format_sig(number(data, {"fleet", "node_hours"}), kRateDigits));
  // Node-hours held by units not taking work: loading weights, or finishing their streams.
  for (const char* role : {"prefill", "decode"}) {
    for (const char* state : {"warming", "draining"}) {
      t.add(std::string("Node-hours ") + state + " (" + role + ")",
            format_sig(number(data, {"fleet", "node_hours_by_state", role, state}), kRateDigits));
    }
  }
  const auto cost = number(data, {"economics", "cost_usd"});
  t.add("Cost", format_usd(cost));
  t.add("Revenue (theoretical, list price)", format_usd(number(data, {"economics", "revenue_usd"})));
  t.add("Revenue (actual, after discounts)",
        format_usd(number(data, {"economics", "actual_revenue_usd"})));
  t.add("Margin (theoretical)", format_percent(number(data, {"economics", "margin_pct"})));
  t.add("Margin (actual)", format_percent(number(data, {"economics", "actual_margin_pct"})));
  const auto output = number(data, {"tokens", "output"});
  if (cost && output && *output > 0) {
    t.add("Cost per million output tokens", format_usd(*cost / *output * kTokensPerMillion));
  }
  const auto node_hours = number(data, {"fleet", "node_hours"});
  if (cost && node_hours && *node_hours > 0) {
    t.add("Cost per node-hour", format_usd(*cost / *node_hours));
  }
  return t.table;
}

TextTable throughput_table(const ReportData& data) {
  KeyValueTable t("throughput", "Throughput per node");
  t.add("Prefill input tok/s per node",
        format_sig(number(data, {"throughput", "prefill_input_tok_per_s_per_node"}), kRateDigits));
  t.add("Decode output tok/s per node",
        format_sig(number(data, {"throughput", "decode_output_tok_per_s_per_node"}), kRateDigits));
  // What the cost model says an active node can do (averaged over the run's autoscaler
  // decisions), and how much of it was used.
  t.add("Prefill capacity, input tok/s per node (cost model, at the token budget)",
        format_sig(number(data, {"capacity", "prefill_input_tok_per_s_per_node"}), kRateDigits));
  t.add("Decode capacity, output tok/s per node (cost model, at the speed SLO)",
        format_sig(number(data, {"capacity", "decode_output_tok_per_s_per_node_at_slo"}), kRateDigits));
  const auto pct = [&](Path path) {
    const auto v = number(data, path);
    return v ? format_percent(*v * kPercent) : std::string(kMissingValue);
  };
  t.add("Prefill utilization of active nodes", pct({"capacity", "prefill_utilization"}));
  t.add("Decode utilization of active nodes", pct({"capacity", "decode_utilization"}));
  return t.table;
}

TextTable latency_table(const ReportData& data) {
  TextTable table;
  table.id = "latency";
  table.title = "Latency";
  table.headers = {"Metric", "Mean", "p50", "p90", "p99"};
  table.numeric = {false, true, true, true, true};
  struct Row {
    const char* key;
    const char* label;
  };
  static constexpr Row kRows[] = {{"ttft_s", "Time to first token (s)"},
                                  {"tpot_ms", "Time per output token (ms)"},
                                  {"output_tok_per_s", "Output speed per stream (tok/s)"}};
  for (const Row& row : kRows) {
    std::vector<std::string> cells{row.label};
    bool any = false;
    for (const char* stat : {"mean", "p50", "p90", "p99"}) {
      const auto value = number(data, {"latency", row.key, stat});
      any = any || value.has_value();
      cells.push_back(format_sig(value, kLatencyDigits));
    }
    if (!any) continue;
    table.rows.push_back(std::move(cells));
    table.row_status.push_back(RowStatus::kNone);
  }
  return table;
}

TextTable simulation_table(const ReportData& data) {
  KeyValueTable t("simulation", "Simulation");
  t.add("Events", format_count(number(data, {"sim", "events"})));
  t.add("Wall time (s)", format_sig(number(data, {"sim", "wall_s"}), kRateDigits));
  t.add("Events per second", format_compact(number(data, {"sim", "events_per_s"})));
  t.add("Peak RSS (MB)", format_sig(number(data, {"sim", "peak_rss_mb"}), kRateDigits));
  return t.table;
}

TextTable hourly_table(const SeriesTable& series) {
  const auto usd = numeric_format([](double v) { return format_usd(v); });
  const auto tokens = numeric_format([](double v) { return format_compact(v); });
  std::vector<ColumnView> views{
      {"hour", "Hour", [](const Json& c) { return format_cell(c); }, Total::kLabel},
      {"nodes_avg", "Avg nodes", numeric_format([](double v) { return format_fixed(v, 1); }),
       Total::kMean},
      {"cost_usd", "Cost", usd, Total::kSum},
      {"theoretical_income_usd", "Income (theoretical)", usd, Total::kSum},
      {"actual_income_usd", "Income (actual)", usd, Total::kSum},
      {"input_tokens", "Input tokens", tokens, Total::kSum},
      {"cache_hit_tokens", "Cache-hit tokens", tokens, Total::kSum},
      {"output_tokens", "Output tokens", tokens, Total::kSum}};
  return series_text_table(series, "Hourly cost and income", views, true);
}

TextTable published_day_table(const ReportData& data, const SeriesTable& series) {
  const auto usd = numeric_format([](double v) { return format_usd(v); });
  const auto nodes = numeric_format([](double v) { return format_fixed(v, 1); });
  const auto signed_nodes = numeric_format([](double v) { return (v > 0 ? "+" : "") + format_fixed(v, 1); });
  const auto pct = numeric_format([](double v) { return (v > 0 ? "+" : "") + format_fixed(v, 1) + "%"; });
  std::vector<ColumnView> views{
      {"hour", "Hour", [](const Json& c) { return format_cell(c); }, Total::kLabel},
      {"nodes_avg", "Avg nodes", nodes, Total::kMean},
      {"published_nodes", "Published nodes", nodes, Total::kMean},
      {"nodes_error", "Nodes error", signed_nodes},
      {"cost_usd", "Cost", usd, Total::kSum},
      {"published_cost_usd", "Published cost", usd, Total::kSum},
      {"cost_error_pct", "Cost error", pct},
      {"theoretical_income_usd", "Income (theoretical)", usd, Total::kSum},
      {"published_theoretical_income_usd", "Published income", usd, Total::kSum},
      {"income_error_pct", "Income error", pct}};
  TextTable table = series_text_table(series, "Hour by hour against the published day", views, true);
  const auto mae = number(data, {"published_day", "nodes_mean_abs_error"});
  const auto cost = number(data, {"published_day", "cost_mean_abs_error_pct"});
  const auto income = number(data, {"published_day", "theoretical_income_mean_abs_error_pct"});
  if (mae && cost && income) {
    table.note = "Mean absolute error over the hours: " + format_fixed(*mae, 1) + " nodes, cost " +
                 format_fixed(*cost, 1) + "%, theoretical income " + format_fixed(*income, 1) + "%.";
  }
  return table;
}

TextTable validation_table(const SeriesTable& series, const ReportData& data) {
  const auto sig = measured_format([](double v) { return format_sig(v, kRateDigits); });
  const auto pct = numeric_format([](double v) { return format_fixed(v, 1) + "%"; });
  std::vector<ColumnView> views{
      {"metric", "Metric", [](const Json& c) { return format_cell(c); }},
      {"published", "Published", sig},
      {"simulated", "Simulated", sig},
      {"error_pct", "Error", pct},
      {"tolerance_pct", "Tolerance", pct},
      {"status", "Status", [](const Json& c) { return format_cell(c); }}};
  TextTable table = series_text_table(series, "Validation against published figures", views, false);
  if (const auto status = column_index(series, "status")) {
    const auto header = std::find(table.headers.begin(), table.headers.end(), "Status");
    if (header != table.headers.end()) table.status_column = static_cast<std::size_t>(header - table.headers.begin());
    std::size_t passed = 0, judged = 0;
    for (std::size_t r = 0; r < series.rows.size(); ++r) {
      const Json& cell = series.rows[r][*status];
      table.row_status[r] = parse_row_status(cell.is_string() ? cell.get<std::string>() : "");
      passed += table.row_status[r] == RowStatus::kPass ? 1 : 0;
      judged += table.row_status[r] != RowStatus::kNone ? 1 : 0;
    }
    if (judged > 0) {
      table.note = std::to_string(passed) + " of " + std::to_string(judged) + " figures within tolerance.";
    } else {
      const auto hours = summary_number(data.summary, {"scenario", "duration_s"});
      table.note = "Not judged: the published figures are a whole day's" +
                   (hours ? ", the run covers " + format_short(*hours / 3600) + " h" : std::string()) +
                   "; they are set side by side.";
    }
    const auto scale = summary_number(data.summary, {"scenario", "scale"});
    if (scale && *scale < 1)
      table.note += " Totals (tokens, nodes, money) are compared at the run's scale: published × " +
                    format_short(*scale) + ".";
  }
  return table;
}

TextTable rejections_table(const SeriesTable& series) {
  std::vector<ColumnView> views{
      {"reason", "Reason", [](const Json& c) { return format_cell(c); }, Total::kLabel},
      {"count", "Requests", numeric_format([](double v) { return format_count(v); }),
       Total::kSum}};
  return series_text_table(series, "Rejected requests", views, series.rows.size() > 1);
}

}  // namespace

RowStatus parse_row_status(const std::string& status) {
  const std::string s = lower(status);
  if (s.find("fail") != std::string::npos || s.rfind("out", 0) == 0) {
    return RowStatus::kFail;
  }
  if (s.find("pass") != std::string::npos || s == "ok" || s.find("within") != std::string::npos) {
    return RowStatus::kPass;
  }
  return RowStatus::kNone;
}

std::vector<HeadlineFigure> build_headline(const ReportData& data) {
  std::vector<HeadlineFigure> figures;
  auto add = [&](std::string label, std::optional<double> value,
                 const std::function<std::string(double)>& format, std::string detail) {
    if (value) figures.push_back({std::move(label), format(*value), std::move(detail)});
  };
  const auto count = [](double v) { return format_count(v); };
  const auto compact = [](double v) { return format_compact(v); };
  const auto usd = [](double v) { return format_usd(v); };
  const auto pct = [](double v) { return format_percent(v); };
  const auto seconds = [](double v) { return format_sig(v, kLatencyDigits) + " s"; };
  const auto millis = [](double v) { return format_sig(v, kLatencyDigits) + " ms"; };

  add("Requests completed", number(data, {"requests", "completed"}), compact,
      join_present({labelled("of", number(data, {"requests", "arrived"}), compact),
                    labelled("rejected", number(data, {"requests", "rejected"}), compact),
                    labelled("in flight at the end", number(data, {"requests", "in_flight_at_end"}), compact)}));
  const auto hit_pct =
      ratio_pct(number(data, {"tokens", "input_cache_hit"}), number(data, {"tokens", "input"}));
  add("Input tokens", number(data, {"tokens", "input"}), compact,
      hit_pct ? format_percent(*hit_pct) + " cache hit" : "");
  add("Output tokens", number(data, {"tokens", "output"}), compact, "");
  add("Peak nodes", number(data, {"fleet", "peak_nodes"}), count,
      join_present({labelled("avg", number(data, {"fleet", "avg_nodes"}),
                             [](double v) { return format_fixed(v, 1); }),
                    labelled("min", number(data, {"fleet", "min_nodes"}), count)}));
  add("Cost", number(data, {"economics", "cost_usd"}), usd,
      labelled("", number(data, {"fleet", "node_hours"}),
               [](double v) { return format_sig(v, kRateDigits) + " node-hours"; }));
  add("Revenue", number(data, {"economics", "revenue_usd"}), usd,
      labelled("actual", number(data, {"economics", "actual_revenue_usd"}), usd));
  add("Margin", number(data, {"economics", "margin_pct"}), pct,
      labelled("actual", number(data, {"economics", "actual_margin_pct"}), pct));
  const auto tok_per_s = [](double v) { return format_compact(v) + " tok/s"; };
  add("Decode per node", number(data, {"throughput", "decode_output_tok_per_s_per_node"}),
      tok_per_s,
      labelled("prefill", number(data, {"throughput", "prefill_input_tok_per_s_per_node"}),
               tok_per_s));
  add("Time to first token, p50", number(data, {"latency", "ttft_s", "p50"}), seconds,
      labelled("p99", number(data, {"latency", "ttft_s", "p99"}), seconds));
  add("Time per output token, p50", number(data, {"latency", "tpot_ms", "p50"}), millis,
      labelled("p99", number(data, {"latency", "tpot_ms", "p99"}), millis));
  for (HeadlineFigure& figure : figures) {
    // labelled("", ...) leaves a leading space.
    if (!figure.detail.empty() && figure.detail.front() == ' ') figure.detail.erase(0, 1);
  }
  return figures;
}

std::vector<TextTable> build_text_tables(const ReportData& data) {
  std::vector<TextTable> tables{traffic_table(data), fleet_table(data), throughput_table(data),
                                latency_table(data)};
  if (const SeriesTable* hourly = find_table(data, "hourly")) tables.push_back(hourly_table(*hourly));
  if (const SeriesTable* p = find_table(data, "published_day")) tables.push_back(published_day_table(data, *p));
  if (const SeriesTable* v = find_table(data, "validation")) tables.push_back(validation_table(*v, data));
  if (const SeriesTable* r = find_table(data, "rejections")) tables.push_back(rejections_table(*r));
  tables.push_back(simulation_table(data));
  std::erase_if(tables, [](const TextTable& t) { return t.rows.empty(); });
  return tables;
}

}  // namespace fleetsim
