// Opens report.html, and the planner's plan.html and the sweep's sweep.html, in headless Chromium
// and checks that every chart rendered with data marks and that the page logged no error or
// warning. Chromium missing is a failure (CI installs it through scripts/install-deps.sh
// --with-test-tools); FLEETSIM_SKIP_BROWSER=1 skips the checks. FLEETSIM_CHROMIUM names the
// browser binary; FLEETSIM_KEEP_REPORT_DIR keeps the page for a look.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>
#include <unistd.h>

#include "reports/chart_specs.hpp"
#include "reports/html_report.hpp"
#include "reports/report_data.hpp"
#include "sim/study/fleet_planner.hpp"
#include "sim/study/sweep.hpp"
#include "tests/reports/synthetic_report.hpp"

using namespace fleetsim;
namespace fs = std::filesystem;

namespace {

// Virtual time lets the page's promises settle without a wall-clock wait.
constexpr int kVirtualTimeBudgetMs = 10000;
constexpr int kChromiumTimeoutS = 60;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::optional<fs::path> find_chromium() {
  if (const std::string named = env("FLEETSIM_CHROMIUM"); !named.empty()) {
    if (::access(named.c_str(), X_OK) == 0) return fs::path(named);
    return std::nullopt;
  }
  std::istringstream path(env("PATH"));
  std::string dir;
  while (std::getline(path, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
      const fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::nullopt;
}

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }  // paths hold no quote

std::string unescape_html_text(std::string text) {
  const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : kEntities) {
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, std::string(entity).size(), plain);
    }
  }
  return text;
}

struct RenderResult {
  bool ran = false;
  Json status;                           // the page's #fleetsim-status JSON; null when absent
  std::vector<std::string> chart_texts;  // every <text> the charts drew: axis labels, titles, legends
  std::string log;                       // chromium's stderr, for failure messages
};

// The contents of every SVG <text> element in the dumped DOM (charts render as SVG).
std::vector<std::string> svg_texts(const std::string& dom) {
  std::vector<std::string> texts;
  for (auto at = dom.find("<text"); at != std::string::npos; at = dom.find("<text", at + 1)) {
    const auto open_end = dom.find('>', at);
    const auto close = dom.find("</text>", at);
    if (open_end == std::string::npos || close == std::string::npos || close < open_end) break;
    texts.push_back(unescape_html_text(dom.substr(open_end + 1, close - open_end - 1)));
  }
  return texts;
}

// Writes a page into the directory given and returns its path.
using PageWriter = std::function<fs::path(const fs::path& dir)>;

// Writes the page and returns the status it wrote after rendering.
RenderResult render_in_chromium(const PageWriter& write_page, const std::string& label) {
  RenderResult result;
  if (env("FLEETSIM_SKIP_BROWSER") == "1") {
    WARN("browser test skipped because FLEETSIM_SKIP_BROWSER=1");
    return result;
  }
  const auto chromium = find_chromium();
  if (!chromium) {
    FAIL("chromium not found on PATH (or FLEETSIM_CHROMIUM is not executable). Install it with "
         "`scripts/install-deps.sh --with-test-tools` (Debian package `chromium`), or set "
         "FLEETSIM_SKIP_BROWSER=1 to skip this test.");
  }
  const std::string keep = env("FLEETSIM_KEEP_REPORT_DIR");
  const fs::path dir = keep.empty() ? fs::temp_directory_path() /
                                          ("fleetsim-browser-" + label + "-" + std::to_string(::getpid()))
                                    : fs::path(keep) / label;
  fs::remove_all(dir);
  const fs::path page = fs::absolute(write_page(dir));
  const fs::path dom = dir / "dom.html";
  const fs::path log = dir / "chromium.log";
  const std::string command =
      "timeout " + std::to_string(kChromiumTimeoutS) + " " + quoted(chromium->string()) +
      " --headless --no-sandbox --disable-gpu --disable-background-networking"
      " --disable-component-update --disable-sync --disable-extensions --no-first-run"
      " --no-default-browser-check --window-size=1280,2000 --user-data-dir=" +
      quoted((dir / "profile").string()) +
      " --virtual-time-budget=" + std::to_string(kVirtualTimeBudgetMs) + " --dump-dom " +
      quoted("file://" + page.string()) + " > " + quoted(dom.string()) + " 2> " +
      quoted(log.string());
  const int rc = std::system(command.c_str());
  result.ran = true;
  result.log = read_file(log);
  INFO("command: " << command);
  INFO("chromium stderr:\n" << result.log);
  REQUIRE(rc == 0);

  const std::string text = read_file(dom);
  const std::string marker = std::string(kHtmlStatusMarker) + " ";
  const auto pre = text.find("<pre id=\"fleetsim-status\"");
  const auto begin = pre == std::string::npos ? pre : text.find(marker, pre);
  INFO("dumped DOM is " << text.size() << " bytes; page at " << page.string());
  REQUIRE(begin != std::string::npos);  // the page's script never finished
  const auto end = text.find("</pre>", begin);
  REQUIRE(end != std::string::npos);
  result.status = Json::parse(unescape_html_text(text.substr(begin + marker.size(), end - begin - marker.size())));
  result.chart_texts = svg_texts(text);
  if (keep.empty()) fs::remove_all(dir);
  return result;
}

// report.html of `data`.
RenderResult render_in_chromium(const ReportData& data, const std::string& label) {
  return render_in_chromium(
      [&](const fs::path& dir) {
        write_reports(data, dir.string());
        return dir / "report.html";
      },
      label);
}

// Rendered without errors or warnings, and no chart labels a tick or a value NaN or Infinity
// (what Vega draws for a degenerate scale, with no error logged).
void check_clean(const RenderResult& result) {
  const Json& status = result.status;
  INFO("render status: " << status.dump(2));
  CHECK(status["ready"] == true);
  CHECK(status["errors"].empty());
  CHECK(status["warnings"].empty());
  CHECK_FALSE(result.chart_texts.empty());
  for (const std::string& text : result.chart_texts) {
    INFO("chart text: " << text);
    CHECK(text.find("NaN") == std::string::npos);
    CHECK(text.find("Infinity") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("report.html renders every chart with data in headless Chromium", "[reports][browser]") {
  // 10-minute samples: every chart kind at a fraction of a full day's drawing time.
  constexpr int kSampleIntervalMin = 10;
  const ReportData data = test::synthetic_report(kSampleIntervalMin);
  const RenderResult result = render_in_chromium(data, "full");
  if (!result.ran) return;
  const Json& status = result.status;
  check_clean(result);

  const std::vector<ChartSpec> charts = build_chart_specs(data);
  REQUIRE(status["charts"].size() == charts.size());
  for (std::size_t i = 0; i < charts.size(); ++i) {
    const Json& chart = status["charts"][i];
    INFO("chart " << chart.dump());
    CHECK(chart["id"] == charts[i].id);
    CHECK(chart["ok"] == true);
    const std::size_t rows = find_table(data, charts[i].table)->rows.size();
    CHECK(chart["rows"] == rows);
    // Each input row gives at least one data mark (a bar, a hover rule) to every chart.
    CHECK(chart["marks"].get<std::size_t>() >= rows);
  }
}

TEST_CASE("a report with only some series still renders cleanly", "[reports][browser]") {
  ReportData data = test::synthetic_report();
  data.summary.erase("latency");
  data.summary.erase("economics");
  std::erase_if(data.tables, [](const SeriesTable& t) { return t.name != "tpot_hist"; });
  const RenderResult result = render_in_chromium(data, "partial");
  if (!result.ran) return;
  check_clean(result);
  REQUIRE(result.status["charts"].size() == 1);
  CHECK(result.status["charts"][0]["id"] == "tpot_hist");
  CHECK(result.status["charts"][0]["marks"] == data.tables[0].rows.size());
}

TEST_CASE("a report of a run that turned nobody away draws its rejections chart without NaN", "[reports][browser]") {
  ReportData data = test::synthetic_report();
  std::erase_if(data.tables, [](const SeriesTable& t) { return t.name != "rejections"; });
  REQUIRE(data.tables.size() == 1);
  for (auto& row : data.tables[0].rows) row[1] = 0;
  const RenderResult result = render_in_chromium(data, "no-rejections");
  if (!result.ran) return;
  check_clean(result);
  REQUIRE(result.status["charts"].size() == 1);
  CHECK(result.status["charts"][0]["id"] == "rejections");
}

namespace {

// A page that rendered cleanly with `charts` charts, each drawing `rows` data rows in at least
// `min_marks` data marks.
void check_page_charts(const RenderResult& result, std::size_t charts, std::size_t rows, std::size_t min_marks) {
  if (!result.ran) return;
  check_clean(result);
  REQUIRE(result.status["charts"].size() == charts);
  for (const Json& chart : result.status["charts"]) {
    INFO("chart " << chart.dump());
    CHECK(chart["ok"] == true);
    CHECK(chart["rows"] == rows);
    CHECK(chart["marks"].get<std::size_t>() >= min_marks);
  }
}

Evaluation fleet_of(int prefill_units, int decode_units, double ttft_p99_s, double speed_p50,
                    std::vector<std::string> missed) {
  Evaluation e;
  e.stage = "fleet";
  e.c.prefill = {"prefill", "", 4, 32, 32, 16384, true, 384};
  e.c.decode = {"decode", "", 18, 144, 32, 128, true, 384};
  e.c.prefill_units = prefill_units;
  e.c.decode_units = decode_units;
  e.seeds = {20250227, 20250228};
  e.cost_usd_per_day = 384.0 * e.c.nodes();
  e.ttft_p99_s = ttft_p99_s;
  e.output_tok_per_s_p50 = speed_p50;
  e.tpot_p99_ms = 1000 / speed_p50 * 1.5;
  e.missed = std::move(missed);
  e.meets = e.missed.empty();
  return e;
}

}  // namespace

TEST_CASE("plan.html renders its charts and tables cleanly", "[reports][browser]") {
  PlanSpec spec;
  spec.scenario = "scenarios/deepseek-v3-r1-day.json";
  PlanResult r;
  r.peak_rate_per_s = 2384;
  r.slo = {10, 20, 0};
  r.mean_input_tok = 3909;
  r.mean_output_tok = 1080;
  r.cache_hit_share = 0.563;
  r.confirm_window_s = 1800;
  r.confirm_seeds = 2;
  r.fleets = {fleet_of(19, 9, 8.1, 18.3, {"stream speed"}), fleet_of(20, 11, 4.9, 40.2, {}),
              fleet_of(24, 11, 3.9, 40.1, {}), fleet_of(18, 11, 11.5, 40.0, {"TTFT p99", "rejections"})};
  r.evaluations = r.fleets;
  r.best = {r.fleets[1], r.fleets[2]};
  r.frontier = {r.fleets[0], r.fleets[1], r.fleets[2]};
  r.shapes = {{r.fleets[1].c.prefill, 17, 207608, "sized", 20}, {r.fleets[1].c.decode, 9, 13536, "sized", 10}};
  r.candidates_considered = 687;
  const RenderResult result = render_in_chromium(
      [&](const fs::path& dir) {
        write_plan(spec, r, dir.string());
        return dir / "plan.html";
      },
      "plan");
  // A point per fleet in each of the two charts, and more.
  check_page_charts(result, 2, r.fleets.size(), r.fleets.size());
}

TEST_CASE("sweep.html renders its charts cleanly, leaving out a figure zero everywhere", "[reports][browser]") {
  SweepSpec spec;
  spec.scenario = "scenarios/deepseek-v3-r1-day.json";
  spec.scale = 0.02;
  spec.grid = Grid({{"policies.prefill_lb", {"round-robin", "attention-balanced"}},
                    {"deployment.decode.overlap", {"true", "false"}}});
  std::vector<SweepPointResult> points;
  for (std::size_t i = 0; i < spec.grid.size(); ++i) {
    SweepPointResult p;
    p.index = i;
    p.values = spec.grid.values(i);
    const double k = 1 + static_cast<double>(i);
    p.result = {{"requests", {{"completed", 25651}, {"rejected", 0}}},
                {"fleet", {{"peak_nodes", 22}, {"avg_nodes", 22.0}}},
                {"economics", {{"cost_usd", 58.7}, {"margin_pct", 50 + k}}},
                {"throughput", {{"prefill_input_tok_per_s_per_node", 41000 + k}, {"decode_output_tok_per_s_per_node", 2460 + k}}},
                {"latency", {{"ttft_s", {{"p99", 4 + k}}}, {"tpot_ms", {{"p99", 14 + k}}},
                             {"output_tok_per_s", {{"token_weighted", 70 - k}}}}}};
    points.push_back(p);
  }
  points[3].result = nullptr;  // a point whose simulation failed
  points[3].error = "scenario: at /deployment: a failure";
  const RenderResult result = render_in_chromium(
      [&](const fs::path& dir) {
        write_sweep(spec, points, dir.string());
        return dir / "sweep.html";
      },
      "sweep");
  // Cost, margin, TTFT p99, TPOT p99 and stream speed (turned-away requests are zero everywhere),
  // each with a bar per point that ran.
  check_page_charts(result, 5, points.size(), points.size() - 1);
}
