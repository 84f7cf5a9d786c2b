// `fleetsim sweep`: simulates every point of a grid over a scenario and merges the summaries into
// one table ordered by point index, identical whatever the number of threads or MPI ranks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "sim/study/grid.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct SweepSpec {
  std::string scenario;                // scenario file
  std::vector<std::string> overrides;  // --set, applied before the grid's values
  double scale = 1.0;
  Grid grid;
};

struct SweepPointResult {
  std::size_t index = 0;
  std::vector<std::string> values;  // the grid values, one per axis, as written
  Json result;                      // summary.json without `sim` and `scenario`; null on error
  Json sim;                         // summary.sim: wall time, events, RSS (machine-dependent)
  std::string error;                // why the simulation failed; empty when it ran
};

// The overrides of point `index`: the sweep's --set list, then the grid values.
std::vector<std::string> point_overrides(const SweepSpec& spec, std::size_t index);

// Loads the scenario of every point (no simulation), so bad input fails before hours of runs.
// Throws ConfigError naming the point.
void validate_sweep(const SweepSpec& spec);

// Static partition of points over `ranks` MPI ranks: rank r gets points r, r + ranks, ... (cyclic,
// so neighbouring, similarly expensive points spread over ranks).
std::vector<std::size_t> rank_points(std::size_t num_points, int rank, int ranks);

// Called after each point finishes (from worker threads, serialised by the caller's lock).
using SweepProgressFn = std::function<void(const SweepPointResult&)>;

// Simulates the given points on `jobs` threads; results in the order of `points`. A simulation
// that throws is recorded in `error` rather than stopping the sweep.
std::vector<SweepPointResult> run_sweep_points(const SweepSpec& spec,
                                               const std::vector<std::size_t>& points, int jobs,
                                               const SweepProgressFn& progress = {});

// Point results as JSON and back (exact: numbers round-trip), for gathering across ranks.
Json point_to_json(const SweepPointResult& p);
SweepPointResult point_from_json(const Json& j);

// The merged outputs, for results of every point in index order:
//   sweep.csv   point, grid values, then every flattened result metric
//   sweep.json  the sweep's definition and each point's values and result
//   sweep.md, sweep.html  the points side by side (sweep_report.hpp)
// all byte-identical for any partition; and sweep_sim.csv with the machine-dependent stats.
std::string render_sweep_csv(const SweepSpec& spec, const std::vector<SweepPointResult>& points);
Json render_sweep_json(const SweepSpec& spec, const std::vector<SweepPointResult>& points);
void write_sweep(const SweepSpec& spec, const std::vector<SweepPointResult>& points,
                 const std::string& out_dir);

}  // namespace fleetsim
