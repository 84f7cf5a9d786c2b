// The planner's outputs: plan.json, plan.csv, plan.md and a self-contained plan.html page.
#include <algorithm>

#include "reports/chart_specs.hpp"
#include "reports/csv_writer.hpp"
#include "reports/html_page.hpp"
#include "reports/markdown_report.hpp"
#include "reports/number_format.hpp"
#include "reports/report_sections.hpp"
#include "sim/study/fleet_planner.hpp"
#include "sim/util/text_file.hpp"

namespace fleetsim {

namespace {

Json shape_json(const UnitShape& u) {
  return Json{{"hardware", u.hardware.empty() ? "(scenario)" : u.hardware},
              {"nodes_per_unit", u.nodes_per_unit},
              {"ep_degree", u.gpus_per_unit},
              {"redundant_experts", u.redundant_experts},
              {u.side == "prefill" ? "token_budget_per_gpu" : "max_batch_per_gpu", u.budget},
              {"overlap", u.overlap}};
}

Json eval_json(const Evaluation& e) {
  return Json{{"stage", e.stage},
              {"prefill", shape_json(e.c.prefill)},
              {"decode", shape_json(e.c.decode)},
              {"prefill_units", e.c.prefill_units},
              {"decode_units", e.c.decode_units},
              {"nodes", e.c.nodes()},
              {"cost_usd_per_day", e.cost_usd_per_day},
              {"ttft_p99_s", e.ttft_p99_s},
              {"output_tok_per_s_p50", e.output_tok_per_s_p50},
              {"tpot_p99_ms", e.tpot_p99_ms},
              {"rejected_share", e.rejected_share},
              {"meets_slo", e.meets},
              {"missed", e.missed},
              {"short_of", {{"prefill", e.prefill_short}, {"decode", e.decode_short}}},
              {"seeds", e.seeds}};
}

// "20250227" or "20250227 20250228 ...": the seeds an evaluation was judged at.
std::string seeds_text(const std::vector<std::uint64_t>& seeds) {
  std::string out;
  for (auto s : seeds) {
    if (!out.empty()) out += ' ';
    out += std::to_string(s);
  }
  return out;
}

// "4n EP32 r32 tok 16384": nodes, EP degree, redundant experts, token budget or batch cap.
std::string shape_text(const UnitShape& u) {
  return std::to_string(u.nodes_per_unit) + "n EP" + std::to_string(u.gpus_per_unit) + " r" +
         std::to_string(u.redundant_experts) + " " + (u.side == "prefill" ? "tok " : "batch ") +
         std::to_string(u.budget) + (u.overlap ? "" : " no-overlap");
}

std::string unit_text(const UnitShape& u, int units) {
  return std::to_string(units) + " x " + shape_text(u);
}

// Fleets as a table: units, cost, worst-seed figures and verdict (a missed row marked failed).
TextTable fleet_table(std::string id, std::string title, const std::vector<Evaluation>& rows,
                      std::size_t limit) {
  TextTable t;
  t.id = std::move(id);
  t.title = std::move(title);
  t.headers = {"nodes",      "cost/day",  "prefill",     "decode",
               "TTFT p99 s", "tok/s p50", "TPOT p99 ms", "SLO"};
  t.numeric = {true, true, false, false, true, true, true, false};
  t.status_column = t.headers.size() - 1;
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    const auto& e = rows[i];
    t.rows.push_back({std::to_string(e.c.nodes()), format_usd(e.cost_usd_per_day),
                      unit_text(e.c.prefill, e.c.prefill_units),
                      unit_text(e.c.decode, e.c.decode_units), format_sig(e.ttft_p99_s, 3),
                      format_sig(e.output_tok_per_s_p50, 3), format_sig(e.tpot_p99_ms, 3),
                      e.meets ? "met" : "missed: " + e.why()});
    t.row_status.push_back(e.meets ? RowStatus::kPass : RowStatus::kFail);
  }
  return t;
}

TextTable shapes_table(const std::vector<ShapeBound>& shapes) {
  TextTable t;
  t.id = "shapes";
  t.title = "Unit shapes";
  t.note =
      "Each side's shapes, sized alone against the SLOs; the lower bound is analytic (cost model), "
      "the units the fewest that met the SLOs when simulated.";
  t.headers = {"side", "shape", "capacity per unit", "lower bound (units)", "units", "fate"};
  t.numeric = {false, false, true, true, true, false};
  for (const ShapeBound& b : shapes) {
    const std::string unit = b.shape.side == "prefill" ? " computed tok/s" : " streams at the SLO";
    t.rows.push_back({b.shape.side, shape_text(b.shape), format_count(b.unit_capacity) + unit,
                      std::to_string(b.lower_bound_units),
                      b.units > 0 ? std::to_string(b.units) : "", b.fate});
    t.row_status.push_back(RowStatus::kNone);
  }
  return t;
}

// Cheapest first, the lower TTFT p99 first at equal cost (the order of the best fleets).
std::vector<Evaluation> by_cost(std::vector<Evaluation> fleets) {
  std::stable_sort(fleets.begin(), fleets.end(), cheaper_fleet);
  return fleets;
}

// The load, SLOs, windows and seeds the plan was made for, in one line.
std::string conditions_text(const PlanSpec& spec, const PlanResult& r) {
  std::string text =
      "SLOs: TTFT p99 <= " + format_sig(r.slo.ttft_p99_s, 3) +
      " s, median stream speed >= " + format_sig(r.slo.min_output_tok_per_s, 3) + " tok/s" +
      (r.slo.tpot_p99_ms > 0 ? ", TPOT p99 <= " + format_sig(r.slo.tpot_p99_ms, 3) + " ms" : "") +
      ", rejections <= 0.1%; judged on a " + format_sig(spec.window_s, 3) + " s simulated window";
  if (r.confirm_window_s != spec.window_s || r.confirm_seeds > 1) {
    const std::string seeds = r.fleets.empty() ? "" : seeds_text(r.fleets.front().seeds);
    text += ", fleets confirmed on a " + format_sig(r.confirm_window_s, 4) + " s window" +
            (r.confirm_seeds > 1 ? " at seeds " + seeds + " (the worst of them counts)" : "");
  }
  return text;
}

std::string load_text(const PlanResult& r) {
  return "Load: " + format_sig(r.peak_rate_per_s, 4) + " requests/s (flat), mean input " +
         format_count(r.mean_input_tok) + " tok (" + format_percent(100 * r.cache_hit_share) +
         " cache hit), mean output " + format_count(r.mean_output_tok) + " tok";
}

std::string search_text(const PlanSpec& spec, const PlanResult& r) {
  return "Search: " + std::to_string(r.candidates_considered) + " candidates considered, " +
         std::to_string(r.evaluations.size()) + " simulations (" +
         std::to_string(r.pruned_lower_bound) + " pruned by the analytic lower bound, " +
         std::to_string(r.pruned_dominated) + " dominated, " + std::to_string(r.pruned_bound) +
         " by the cost bound, " + std::to_string(r.screened_out) + " screened out by a " +
         format_sig(spec.screen_s, 3) + " s run; " + std::to_string(r.grown) +
         " fleets grown from ones that missed when simulated together)";
}

// plan.html's charts: every fleet judged together (by its worst seed) against its cost, TTFT p99
// with the frontier as a line, and median stream speed; each with its SLO as a dashed rule.
std::vector<ChartSpec> plan_charts(const PlanResult& r, SeriesTable& fleets) {
  fleets = {"fleets",
            "Fleets judged together",
            {"nodes", "cost_usd_per_day", "ttft_p99_s", "output_tok_per_s_p50", "tpot_p99_ms",
             "slo", "on_frontier", "prefill", "decode", "missed"},
            {}};
  for (const Evaluation& e : by_cost(r.fleets)) {
    const bool on_frontier =
        std::any_of(r.frontier.begin(), r.frontier.end(), [&](const Evaluation& f) {
          return f.c.prefill.key() == e.c.prefill.key() && f.c.decode.key() == e.c.decode.key() &&
                 f.c.prefill_units == e.c.prefill_units && f.c.decode_units == e.c.decode_units;
        });
    fleets.rows.push_back({e.c.nodes(), e.cost_usd_per_day, e.ttft_p99_s, e.output_tok_per_s_p50,
                           e.tpot_p99_ms, e.meets ? "met" : "missed", on_frontier,
                           unit_text(e.c.prefill, e.c.prefill_units),
                           unit_text(e.c.decode, e.c.decode_units), e.why()});
  }
  const Json x{{"field", "cost_usd_per_day"},
               {"type", "quantitative"},
               {"title", "cost (USD per day)"},
               {"scale", {{"zero", false}}},
               {"axis", {{"format", "$,~s"}}}};
  const Json tooltip =
      Json::array({{{"field", "nodes"}},
                   {{"field", "cost_usd_per_day"}, {"title", "cost/day"}, {"format", "$,.0f"}},
                   {{"field", "prefill"}},
                   {{"field", "decode"}},
                   {{"field", "ttft_p99_s"}, {"title", "TTFT p99 (s)"}, {"format", ",.3~r"}},
                   {{"field", "output_tok_per_s_p50"}, {"title", "tok/s p50"}, {"format", ",.3~r"}},
                   {{"field", "tpot_p99_ms"}, {"title", "TPOT p99 (ms)"}, {"format", ",.3~r"}},
                   {{"field", "slo"}, {"title", "SLO"}},
                   {{"field", "missed"}}});
  const Json color{{"field", "slo"},
                   {"type", "nominal"},
                   {"title", "SLO"},
                   {"scale", {{"domain", {"met", "missed"}}, {"range", {"#4c78a8", "#e45756"}}}},
                   {"legend", {{"orient", "top"}}}};
  auto chart = [&](std::string id, std::string title, std::string caption, const std::string& field,
                   const std::string& y_title, double slo, bool frontier_line) {
    ChartSpec c;
    c.id = std::move(id);
    c.section = "Cost and latency";
    c.title = std::move(title);
    c.caption = std::move(caption);
    c.table = fleets.name;
    const Json y{{"field", field}, {"type", "quantitative"}, {"title", y_title}};
    Json layers = Json::array();
    if (frontier_line)
      layers.push_back({{"transform", {{{"filter", "datum.on_frontier"}}}},
                        {"mark", {{"type", "line"}, {"color", "#9aa5b1"}, {"strokeWidth", 1.5}}},
                        {"encoding", {{"x", x}, {"y", y}}}});
    layers.push_back({{"mark", {{"type", "point"}, {"filled", true}, {"size", 60}}},
                      {"encoding", {{"x", x}, {"y", y}, {"color", color}, {"tooltip", tooltip}}}});
    layers.push_back({{"mark", {{"type", "rule"}, {"color", "#e45756"}, {"strokeDash", {4, 3}}}},
                      {"encoding", {{"y", {{"datum", slo}}}}}});
    c.spec = {{"width", "container"},
              {"height", 300},
              {"data", {{"name", fleets.name}}},
              {"layer", layers}};
    return c;
  };
  return {chart("cost_ttft", "Cost against TTFT p99",
                "Every fleet judged together, by its worst seed; the line joins the cost-latency "
                "frontier, "
                "the dashed rule is the SLO",
                "ttft_p99_s", "TTFT p99 (s)", r.slo.ttft_p99_s, true),
          chart("cost_speed", "Cost against stream speed",
                "Median output speed per stream, by the worst seed; the dashed rule is the SLO (at "
                "least)",
                "output_tok_per_s_p50", "output tok/s per stream, p50", r.slo.min_output_tok_per_s,
                false)};
}

std::string render_plan_html(const PlanSpec& spec, const PlanResult& r) {
  HtmlPage page;
  page.title = "fleetsim fleet plan: " + spec.scenario;
  page.subtitle = load_text(r) + ". " + conditions_text(spec, r) + ".";
  if (r.best.empty()) {
    page.headline.push_back(
        {"Cheapest fleet meeting the SLOs", "none found", "widen the search space"});
  } else {
    const Evaluation& b = r.best.front();
    page.headline = {{"Cheapest fleet meeting the SLOs", std::to_string(b.c.nodes()) + " nodes",
                      unit_text(b.c.prefill, b.c.prefill_units) + " + " +
                          unit_text(b.c.decode, b.c.decode_units)},
                     {"Cost per day", format_usd(b.cost_usd_per_day), ""},
                     {"TTFT p99", format_sig(b.ttft_p99_s, 3) + " s",
                      "SLO <= " + format_sig(r.slo.ttft_p99_s, 3) + " s"},
                     {"Stream speed, p50", format_sig(b.output_tok_per_s_p50, 3) + " tok/s",
                      "SLO >= " + format_sig(r.slo.min_output_tok_per_s, 3) + " tok/s"},
                     {"TPOT p99", format_sig(b.tpot_p99_ms, 3) + " ms", ""}};
  }
  page.headline.push_back({"Simulations", std::to_string(r.evaluations.size()),
                           std::to_string(r.candidates_considered) + " candidates · " +
                               std::to_string(r.grown) + " fleets grown"});
  SeriesTable fleets;
  page.charts = plan_charts(r, fleets);
  page.data = {fleets};
  page.sections = {
      {"Fleets",
       {{fleet_table("best", "Cheapest fleets meeting the SLOs", r.best, 10), true},
        {fleet_table("frontier", "Cost-latency frontier (TTFT p99)", r.frontier, 20), true},
        {fleet_table("fleets", "Every fleet judged together, by cost", by_cost(r.fleets),
                     r.fleets.size()),
         true}}},
      {"Search", {{shapes_table(r.shapes), true}}}};
  page.sections[1].tables.front().table.note += " " + search_text(spec, r) + ".";
  page.footer =
      "Generated by fleetsim plan; every simulation is in plan.csv and plan.json next to this "
      "page.";
  return render_page(page);
}

}  // namespace

Json plan_to_json(const PlanSpec& spec, const PlanResult& r) {
  Json shapes = Json::array();
  for (const auto& b : r.shapes)
    shapes.push_back({{"side", b.shape.side},
                      {"shape", shape_json(b.shape)},
                      {"lower_bound_units", b.lower_bound_units},
                      {"unit_capacity", b.unit_capacity},
                      {"units", b.units},
                      {"fate", b.fate}});
  Json evals = Json::array(), best = Json::array(), frontier = Json::array(),
       fleets = Json::array();
  for (const auto& e : r.evaluations) evals.push_back(eval_json(e));
  for (const auto& e : r.best) best.push_back(eval_json(e));
  for (const auto& e : r.frontier) frontier.push_back(eval_json(e));
  for (const auto& e : r.fleets) fleets.push_back(eval_json(e));
  return Json{
      {"scenario", spec.scenario},
      {"set", spec.overrides},
      {"load",
       {{"peak_rate_per_s", r.peak_rate_per_s},
        {"load_fraction", spec.load_fraction},
        {"mean_input_tok", r.mean_input_tok},
        {"mean_output_tok", r.mean_output_tok},
        {"cache_hit_share", r.cache_hit_share}}},
      {"slo",
       {{"ttft_p99_s", r.slo.ttft_p99_s},
        {"min_output_tok_per_s_p50", r.slo.min_output_tok_per_s},
        {"tpot_p99_ms", r.slo.tpot_p99_ms}}},
      {"windows_s",
       {{"screen", spec.screen_s}, {"full", spec.window_s}, {"confirm", r.confirm_window_s}}},
      {"confirm_seeds", r.confirm_seeds},
      {"search",
       {{"candidates_considered", r.candidates_considered},
        {"simulated", r.evaluations.size()},
        {"pruned_by_lower_bound", r.pruned_lower_bound},
        {"pruned_as_dominated", r.pruned_dominated},
        {"pruned_by_cost_bound", r.pruned_bound},
        {"screened_out", r.screened_out},
        {"fleets_grown_after_a_miss", r.grown}}},
      {"best", best},
      {"frontier", frontier},
      {"fleets", fleets},  // every fleet judged together, by its worst seed, met or not
      {"shapes", shapes},
      {"evaluations", evals}};
}

std::string plan_csv(const PlanResult& r) {
  std::string out =
      "stage,prefill_hardware,prefill_nodes_per_unit,prefill_ep,prefill_redundant,prefill_token_"
      "budget,"
      "prefill_overlap,prefill_units,decode_hardware,decode_nodes_per_unit,decode_ep,decode_"
      "redundant,"
      "decode_max_batch,decode_overlap,decode_units,nodes,cost_usd_per_day,ttft_p99_s,"
      "output_tok_per_s_p50,tpot_p99_ms,rejected_share,meets_slo,missed,seed\n";
  for (const auto& e : r.evaluations) {
    std::vector<Json> cells{e.stage};
    for (const auto* u : {&e.c.prefill, &e.c.decode}) {
      cells.insert(cells.end(), {Json(u->hardware), Json(u->nodes_per_unit), Json(u->gpus_per_unit),
                                 Json(u->redundant_experts), Json(u->budget), Json(u->overlap),
                                 Json(u == &e.c.prefill ? e.c.prefill_units : e.c.decode_units)});
    }
    cells.insert(cells.end(),
                 {Json(e.c.nodes()), Json(e.cost_usd_per_day), Json(e.ttft_p99_s),
                  Json(e.output_tok_per_s_p50), Json(e.tpot_p99_ms), Json(e.rejected_share),
                  Json(e.meets), Json(e.why()), Json(seeds_text(e.seeds))});
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out +=
          cells[i].is_boolean() ? (cells[i].get<bool>() ? "true" : "false") : csv_field(cells[i]);
    }
    out += '\n';
  }
  return out;
}

std::string plan_markdown(const PlanSpec& spec, const PlanResult& r) {
  std::string md = "# Fleet plan: " + spec.scenario + "\n\n";
  md +=
      load_text(r) + ".  \n" + conditions_text(spec, r) + ".  \n" + search_text(spec, r) + ".\n\n";
  md += "## Cheapest fleets meeting the SLOs\n\n";
  md += r.best.empty() ? std::string("None found: widen the search space.\n")
                       : render_markdown_table(fleet_table("best", "", r.best, 10));
  md += "\n## Cost-latency frontier (TTFT p99)\n\n" +
        render_markdown_table(fleet_table("frontier", "", r.frontier, 20));
  return md;
}

void write_plan(const PlanSpec& spec, const PlanResult& r, const std::string& out_dir) {
  create_output_dir(out_dir);
  const Json j = plan_to_json(spec, r);
  write_text_file_in(out_dir, "plan.json", j.dump(2) + "\n");
  write_text_file_in(out_dir, "plan.csv", plan_csv(r));
  const std::string md = plan_markdown(spec, r);
  write_text_file_in(out_dir, "plan.md", md);
  write_text_file_in(out_dir, "plan.html", render_plan_html(spec, r));
}

}  // namespace fleetsim
