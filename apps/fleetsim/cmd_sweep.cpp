// `fleetsim sweep SCENARIO --grid path=v1,v2 ... --out DIR`: simulates the Cartesian grid on local
// threads and, under mpirun, across ranks (static cyclic partition, gathered at rank 0), and
// writes one merged sweep.csv / sweep.json that does not depend on how the work was split.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/number_option.hpp"
#include "sim/study/mpi_context.hpp"
#include "sim/study/parallel_runner.hpp"
#include "sim/study/sweep.hpp"

namespace fleetsim::cli {

namespace {

struct SweepOptions {
  std::string scenario = "scenarios/deepseek-v3-r1-day.json";
  std::vector<std::string> grid;
  std::vector<std::string> overrides;
  double scale = 1.0;
  int jobs = 0;
  std::string out_dir;
  bool quiet = false;
};

void sweep(const SweepOptions& o) {
  MpiContext mpi;
  SweepSpec spec;
  spec.scenario = o.scenario;
  spec.overrides = o.overrides;
  spec.scale = o.scale;
  std::vector<GridAxis> axes;
  for (const auto& g : o.grid) axes.push_back(parse_grid_axis(g));
  spec.grid = Grid(std::move(axes));
  validate_sweep(spec);  // same input on every rank: all fail alike, before any gather

  const std::size_t n = spec.grid.size();
  const auto mine = rank_points(n, mpi.rank(), mpi.size());
  const bool talk = !o.quiet && mpi.is_root();
  if (talk)
    std::fprintf(stderr, "sweep: %zu points on %d rank(s) x %d thread(s)\n", n, mpi.size(),
                 resolve_jobs(o.jobs));
  std::size_t done = 0;
  const auto start = std::chrono::steady_clock::now();
  auto results = run_sweep_points(spec, mine, o.jobs, [&](const SweepPointResult& p) {
    ++done;
    if (!talk) return;
    // The ETA assumes the points left cost what the finished ones did on average.
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta = elapsed / static_cast<double>(done) * static_cast<double>(mine.size() - done);
    std::fprintf(stderr, "  point %zu done%s (%zu/%zu on rank 0)  elapsed %.1f s  ETA %.1f s\n", p.index,
                 p.error.empty() ? "" : " with an error", done, mine.size(), elapsed, eta);
  });

  Json local = Json::array();
  for (const auto& p : results) local.push_back(point_to_json(p));
  const auto gathered = mpi.gather_at_root(local.dump());
  int failed = 0;
  if (mpi.is_root()) {
    std::vector<SweepPointResult> all(n);
    for (const auto& text : gathered)
      for (const auto& j : Json::parse(text)) {
        SweepPointResult p = point_from_json(j);
        all.at(p.index) = std::move(p);
      }
    const std::string out = o.out_dir.empty() ? "out/sweep" : o.out_dir;
    write_sweep(spec, all, out);
    for (const auto& p : all)
      if (!p.error.empty()) {
        ++failed;
        std::fprintf(stderr, "sweep: point %zu failed: %s\n", p.index, p.error.c_str());
      }
    std::printf("sweep: %zu points (%d failed) -> %s/sweep.csv, sweep.json, sweep.md, sweep.html, sweep_sim.csv\n", n,
                failed, out.c_str());
  }
  failed = mpi.broadcast_from_root(failed);
  if (failed > 0) set_exit_code(1);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto opts = std::make_shared<SweepOptions>();
  auto* cmd = app.add_subcommand(
      "sweep", "Simulate a grid of scenario variants (threads; MPI ranks under mpirun)");
  cmd->add_option("scenario", opts->scenario, "scenario JSON file")->capture_default_str();
  cmd->add_option("--grid", opts->grid,
                  "an axis: path.to.field=v1,v2,... (values like --set; repeat for more axes)")
      ->allow_extra_args(false);
  cmd->add_option("--set", opts->overrides, "override a scenario field for every point: path=value")
      ->allow_extra_args(false);
  add_number_option(*cmd, "--scale", opts->scale, "run this fraction of the load and the node pool")
      ->capture_default_str();
  cmd->add_option("--jobs,-j", opts->jobs, "worker threads per rank (0: one per core)")
      ->check(integer_at_least(0))
      ->capture_default_str();
  cmd->add_option("--out", opts->out_dir, "output directory (default out/sweep)");
  cmd->add_flag("--quiet", opts->quiet, "no progress on stderr");
  cmd->callback([opts] { sweep(*opts); });
}

}  // namespace fleetsim::cli
