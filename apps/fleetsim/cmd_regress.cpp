// `fleetsim regress [--suite DIR] [--update]`: the policy regression gate. Runs every entry of the
// suite (small scenarios exercising each scheduling policy), compares the checked metrics with the
// committed goldens and exits 1 with a table of what regressed; --update rewrites the goldens and
// lists what changed.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/number_option.hpp"
#include "sim/serving/simulation.hpp"
#include "sim/metrics/metric_paths.hpp"
#include "sim/study/parallel_runner.hpp"
#include "sim/study/regression_report.hpp"
#include "sim/study/regression_suite.hpp"

namespace fleetsim::cli {

namespace {

struct RegressOptions {
  std::string suite = "scenarios/regression";
  bool update = false;
  std::vector<std::string> only;
  std::vector<std::string> overrides;
  int jobs = 0;
  bool show_all = false;
  std::string out_dir;  // regress.json, .csv, .junit.xml, .md when set
};

void regress(const RegressOptions& o) {
  RegressionSuite suite = load_regression_suite(o.suite);
  std::vector<const RegressionEntry*> chosen;
  const std::set<std::string> only(o.only.begin(), o.only.end());
  for (const auto& e : suite.entries)
    if (only.empty() || only.count(e.name)) chosen.push_back(&e);
  for (const auto& name : only) {
    bool found = false;
    for (const auto& e : suite.entries) found = found || e.name == name;
    if (!found) throw ConfigError(suite.suite_file, "/entries", "an entry named '" + name + "' (--only)");
  }
  // Load every scenario first: bad input fails before any simulation, with exit code 2.
  std::vector<ScenarioSpec> specs;
  for (const auto* e : chosen) {
    auto ov = e->overrides;
    ov.insert(ov.end(), o.overrides.begin(), o.overrides.end());
    specs.push_back(load_scenario(e->scenario, ov, e->scale));
  }

  // Each entry's run (its outcomes judged below) and summary.
  std::vector<RegressionRun> runs(chosen.size());
  std::vector<Json> summaries(chosen.size());
  run_indexed(chosen.size(), o.jobs, [&](std::size_t i) {
    try {
      const SimulationResult r = simulate(specs[i]);
      summaries[i] = result_part(r.summary);
      runs[i].wall_s = r.stats.wall_s;
    } catch (const std::exception& ex) {
      runs[i].error = ex.what();
    }
  });

  std::vector<CheckOutcome> all;
  int failed_entries = 0;
  std::printf("regress: %zu scenario(s) from %s%s\n", chosen.size(), suite.suite_file.c_str(),
              o.overrides.empty() ? "" : " (with --set overrides)");
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const RegressionEntry& e = *chosen[i];
    runs[i].entry = &e;
    if (!runs[i].error.empty()) {
      ++failed_entries;
      std::printf("  FAIL  %-28s simulation failed: %s\n", e.name.c_str(), runs[i].error.c_str());
      continue;
    }
    const auto& outcomes = runs[i].outcomes = evaluate_entry(suite, e, summaries[i]);
    int fails = 0, improved = 0;
    for (const auto& x : outcomes) {
      fails += verdict_fails(x.verdict) ? 1 : 0;
      improved += x.verdict == Verdict::kImproved ? 1 : 0;
    }
    if (!o.update) {
      failed_entries += fails > 0 ? 1 : 0;
      std::printf("  %-5s %-28s %zu metrics, %d failed, %d improved (%.1f s)\n", fails ? "FAIL" : "ok",
                  e.name.c_str(), outcomes.size(), fails, improved, runs[i].wall_s);
    }
    all.insert(all.end(), outcomes.begin(), outcomes.end());
  }
  // A check on a path summary.json does not have is a fault of the suite, not a regression:
  // neither a run nor --update can give it a value.
  for (const auto& x : all)
    if (!x.now)
      throw ConfigError(suite.suite_file, "",
                        "checks: metric '" + x.check.metric + "' (entry " + x.entry +
                            ") is no number in summary.json; expected a dotted path to one, "
                            "for example latency.ttft_s.p99");
  // Against the goldens as they were before any --update.
  if (!o.out_dir.empty()) {
    write_regression_report(suite, runs, o.out_dir);
    std::printf("regress: wrote %s/regress.json, regress.csv, regress.junit.xml, regress.md\n", o.out_dir.c_str());
  }

  if (o.update) {
    std::map<std::string, Json> by_name;
    for (std::size_t i = 0; i < chosen.size(); ++i)
      if (runs[i].error.empty()) by_name[chosen[i]->name] = summaries[i];
    // Entries not run this time (--only) keep their goldens.
    Json goldens = make_goldens(suite, by_name);
    for (const auto& [name, metrics] : suite.goldens)
      if (!by_name.count(name))
        for (const auto& [m, v] : metrics) goldens["entries"][name][m] = v;
    // What the update changes: every value that moved (even within tolerance), and new ones.
    std::vector<CheckOutcome> changed;
    std::size_t added = 0;
    for (const auto& x : all) {
      if (!x.golden) ++added;
      else if (x.now != x.golden) changed.push_back(x);
    }
    write_text_file(suite.goldens_file, goldens.dump(2) + "\n");
    std::printf("regress: wrote %s: %zu value(s) changed, %zu new, %zu unchanged\n",
                suite.goldens_file.c_str(), changed.size(), added, all.size() - changed.size() - added);
    if (!changed.empty()) std::printf("\n%s", render_outcomes(changed, false).c_str());
    if (failed_entries > 0) set_exit_code(1);
    return;
  }

  const std::string table = render_outcomes(all, !o.show_all);
  if (!table.empty()) std::printf("\n%s", table.c_str());
  if (failed_entries > 0) {
    std::printf("\nregress: %d of %zu scenario(s) REGRESSED. If the change is intended, regenerate "
                "the goldens with `fleetsim regress --suite %s --update` and review the diff.\n",
                failed_entries, chosen.size(), o.suite.c_str());
    set_exit_code(1);
  } else {
    std::printf("regress: all %zu scenario(s) within tolerance\n", chosen.size());
  }
}

}  // namespace

void add_regress_command(CLI::App& app) {
  auto opts = std::make_shared<RegressOptions>();
  auto* cmd = app.add_subcommand(
      "regress", "Policy regression gate: run the suite and compare with the committed goldens");
  cmd->add_option("--suite", opts->suite, "suite folder (suite.json, goldens.json)")->capture_default_str();
  auto* update = cmd->add_flag("--update", opts->update, "rewrite goldens.json from this run and list what changed");
  cmd->add_option("--only", opts->only, "run only this entry (repeatable)")->allow_extra_args(false);
  cmd->add_option("--set", opts->overrides,
                  "override a field in every entry (what-if: does this change pass the gate?)")
      ->allow_extra_args(false)
      ->excludes(update);
  cmd->add_option("--jobs,-j", opts->jobs, "worker threads (0: one per core)")
      ->check(integer_at_least(0))
      ->capture_default_str();
  cmd->add_flag("--all", opts->show_all, "show every check, not only the failing ones");
  cmd->add_option("--out", opts->out_dir,
                  "also write every check to DIR: regress.json, regress.csv, regress.junit.xml (for CI), regress.md");
  cmd->callback([opts] { regress(*opts); });
}

}  // namespace fleetsim::cli
