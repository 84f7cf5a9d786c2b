// Runs n independent indexed tasks on up to `jobs` std::thread workers. Results go wherever the
// task writes them by index, so the outcome never depends on the number of workers or timing.
#pragma once

#include <cstddef>
#include <functional>

namespace fleetsim {

// Calls task(i) once for every i in [0, n); workers take the next index from a shared counter.
// If tasks throw, the exception of the lowest index is rethrown after all workers finish.
// jobs <= 0 means one worker per hardware thread.
void run_indexed(std::size_t n, int jobs, const std::function<void(std::size_t)>& task);

// The worker count `jobs` resolves to (>= 1).
int resolve_jobs(int jobs);

}  // namespace fleetsim
