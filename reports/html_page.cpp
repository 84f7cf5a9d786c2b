// The HTML page shell of report.html, plan.html and sweep.html: style, render-status capture,
// inlined chart libraries, chart embedding and tables.
#include "reports/html_page.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "reports/vendor_scripts.hpp"

namespace fleetsim {

namespace {

// JSON safe inside <script>: no '<' can close the element or open a comment.
std::string script_json(const Json& value) {
  const std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

constexpr std::string_view kStyle = R"CSS(
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --card: #ffffff;
  --accent: #4c78a8; --pass: #2f8a4c; --pass-bg: #e3f4e8; --fail: #b42318; --fail-bg: #fde8e6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: #1f2933; color: #fff; padding: 20px 32px 16px; }
header.top h1 { margin: 0; font-size: 22px; font-weight: 600; }
header.top .sub { color: #cbd2d9; margin-top: 4px; }
header.top nav { margin-top: 12px; display: flex; flex-wrap: wrap; gap: 4px 18px; }
header.top nav a { color: #9fb3c8; text-decoration: none; font-size: 13px; }
header.top nav a:hover { color: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 32px 40px; }
h2 { font-size: 17px; font-weight: 600; margin: 28px 0 12px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.kpi .label { color: var(--muted); font-size: 12px; font-weight: 600; letter-spacing: .02em; }
.kpi .value { font-size: 24px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.kpi .detail { color: var(--muted); font-size: 12px; margin-top: 2px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px 8px; min-width: 0; }
.charts .card.wide { grid-column: 1 / -1; }
.card h3 { margin: 0; font-size: 14px; font-weight: 600; }
.card .caption { color: var(--muted); font-size: 12px; margin: 2px 0 6px; }
.chart { width: 100%; min-height: 100px; }
.vega-embed { width: 100%; display: flex; }
.vega-embed details, .vega-embed details summary { position: relative; }
.tables { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
.tables .card { flex: 0 1 auto; max-width: 100%; overflow-x: auto; }
.tables .card.wide { flex-basis: 100%; }
table.data { border-collapse: collapse; width: 100%; margin: 6px 0 6px; font-variant-numeric: tabular-nums; }
table.data th, table.data td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
table.data th { color: var(--muted); font-weight: 600; font-size: 12px; background: #fafbfc; }
table.data .num { text-align: right; }
table.data tr.total td { font-weight: 600; border-top: 2px solid var(--line); }
table.data tr.fail td { background: var(--fail-bg); }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.pill.pass { color: var(--pass); background: var(--pass-bg); }
.pill.fail { color: var(--fail); background: var(--fail-bg); }
.pill.none { color: var(--muted); background: var(--bg); }
.note { color: var(--muted); margin: 0 0 4px; }
#fleetsim-errors { display: none; background: var(--fail-bg); color: var(--fail); border: 1px solid #f5c2bd;
  border-radius: 8px; padding: 10px 14px; margin-top: 16px; white-space: pre-wrap; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; border-top: 1px solid var(--line); padding-top: 10px; }
)CSS";

// Runs before the chart libraries so their errors and warnings are caught too.
constexpr std::string_view kCaptureScript = R"JS(
window.__fleetsimStatus = { ready: false, charts: [], errors: [], warnings: [] };
(function (status) {
  function text(args) { return Array.prototype.map.call(args, function (a) {
    return a instanceof Error ? a.message : String(a); }).join(' '); }
  var error = console.error, warn = console.warn;
  console.error = function () { status.errors.push(text(arguments)); return error.apply(console, arguments); };
  console.warn = function () { status.warnings.push(text(arguments)); return warn.apply(console, arguments); };
  window.addEventListener('error', function (e) {
    status.errors.push(e.message ? e.message + ' (' + e.filename + ':' + e.lineno + ')'
                                 : 'failed to load ' + (e.target && e.target.tagName));
  }, true);
  window.addEventListener('unhandledrejection', function (e) {
    status.errors.push('unhandled rejection: ' + (e.reason && e.reason.message || e.reason));
  });
})(window.__fleetsimStatus);
)JS";

constexpr std::string_view kMainScript = R"JS(
(function () {
  'use strict';
  var status = window.__fleetsimStatus;
  var theme = {
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    background: '#ffffff',
    view: { stroke: null },
    axis: { labelColor: '#616e7c', titleColor: '#3e4c59', gridColor: '#edf0f3', domainColor: '#9aa5b1',
            tickColor: '#9aa5b1', labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
    legend: { labelColor: '#3e4c59', labelFontSize: 11, symbolStrokeWidth: 2.5 },
    line: { strokeCap: 'round' }
  };
  // Data marks only: axes, legends and frames are group or guide marks.
  function countMarks(mark) {
    var n = 0;
    (mark.items || []).forEach(function (item) {
      if (mark.marktype !== 'group' && mark.role === 'mark') n += 1;
      (item.items || []).forEach(function (child) { n += countMarks(child); });
    });
    return n;
  }
  function finish() {
    status.ready = true;
    document.getElementById('fleetsim-status').textContent =
      'FLEETSIM_REPORT_STATUS ' + JSON.stringify(status);
    document.body.setAttribute('data-report', status.errors.length ? 'error' : 'ready');
    if (status.errors.length) {
      var box = document.getElementById('fleetsim-errors');
      box.textContent = 'Some charts could not be drawn:\n' + status.errors.join('\n');
      box.style.display = 'block';
    }
  }
  try {
    ['vega', 'vegaLite', 'vegaEmbed'].forEach(function (name) {
      var el = document.getElementById('version-' + name);
      if (el && window[name]) el.textContent = window[name].version;
    });
    var payload = JSON.parse(document.getElementById('fleetsim-data').textContent);
    var jobs = payload.charts.map(function (chart, index) {
      var table = payload.tables[chart.table];
      var rows = table.rows.map(function (row) {
        var obj = {};
        table.columns.forEach(function (column, i) { obj[column] = row[i]; });
        return obj;
      });
      var spec = chart.spec;
      spec.datasets = {};
      spec.datasets[chart.table] = rows;
      status.charts[index] = { id: chart.id, rows: rows.length, marks: 0, ok: false };
      return vegaEmbed('#chart-' + chart.id, spec,
                       { mode: 'vega-lite', renderer: 'svg', actions: false, config: theme })
        .then(function (result) {
          status.charts[index].marks = countMarks(result.view.scenegraph().root);
          status.charts[index].ok = true;
        })
        .catch(function (err) { status.errors.push('chart ' + chart.id + ': ' + (err && err.message || err)); });
    });
    Promise.all(jobs).then(finish, function (err) { status.errors.push(String(err)); finish(); });
  } catch (err) {
    status.errors.push('report script: ' + (err && err.message || err));
    finish();
  }
})();
)JS";

std::string render_headline(const std::vector<HeadlineFigure>& figures) {
  std::string out = "<div class=\"kpis\">\n";
  for (const HeadlineFigure& f : figures) {
    out += "<div class=\"kpi\"><div class=\"label\">" + escape_markup(f.label) +
           "</div><div class=\"value\">" + escape_markup(f.value) + "</div>";
    if (!f.detail.empty()) out += "<div class=\"detail\">" + escape_markup(f.detail) + "</div>";
    out += "</div>\n";
  }
  return out + "</div>\n";
}

const char* status_class(RowStatus status) {
  switch (status) {
    case RowStatus::kPass:
      return "pass";
    case RowStatus::kFail:
      return "fail";
    case RowStatus::kNone:
      break;
  }
  return "none";
}

std::string render_table(const TextTable& table, bool wide) {
  std::string out = std::string("<section class=\"card") + (wide ? " wide" : "") +
                    "\" id=\"table-" + escape_markup(table.id) + "\">\n<h3>" +
                    escape_markup(table.title) + "</h3>\n";
  if (!table.note.empty()) out += "<p class=\"note\">" + escape_markup(table.note) + "</p>\n";
  out += "<table class=\"data\"><thead><tr>";
  for (std::size_t c = 0; c < table.headers.size(); ++c) {
    out += std::string("<th") + (table.numeric[c] ? " class=\"num\"" : "") + ">" +
           escape_markup(table.headers[c]) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const bool total = table.last_row_is_total && r + 1 == table.rows.size();
    const RowStatus status = table.row_status[r];
    out += std::string("<tr") +
           (total                        ? " class=\"total\""
            : status == RowStatus::kFail ? " class=\"fail\""
                                         : "") +
           ">";
    for (std::size_t c = 0; c < table.headers.size(); ++c) {
      const std::string& cell = table.rows[r][c];
      out += std::string("<td") + (table.numeric[c] ? " class=\"num\"" : "") + ">";
      if (table.status_column == c) {
        out += std::string("<span class=\"pill ") + status_class(status) + "\">" +
               escape_markup(cell) + "</span>";
      } else {
        out += escape_markup(cell);
      }
      out += "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n</section>\n";
}

// Only the tables the charts draw travel as data, column-wise to keep the page small.
Json chart_payload(const HtmlPage& page) {
  Json payload = {{"tables", Json::object()}, {"charts", Json::array()}};
  for (const ChartSpec& chart : page.charts) {
    if (!payload["tables"].contains(chart.table)) {
      const auto table = std::find_if(page.data.begin(), page.data.end(),
                                      [&](const SeriesTable& t) { return t.name == chart.table; });
      if (table == page.data.end())
        throw std::invalid_argument("chart '" + chart.id + "' draws series '" + chart.table +
                                    "', not on the page");
      Json rows = Json::array();
      for (const auto& row : table->rows) rows.push_back(row);
      payload["tables"][chart.table] = {{"columns", table->columns}, {"rows", rows}};
    }
    payload["charts"].push_back({{"id", chart.id}, {"table", chart.table}, {"spec", chart.spec}});
  }
  return payload;
}

std::string anchor(const std::string& section) {
  std::string id = "section-";
  for (char c : section)
    id += (c == ' ') ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return id;
}

}  // namespace

std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_page(const HtmlPage& page) {
  std::vector<std::string> chart_sections;  // in page order
  for (const ChartSpec& chart : page.charts) {
    if (std::find(chart_sections.begin(), chart_sections.end(), chart.section) ==
        chart_sections.end())
      chart_sections.push_back(chart.section);
  }
  const std::string payload = script_json(chart_payload(page));

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape_markup(page.title) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n";
  out += "<script>" + std::string(kCaptureScript) + "</script>\n";
  for (const VendorScript& script : vendor_scripts()) {
    out += "<script data-library=\"" + std::string(script.name) + "\">" +
           std::string(script.source) + "\n</script>\n";
  }
  out += "</head>\n<body>\n";

  out += "<header class=\"top\">\n<h1>" + escape_markup(page.title) + "</h1>\n";
  if (!page.subtitle.empty())
    out += "<div class=\"sub\">" + escape_markup(page.subtitle) + "</div>\n";
  out += "<nav>";
  if (!page.headline.empty()) out += "<a href=\"#section-headline\">Headline</a>";
  for (const std::string& section : chart_sections) {
    out += "<a href=\"#" + anchor(section) + "\">" + escape_markup(section) + "</a>";
  }
  for (const TableSection& section : page.sections) {
    if (section.tables.empty()) continue;
    out += "<a href=\"#" + anchor(section.title) + "\">" + escape_markup(section.title) + "</a>";
  }
  out += "</nav>\n</header>\n<main>\n";
  out += "<div id=\"fleetsim-errors\"></div>\n";

  if (!page.headline.empty()) {
    out += "<h2 id=\"section-headline\">Headline</h2>\n" + render_headline(page.headline);
  }
  for (const std::string& section : chart_sections) {
    out += "<h2 id=\"" + anchor(section) + "\">" + escape_markup(section) +
           "</h2>\n<div class=\"charts\">\n";
    for (const ChartSpec& chart : page.charts) {
      if (chart.section != section) continue;
      out += std::string("<section class=\"card") + (chart.wide ? " wide" : "") + "\"><h3>" +
             escape_markup(chart.title) + "</h3><div class=\"caption\">" +
             escape_markup(chart.caption) + "</div><div class=\"chart\" id=\"chart-" + chart.id +
             "\"></div></section>\n";
    }
    out += "</div>\n";
  }
  for (const TableSection& section : page.sections) {
    if (section.tables.empty()) continue;
    out += "<h2 id=\"" + anchor(section.title) + "\">" + escape_markup(section.title) +
           "</h2>\n<div class=\"tables\">\n";
    for (const PageTable& t : section.tables) out += render_table(t.table, t.wide);
    out += "</div>\n";
  }

  out +=
      "<footer>" + (page.footer.empty() ? std::string() : escape_markup(page.footer) + " ") +
      "Charts drawn offline with Vega <span id=\"version-vega\"></span>, Vega-Lite "
      "<span id=\"version-vegaLite\"></span> and vega-embed <span id=\"version-vegaEmbed\"></span> "
      "(BSD-3-Clause).</footer>\n";
  out += "<pre id=\"fleetsim-status\" hidden></pre>\n</main>\n";
  out += "<script type=\"application/json\" id=\"fleetsim-data\">" + payload + "</script>\n";
  out += "<script>" + std::string(kMainScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace fleetsim
