// Engine micro-benchmark: prints events/s of each pending-event queue on two workloads.
//  hold:  the classic hold model. N events pending; each step pops the earliest and schedules
//         one at now + Exp(mean 1 ms).
//  burst: a synchronous fleet. Times fall on a 1 us grid, so thousands of events share each
//         instant; each pop schedules its successor at the same instant (10%) or 1-4 grid steps
//         ahead, in a random phase.
// Usage: engine_bench [pending] [events] [--queue=heap|wheel|all] [--workload=hold|burst|all]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/rng.hpp"

using namespace fleetsim;

namespace {

constexpr double kHoldMeanNs = 1e6;
constexpr TimeNs kBurstGridNs = 1'000;
constexpr std::uint64_t kBurstMaxSteps = 4;
constexpr double kBurstSameTimeFraction = 0.1;
constexpr std::uint64_t kPhases = 4;

// This thread's CPU time: on a shared machine wall time also counts time spent descheduled.
double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

struct Clock {
  std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
  double cpu0 = thread_cpu_s();
};

struct Result {
  double wall_s;
  double cpu_s;
  std::uint64_t checksum;  // order-sensitive: equal checksums mean equal pop sequences
};

std::uint64_t mix(std::uint64_t h, const Event& e) {
  h ^= static_cast<std::uint64_t>(e.time_ns) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h ^= e.target + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

template <class Queue>
Result run_hold(std::uint64_t pending, std::uint64_t events) {
  Rng rng(12345, "hold");
  Queue q;
  q.reserve(pending + 1);
  for (std::uint64_t i = 0; i < pending; ++i)
    q.push(static_cast<TimeNs>(rng.exponential(kHoldMeanNs)), EventPhase::kStep, 0,
           static_cast<std::uint32_t>(i));
  std::uint64_t checksum = 0;
  const Clock t0;
  for (std::uint64_t i = 0; i < events; ++i) {
    const Event e = q.pop();
    checksum = mix(checksum, e);
    q.push(e.time_ns + static_cast<TimeNs>(rng.exponential(kHoldMeanNs)), EventPhase::kStep, 0,
           e.target);
  }
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0.wall0).count(),
          thread_cpu_s() - t0.cpu0, checksum};
}

template <class Queue>
Result run_burst(std::uint64_t pending, std::uint64_t events) {
  Rng rng(12345, "burst");
  Queue q;
  q.reserve(pending + 1);
  for (std::uint64_t i = 0; i < pending; ++i)
    q.push(kBurstGridNs * static_cast<TimeNs>(rng.below(kBurstMaxSteps)),
           static_cast<EventPhase>(rng.below(kPhases)), 0, static_cast<std::uint32_t>(i));
  std::uint64_t checksum = 0;
  const Clock t0;
  for (std::uint64_t i = 0; i < events; ++i) {
    const Event e = q.pop();
    checksum = mix(checksum, e);
    const TimeNs dt = rng.bernoulli(kBurstSameTimeFraction)
                          ? 0
                          : kBurstGridNs * static_cast<TimeNs>(1 + rng.below(kBurstMaxSteps));
    q.push(e.time_ns + dt, static_cast<EventPhase>(rng.below(kPhases)), 0, e.target);
  }
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0.wall0).count(),
          thread_cpu_s() - t0.cpu0, checksum};
}

template <class Queue>
void run(const char* queue_name, const std::string& workload, std::uint64_t pending,
         std::uint64_t events) {
  for (const char* w : {"hold", "burst"}) {
    if (workload != "all" && workload != w) continue;
    const Result r = std::strcmp(w, "hold") == 0 ? run_hold<Queue>(pending, events)
                                                 : run_burst<Queue>(pending, events);
    const double n = static_cast<double>(events);
    std::printf("%-5s %-5s: %llu pending, %llu events: wall %.3f s = %.2f M events/s, "
                "cpu %.3f s = %.2f M events/s (checksum %016llx)\n",
                w, queue_name, static_cast<unsigned long long>(pending),
                static_cast<unsigned long long>(events), r.wall_s, n / r.wall_s / 1e6, r.cpu_s,
                n / r.cpu_s / 1e6, static_cast<unsigned long long>(r.checksum));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t pending = 1'000'000;
  std::uint64_t events = 50'000'000;
  std::string queue = "all";
  std::string workload = "all";
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--queue=", 0) == 0) {
      queue = arg.substr(8);
    } else if (arg.rfind("--workload=", 0) == 0) {
      workload = arg.substr(11);
    } else if (!arg.empty() && arg[0] != '-' && positional < 2) {
      (positional++ == 0 ? pending : events) = std::strtoull(arg.c_str(), nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "usage: engine_bench [pending] [events] [--queue=heap|wheel|all] "
                   "[--workload=hold|burst|all]\n");
      return 2;
    }
  }
  if ((queue != "all" && queue != "heap" && queue != "wheel") ||
      (workload != "all" && workload != "hold" && workload != "burst")) {
    std::fprintf(stderr, "unknown --queue or --workload value\n");
    return 2;
  }
  if (queue == "all" || queue == "heap") run<HeapEventQueue>("heap", workload, pending, events);
  if (queue == "all" || queue == "wheel") run<WheelEventQueue>("wheel", workload, pending, events);
  return 0;
}
