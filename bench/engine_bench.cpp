// Engine micro-benchmark: the classic hold model. N events pending; each step pops the earliest
// and schedules one at now + Exp(mean). Prints events/s. Usage: engine_bench [pending] [events]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/rng.hpp"

using namespace fleetsim;

int main(int argc, char** argv) {
  const std::uint64_t pending = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::uint64_t events = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 50'000'000;
  Rng rng(12345, "hold");
  EventQueue q;
  q.reserve(pending + 1);
  const double mean_ns = 1e6;
  for (std::uint64_t i = 0; i < pending; ++i)
    q.push(static_cast<TimeNs>(rng.exponential(mean_ns)), EventPhase::kStep, 0,
           static_cast<std::uint32_t>(i));
  std::uint64_t checksum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < events; ++i) {
    const Event e = q.pop();
    checksum += e.target;
    q.push(e.time_ns + static_cast<TimeNs>(rng.exponential(mean_ns)), EventPhase::kStep, 0,
           e.target);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("hold model: %llu pending, %llu events in %.3f s = %.2f M events/s (checksum %llu)\n",
              static_cast<unsigned long long>(pending), static_cast<unsigned long long>(events), s,
              events / s / 1e6, static_cast<unsigned long long>(checksum));
  return 0;
}
