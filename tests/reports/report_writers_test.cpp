// Unit tests of the report writers: CSV quoting, number formats, Markdown tables and report,
// chart selection, HTML self-containment and byte-identical output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "reports/chart_specs.hpp"
#include "reports/csv_writer.hpp"
#include "reports/html_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/markdown_table.hpp"
#include "reports/number_format.hpp"
#include "reports/report_data.hpp"
#include "reports/vendor_scripts.hpp"
#include "tests/reports/synthetic_report.hpp"

using namespace fleetsim;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("fleetsim-reports-test-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("csv_field quotes only what needs quoting", "[reports][csv]") {
  CHECK(csv_field(Json("plain")) == "plain");
  CHECK(csv_field(Json("a,b")) == "\"a,b\"");
  CHECK(csv_field(Json("say \"hi\"")) == "\"say \"\"hi\"\"\"");
  CHECK(csv_field(Json("two\nlines")) == "\"two\nlines\"");
  CHECK(csv_field(Json(" padded")) == "\" padded\"");
  CHECK(csv_field(Json("")) == "");
  CHECK(csv_field(Json(nullptr)) == "");
  CHECK(csv_field(Json(std::numeric_limits<double>::quiet_NaN())) == "");
  CHECK(csv_field(Json(42)) == "42");
  CHECK(csv_field(Json(-7LL)) == "-7");
  CHECK(csv_field(Json(0.1)) == "0.1");          // shortest round-trip, not 0.1000000000000000055
  CHECK(csv_field(Json(608000000000LL)) == "608000000000");
  CHECK(csv_field(Json(true)) == "true");
  CHECK(csv_field(Json::array({1, "x"})) == "\"[1,\"\"x\"\"]\"");
}

TEST_CASE("render_csv writes a header and one line per row", "[reports][csv]") {
  SeriesTable table{"t", "T", {"hour", "cost_usd", "note"}, {}};
  table.rows = {{"12:00", 16.5, "ok"}, {"13:00", 17, "late, \"slow\""}, {"14:00", nullptr, ""}};
  CHECK(render_csv(table) ==
        "hour,cost_usd,note\n12:00,16.5,ok\n13:00,17,\"late, \"\"slow\"\"\"\n14:00,,\n");
}

TEST_CASE("numbers are formatted for people, independent of locale", "[reports][format]") {
  CHECK(format_count(1234567.0) == "1,234,567");
  CHECK(format_count(-1234.4) == "-1,234");
  CHECK(format_count(999.0) == "999");
  CHECK(format_fixed(12345.678, 1) == "12,345.7");
  CHECK(format_fixed(-0.0001, 2) == "0.00");
  CHECK(format_sig(0.012345, 3) == "0.0123");
  CHECK(format_sig(45.14, 3) == "45.1");
  CHECK(format_sig(73700.6, 4) == "73,701");
  CHECK(format_sig(0.0, 3) == "0");
  CHECK(format_compact(6.08e11) == "608.0 B");
  CHECK(format_compact(1.95e6) == "1.950 M");
  CHECK(format_compact(512.0) == "512");
  CHECK(format_usd(12345.6) == "$12,346");
  CHECK(format_usd(1.5) == "$1.50");
  CHECK(format_usd(-250.0) == "-$250");
  CHECK(format_percent(545.04) == "545.0%");
  CHECK(format_count(std::optional<double>{}) == kMissingValue);
  CHECK(format_cell(Json(1180000000123LL)) == "1,180,000,000,123");
  CHECK(format_cell(Json("12:00")) == "12:00");
  CHECK(format_cell(Json(nullptr)) == kMissingValue);
}

TEST_CASE("MarkdownTable pads columns and right-aligns numbers", "[reports][markdown]") {
  MarkdownTable table;
  table.add_column("Metric", MarkdownTable::Align::kLeft);
  table.add_column("Value", MarkdownTable::Align::kRight);
  table.add_row({"Peak nodes", "278"});
  table.add_row({"a|b", "\xE2\x80\x94"});  // a pipe is escaped; an em dash is one column wide
  CHECK(table.render() ==
        "| Metric     | Value |\n"
        "| ---------- | ----: |\n"
        "| Peak nodes |   278 |\n"
        "| a\\|b       |     \xE2\x80\x94 |\n");
  CHECK_THROWS_AS(table.add_row({"one cell"}), std::invalid_argument);
}

TEST_CASE("report.md carries the headline, economics, hourly and validation tables",
          "[reports][markdown]") {
  const std::string md = render_markdown(test::synthetic_report());
  CHECK(md.rfind("# fleetsim run report: deepseek-v3-day\n", 0) == 0);
  for (const char* heading : {"## Headline", "## Requests and tokens", "## Fleet and economics",
                              "## Throughput per node", "## Latency", "## Hourly cost and income",
                              "## Validation against published figures", "## Rejected requests",
                              "## Simulation", "## Files"}) {
    INFO(heading);
    CHECK(md.find(std::string("\n") + heading + "\n") != std::string::npos);
  }
  CHECK(md.find("| Peak nodes") != std::string::npos);
  CHECK(md.find("$87,072") != std::string::npos);
  CHECK(md.find("545.5%") != std::string::npos);
  CHECK(md.find("3 of 4 figures within tolerance.") != std::string::npos);
  CHECK(md.find("**fail**") != std::string::npos);      // failed validation rows stand out
  CHECK(md.find("| **Total** ") != std::string::npos);  // hourly totals
  CHECK(md.find("`timeline.csv`") != std::string::npos);
  CHECK(md.find("compared at the run's scale") == std::string::npos);  // a full-scale run

  // Every table's lines have one width, so the file reads aligned in a terminal.
  std::istringstream lines(md);
  std::string line;
  std::size_t width = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '|') {
      width = 0;
      continue;
    }
    std::size_t columns = 0;
    for (unsigned char c : line) columns += (c & 0xC0U) != 0x80U ? 1 : 0;
    if (width == 0) width = columns;
    INFO(line);
    CHECK(columns == width);
  }
}

TEST_CASE("missing summary keys and tables are left out, not failed", "[reports][markdown]") {
  ReportData data;
  data.summary = {{"fleet", {{"peak_nodes", 12}}}};
  const std::string md = render_markdown(data);
  CHECK(md.find("# fleetsim run report\n") == 0);
  CHECK(md.find("| Peak nodes") != std::string::npos);
  CHECK(md.find("## Hourly") == std::string::npos);
  CHECK(md.find("## Latency") == std::string::npos);
  CHECK(md.find("## Files") == std::string::npos);
  CHECK(build_chart_specs(data).empty());
  CHECK_NOTHROW(render_html(data));
  CHECK_NOTHROW(render_markdown(ReportData{}));
}

TEST_CASE("charts are chosen from the series present", "[reports][charts]") {
  const ReportData full = test::synthetic_report();
  std::vector<std::string> ids;
  for (const ChartSpec& chart : build_chart_specs(full)) {
    ids.push_back(chart.id);
    CHECK(chart.spec["data"]["name"] == chart.table);
  }
  CHECK(ids == std::vector<std::string>{"load", "nodes", "nodes_vs_published", "queue", "prefill_decisions",
                                        "decode_decisions", "hourly_economics", "published_day_economics",
                                        "throughput_per_node", "decode_batch", "ttft_over_time",
                                        "tpot_over_time", "ttft_hist", "tpot_hist", "rejections",
                                        "rejections_over_time"});
  // The decision charts draw the autoscaler's own series, on its own clock.
  for (const ChartSpec& chart : build_chart_specs(full)) {
    if (chart.id == "prefill_decisions" || chart.id == "decode_decisions") CHECK(chart.table == "fleet_decisions");
  }
  // Without the autoscaler's decisions, neither of their charts.
  ReportData undecided = full;
  std::erase_if(undecided.tables, [](const SeriesTable& t) { return t.name == "fleet_decisions"; });
  for (const ChartSpec& chart : build_chart_specs(undecided)) {
    CHECK(chart.id != "prefill_decisions");
    CHECK(chart.id != "decode_decisions");
  }
  // Without a published day, neither of its charts.
  ReportData unpublished = full;
  std::erase_if(unpublished.tables, [](const SeriesTable& t) { return t.name == "published_day"; });
  for (SeriesTable& t : unpublished.tables) {
    if (t.name != "timeline") continue;
    t.columns.pop_back();  // published_nodes, the last column
    for (auto& row : t.rows) row.pop_back();
  }
  for (const ChartSpec& chart : build_chart_specs(unpublished)) {
    CHECK(chart.id != "nodes_vs_published");
    CHECK(chart.id != "published_day_economics");
  }

  const ChartSpec load = build_chart_specs(full).front();
  const Json& x = load.spec["encoding"]["x"];
  CHECK(x["title"] == "time of day");  // the clock column anchors the axis to wall time
  CHECK(x["axis"]["labelExpr"].get<std::string>().find("+ 720.0 +") != std::string::npos);

  // Rejections over time only when some interval had any.
  ReportData no_rejections = full;
  for (SeriesTable& t : no_rejections.tables) {
    if (t.name != "timeline") continue;
    const auto col = static_cast<std::size_t>(
        std::find(t.columns.begin(), t.columns.end(), "rejected_requests") - t.columns.begin());
    REQUIRE(col < t.columns.size());
    for (auto& row : t.rows) row[col] = 0;
  }
  for (const ChartSpec& chart : build_chart_specs(no_rejections)) CHECK(chart.id != "rejections_over_time");

  // Rejections by reason, all at zero: the bar chart keeps a [0, 1] axis (a zero-width one labels
  // its tick NaN) and says there were none; with any, the axis follows the data.
  const auto rejections_chart_of = [](const ReportData& data) {
    for (const ChartSpec& chart : build_chart_specs(data))
      if (chart.id == "rejections") return chart;
    FAIL("no rejections chart");
    return ChartSpec{};
  };
  const ChartSpec some = rejections_chart_of(full);
  CHECK_FALSE(some.spec["encoding"]["x"]["scale"].contains("domain"));
  CHECK(some.caption.find("none") == std::string::npos);
  for (SeriesTable& t : no_rejections.tables)
    if (t.name == "rejections")
      for (auto& row : t.rows) row[1] = 0;
  const ChartSpec none = rejections_chart_of(no_rejections);
  CHECK(none.spec["encoding"]["x"]["scale"]["domain"] == Json::array({0, 1}));
  CHECK(none.caption.find("none in this run") != std::string::npos);

  // A timeline without the prefill/decode split still gets a nodes chart, of the total.
  ReportData partial;
  SeriesTable timeline{"timeline", "", {"t_h", "nodes_total"}, {{0.0, 10}, {1.0, 12}}};
  partial.tables = {timeline};
  const auto charts = build_chart_specs(partial);
  REQUIRE(charts.size() == 1);
  CHECK(charts[0].id == "nodes");
  CHECK(charts[0].spec["transform"][0]["fold"] == Json::array({"nodes_total"}));
  CHECK(charts[0].spec["encoding"]["x"]["title"] == "hours since start");
}

TEST_CASE("report.html is one self-contained file", "[reports][html]") {
  const std::string html = render_html(test::synthetic_report());
  const auto& scripts = vendor_scripts();
  REQUIRE(scripts.size() == 3);
  for (const VendorScript& script : scripts) {
    INFO(script.name);
    CHECK(script.source.size() > 10000);
    CHECK(script.source.find("sourceMappingURL") == std::string_view::npos);
    CHECK(html.find(std::string("data-library=\"") + std::string(script.name) + "\"") !=
          std::string::npos);
  }
  // Nothing is fetched: no src/href to another file, and our own markup names no URL.
  std::string own = html;
  for (const VendorScript& script : scripts) {
    const auto at = own.find(std::string(script.source));
    REQUIRE(at != std::string::npos);
    own.erase(at, script.source.size());
  }
  CHECK(own.find(" src=") == std::string::npos);
  CHECK(own.find("<link") == std::string::npos);
  CHECK(own.find("http://") == std::string::npos);
  CHECK(own.find("https://") == std::string::npos);
  // Every <script> closes exactly once: no "</script" leaks out of the inlined data.
  CHECK(count(html, "<script") == count(html, "</script>"));
  for (const char* id : {"chart-load", "chart-nodes", "chart-hourly_economics", "chart-ttft_hist",
                         "fleetsim-status", "section-validation"}) {
    INFO(id);
    CHECK(html.find(std::string("id=\"") + id + "\"") != std::string::npos);
  }
  CHECK(html.find("<span class=\"pill fail\">fail</span>") != std::string::npos);
  // A name that looks like markup stays text.
  ReportData hostile = test::synthetic_report();
  hostile.summary["scenario"]["name"] = "</script><b>x</b>";
  hostile.tables[0].rows[0][1] = "</script>";
  const std::string escaped = render_html(hostile);
  CHECK(escaped.find("<b>x</b>") == std::string::npos);
  CHECK(count(escaped, "<script") == count(escaped, "</script>"));
}

TEST_CASE("write_reports writes every file, byte-identically on a rerun", "[reports][files]") {
  const ReportData data = test::synthetic_report();
  const auto a = fresh_dir("a");
  const auto b = fresh_dir("b");
  write_reports(data, a.string());
  write_reports(data, b.string());
  for (const char* name : {"timeline.csv", "fleet_decisions.csv", "hourly.csv", "ttft_hist.csv",
                           "tpot_hist.csv", "validation.csv", "rejections.csv", "report.md", "report.html"}) {
    INFO(name);
    const std::string first = read_file(a / name);
    CHECK(!first.empty());
    CHECK(first == read_file(b / name));
  }
  CHECK(read_file(a / "timeline.csv").rfind("t_h,clock,nodes_total,", 0) == 0);
  CHECK(count(read_file(a / "timeline.csv"), "\n") == 24 * 12 + 1);
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

TEST_CASE("malformed tables are refused before anything is written", "[reports][files]") {
  const auto dir = fresh_dir("bad");
  ReportData data;
  data.tables = {SeriesTable{"../escape", "", {"a"}, {}}};
  CHECK_THROWS_AS(write_reports(data, dir.string()), std::invalid_argument);
  data.tables = {SeriesTable{"t", "", {"a"}, {}}, SeriesTable{"t", "", {"a"}, {}}};
  CHECK_THROWS_AS(write_reports(data, dir.string()), std::invalid_argument);
  data.tables = {SeriesTable{"t", "", {"a", "b"}, {{1}}}};
  CHECK_THROWS_WITH(write_reports(data, dir.string()),
                    Catch::Contains("'t' row 0 has 1 cells, expected 2"));
  CHECK(!std::filesystem::exists(dir));
}

TEST_CASE("a validation table of a scaled or partial run says how it was compared", "[reports][markdown]") {
  ReportData data = test::synthetic_report();
  data.summary["scenario"]["scale"] = 0.1;
  std::string md = render_markdown(data);
  CHECK(md.find("3 of 4 figures within tolerance. Totals (tokens, nodes, money) are compared at the run's "
                "scale: published \xC3\x97 0.1.") != std::string::npos);

  // A run shorter than the published day: every row is shown, none judged, none counted.
  data.summary["scenario"]["duration_s"] = 3600;
  for (SeriesTable& t : data.tables) {
    if (t.name != "validation") continue;
    for (auto& row : t.rows) row[5] = "not judged";
  }
  md = render_markdown(data);
  CHECK(md.find("Not judged: the published figures are a whole day's, the run covers 1 h; they are set side by "
                "side.") != std::string::npos);
  CHECK(md.find("figures within tolerance") == std::string::npos);
  CHECK(md.find("**fail**") == std::string::npos);
}
