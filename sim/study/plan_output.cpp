// The planner's outputs: plan.json, plan.csv, plan.md and a self-contained plan.html chart.
#include <filesystem>
#include <fstream>

#include "reports/csv_writer.hpp"
#include "reports/markdown_table.hpp"
#include "reports/number_format.hpp"
#include "reports/vendor_scripts.hpp"
#include "sim/study/fleet_planner.hpp"

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

std::string unit_text(const UnitShape& u, int units) {
  return std::to_string(units) + " x " + std::to_string(u.nodes_per_unit) + "n EP" +
         std::to_string(u.gpus_per_unit) + " r" + std::to_string(u.redundant_experts) + " " +
         (u.side == "prefill" ? "tok " : "batch ") + std::to_string(u.budget) +
         (u.overlap ? "" : " no-overlap");
}

MarkdownTable fleet_table(const std::vector<Evaluation>& rows, std::size_t limit) {
  MarkdownTable t;
  using A = MarkdownTable::Align;
  t.add_column("nodes", A::kRight);
  t.add_column("cost/day", A::kRight);
  t.add_column("prefill", A::kLeft);
  t.add_column("decode", A::kLeft);
  t.add_column("TTFT p99 s", A::kRight);
  t.add_column("tok/s p50", A::kRight);
  t.add_column("TPOT p99 ms", A::kRight);
  t.add_column("SLO", A::kLeft);
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    const auto& e = rows[i];
    t.add_row({std::to_string(e.c.nodes()), format_usd(e.cost_usd_per_day),
               unit_text(e.c.prefill, e.c.prefill_units), unit_text(e.c.decode, e.c.decode_units),
               format_sig(e.ttft_p99_s, 3), format_sig(e.output_tok_per_s_p50, 3),
               format_sig(e.tpot_p99_ms, 3), e.meets ? "met" : "missed: " + e.why()});
  }
  return t;
}

}  // namespace

Json plan_to_json(const PlanSpec& spec, const PlanResult& r) {
  Json shapes = Json::array();
  for (const auto& b : r.shapes)
    shapes.push_back({{"side", b.shape.side}, {"shape", shape_json(b.shape)},
                      {"lower_bound_units", b.lower_bound_units}, {"unit_capacity", b.unit_capacity},
                      {"units", b.units}, {"fate", b.fate}});
  Json evals = Json::array(), best = Json::array(), frontier = Json::array(), fleets = Json::array();
  for (const auto& e : r.evaluations) evals.push_back(eval_json(e));
  for (const auto& e : r.best) best.push_back(eval_json(e));
  for (const auto& e : r.frontier) frontier.push_back(eval_json(e));
  for (const auto& e : r.fleets) fleets.push_back(eval_json(e));
  return Json{{"scenario", spec.scenario},
              {"set", spec.overrides},
              {"load", {{"peak_rate_per_s", r.peak_rate_per_s}, {"load_fraction", spec.load_fraction},
                        {"mean_input_tok", r.mean_input_tok}, {"mean_output_tok", r.mean_output_tok},
                        {"cache_hit_share", r.cache_hit_share}}},
              {"slo", {{"ttft_p99_s", r.slo.ttft_p99_s}, {"min_output_tok_per_s_p50", r.slo.min_output_tok_per_s},
                       {"tpot_p99_ms", r.slo.tpot_p99_ms}}},
              {"windows_s", {{"screen", spec.screen_s}, {"full", spec.window_s},
                             {"confirm", r.confirm_window_s}}},
              {"confirm_seeds", r.confirm_seeds},
              {"search", {{"candidates_considered", r.candidates_considered},
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
      "stage,prefill_hardware,prefill_nodes_per_unit,prefill_ep,prefill_redundant,prefill_token_budget,"
      "prefill_overlap,prefill_units,decode_hardware,decode_nodes_per_unit,decode_ep,decode_redundant,"
      "decode_max_batch,decode_overlap,decode_units,nodes,cost_usd_per_day,ttft_p99_s,"
      "output_tok_per_s_p50,tpot_p99_ms,rejected_share,meets_slo,missed,seed\n";
  for (const auto& e : r.evaluations) {
    std::vector<Json> cells{e.stage};
    for (const auto* u : {&e.c.prefill, &e.c.decode}) {
      cells.insert(cells.end(), {Json(u->hardware), Json(u->nodes_per_unit), Json(u->gpus_per_unit),
                                 Json(u->redundant_experts), Json(u->budget), Json(u->overlap),
                                 Json(u == &e.c.prefill ? e.c.prefill_units : e.c.decode_units)});
    }
    cells.insert(cells.end(), {Json(e.c.nodes()), Json(e.cost_usd_per_day), Json(e.ttft_p99_s),
                               Json(e.output_tok_per_s_p50), Json(e.tpot_p99_ms), Json(e.rejected_share),
                               Json(e.meets), Json(e.why()), Json(seeds_text(e.seeds))});
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += cells[i].is_boolean() ? (cells[i].get<bool>() ? "true" : "false") : csv_field(cells[i]);
    }
    out += '\n';
  }
  return out;
}

std::string plan_markdown(const PlanSpec& spec, const PlanResult& r) {
  std::string md = "# Fleet plan: " + spec.scenario + "\n\n";
  md += "Load: " + format_sig(r.peak_rate_per_s, 4) + " requests/s (flat), mean input " +
        format_count(r.mean_input_tok) + " tok (" + format_percent(100 * r.cache_hit_share) +
        " cache hit), mean output " + format_count(r.mean_output_tok) + " tok.  \n";
  md += "SLOs: TTFT p99 <= " + format_sig(r.slo.ttft_p99_s, 3) + " s, median stream speed >= " +
        format_sig(r.slo.min_output_tok_per_s, 3) + " tok/s" +
        (r.slo.tpot_p99_ms > 0 ? ", TPOT p99 <= " + format_sig(r.slo.tpot_p99_ms, 3) + " ms" : "") +
        ", rejections <= 0.1%; judged on a " + format_sig(spec.window_s, 3) + " s simulated window";
  if (r.confirm_window_s != spec.window_s || r.confirm_seeds > 1) {
    const std::string seeds = r.fleets.empty() ? "" : seeds_text(r.fleets.front().seeds);
    md += ", fleets confirmed on a " + format_sig(r.confirm_window_s, 4) + " s window" +
          (r.confirm_seeds > 1 ? " at seeds " + seeds + " (the worst of them counts)" : "");
  }
  md += ".  \n";
  md += "Search: " + std::to_string(r.candidates_considered) + " candidates considered, " +
        std::to_string(r.evaluations.size()) + " simulations (" + std::to_string(r.pruned_lower_bound) +
        " pruned by the analytic lower bound, " + std::to_string(r.pruned_dominated) +
        " dominated, " + std::to_string(r.pruned_bound) + " by the cost bound, " +
        std::to_string(r.screened_out) + " screened out by a " + format_sig(spec.screen_s, 3) +
        " s run; " + std::to_string(r.grown) + " fleets grown from ones that missed when simulated together).\n\n";
  md += "## Cheapest fleets meeting the SLOs\n\n";
  md += r.best.empty() ? std::string("None found: widen the search space.\n") : fleet_table(r.best, 10).render();
  md += "\n## Cost-latency frontier (TTFT p99)\n\n" + fleet_table(r.frontier, 20).render();
  return md;
}

void write_plan(const PlanSpec& spec, const PlanResult& r, const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream f(out_dir + "/" + name, std::ios::binary);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + out_dir + "/" + name);
  };
  const Json j = plan_to_json(spec, r);
  write("plan.json", j.dump(2) + "\n");
  write("plan.csv", plan_csv(r));
  const std::string md = plan_markdown(spec, r);
  write("plan.md", md);
  // Chart: every fleet simulated together (the worst of its seeds), cost against TTFT p99, the
  // frontier as a line.
  Json values = Json::array();
  for (const auto& e : r.fleets)
    values.push_back({{"cost_usd_per_day", e.cost_usd_per_day}, {"ttft_p99_s", e.ttft_p99_s},
                      {"nodes", e.c.nodes()}, {"slo", e.meets ? "met" : "missed"}});
  Json front = Json::array();
  for (const auto& e : r.frontier)
    front.push_back({{"cost_usd_per_day", e.cost_usd_per_day}, {"ttft_p99_s", e.ttft_p99_s}});
  const Json x{{"field", "cost_usd_per_day"}, {"type", "quantitative"}, {"title", "cost (USD/day)"},
               {"scale", {{"zero", false}}}};
  const Json y{{"field", "ttft_p99_s"}, {"type", "quantitative"}, {"title", "TTFT p99 (s)"}};
  const Json chart{
      {"$schema", "https://vega.github.io/schema/vega-lite/v5.json"},
      {"width", 640}, {"height", 360},
      {"layer", Json::array({
           {{"data", {{"values", front}}}, {"mark", "line"}, {"encoding", {{"x", x}, {"y", y}}}},
           {{"data", {{"values", values}}}, {"mark", {{"type", "point"}, {"filled", true}}},
            {"encoding", {{"x", x}, {"y", y}, {"color", {{"field", "slo"}, {"type", "nominal"}}},
                          {"tooltip", Json::array({{{"field", "nodes"}}, {{"field", "cost_usd_per_day"}},
                                                   {{"field", "ttft_p99_s"}}})}}}}})}};
  std::string html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>fleetsim plan</title>\n";
  for (const auto& s : vendor_scripts()) {
    html += "<script>";
    html += s.source;
    html += "</script>\n";
  }
  html += "</head><body>\n<h1>Fleet plan: cost vs TTFT p99</h1>\n<div id=\"chart\"></div>\n<pre>";
  for (char c : md) html += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  html += "</pre>\n<script>vegaEmbed('#chart', " + chart.dump() + ");</script>\n</body></html>\n";
  write("plan.html", html);
}

}  // namespace fleetsim
