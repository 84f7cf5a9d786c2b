// Published overlap orders (facts file 1.5) as barrier groups of (compute, comm) stages.
#include "sim/serving/overlap_pipeline.hpp"

#include <algorithm>

namespace fleetsim {

namespace {

struct Item {
  const char* name;
  int mb;
  TimeNs ns;
};
struct Group {
  Item compute[2];
  int n_compute;
  Item comm;
};

// Prefill (108 compute SMs, 24 comm SMs), per the Day-6 prefill figure:
// compute ATTN(1) SHARED(0) | ATTN(0) | MLP(1) | MLP(0) SHARED(1)
// comm    COMBINE(0)        | DISPATCH(1) | DISPATCH(0) | COMBINE(1)
// Decode (5-stage), per the Day-6 decode figure:
// compute SHARED(0) ATTN-0(1) | MLP(0) | ATTN-1(1) | SHARED(1) ATTN-0(0) | MLP(1) | ATTN-1(0)
// comm    DISPATCH(0)         | -      | COMBINE(0)| DISPATCH(1)         | -      | COMBINE(1)
// The COMBINE at the start of the prefill layer belongs to the previous layer's microbatch 0;
// in steady state every layer carries the same work, so its duration is the same.
int build_groups(Phase phase, const LayerWork& w, Group* g) {
  const auto& m0 = w.mb[0];
  const auto& m1 = w.mb[1];
  if (phase == Phase::kPrefill) {
    g[0] = {{{"ATTN", 1, m1.attn_ns}, {"SHARED", 0, m0.shared_ns}}, 2, {"COMBINE", 0, w.combine_ns[0]}};
    g[1] = {{{"ATTN", 0, m0.attn_ns}, {}}, 1, {"DISPATCH", 1, w.dispatch_ns[1]}};
    g[2] = {{{"MLP", 1, m1.mlp_ns}, {}}, 1, {"DISPATCH", 0, w.dispatch_ns[0]}};
    g[3] = {{{"MLP", 0, m0.mlp_ns}, {"SHARED", 1, m1.shared_ns}}, 2, {"COMBINE", 1, w.combine_ns[1]}};
    return 4;
  }
  g[0] = {{{"SHARED", 0, m0.shared_ns}, {"ATTN-0", 1, m1.attn0_ns}}, 2, {"DISPATCH", 0, w.dispatch_ns[0]}};
  g[1] = {{{"MLP", 0, m0.mlp_ns}, {}}, 1, {nullptr, 0, 0}};
  g[2] = {{{"ATTN-1", 1, m1.attn1_ns}, {}}, 1, {"COMBINE", 0, w.combine_ns[0]}};
  g[3] = {{{"SHARED", 1, m1.shared_ns}, {"ATTN-0", 0, m0.attn0_ns}}, 2, {"DISPATCH", 1, w.dispatch_ns[1]}};
  g[4] = {{{"MLP", 1, m1.mlp_ns}, {}}, 1, {nullptr, 0, 0}};
  g[5] = {{{"ATTN-1", 0, m0.attn1_ns}, {}}, 1, {"COMBINE", 1, w.combine_ns[1]}};
  return 6;
}

}  // namespace

TimeNs layer_duration(Phase phase, bool overlap, const LayerWork& w) {
  if (!w.moe) {
    // Dense layers have no all-to-all: attention then the dense FFN for both microbatches.
    TimeNs t = 0;
    for (const auto& m : w.mb) t += m.attn_ns + m.shared_ns;
    return t;
  }
  if (!overlap) {
    TimeNs t = 0;
    for (int i = 0; i < 2; ++i)
      t += w.mb[i].attn_ns + w.dispatch_ns[i] + w.mb[i].shared_ns + w.mb[i].mlp_ns + w.combine_ns[i];
    return t;
  }
  Group g[6];
  const int n = build_groups(phase, w, g);
  TimeNs t = 0;
  for (int i = 0; i < n; ++i) {
    TimeNs c = 0;
    for (int k = 0; k < g[i].n_compute; ++k) c += g[i].compute[k].ns;
    t += std::max(c, g[i].comm.ns);
  }
  return t;
}

std::vector<StageSlot> schedule_layer(Phase phase, bool overlap, const LayerWork& w) {
  std::vector<StageSlot> out;
  TimeNs t = 0;
  auto put = [&](const char* name, int mb, Lane lane, TimeNs start, TimeNs dur) {
    if (name && dur > 0) out.push_back({name, mb, lane, start, dur});
  };
  if (!w.moe) {
    for (int i = 0; i < 2; ++i) {
      put(phase == Phase::kDecode ? "ATTN" : "ATTN", i, Lane::kCompute, t, w.mb[i].attn_ns);
      t += w.mb[i].attn_ns;
      put("FFN", i, Lane::kCompute, t, w.mb[i].shared_ns);
      t += w.mb[i].shared_ns;
    }
    return out;
  }
  if (!overlap) {
    for (int i = 0; i < 2; ++i) {
      const auto& m = w.mb[i];
      put("ATTN", i, Lane::kCompute, t, m.attn_ns);
      t += m.attn_ns;
      put("DISPATCH", i, Lane::kComm, t, w.dispatch_ns[i]);
      t += w.dispatch_ns[i];
      put("SHARED", i, Lane::kCompute, t, m.shared_ns);
      t += m.shared_ns;
      put("MLP", i, Lane::kCompute, t, m.mlp_ns);
      t += m.mlp_ns;
      put("COMBINE", i, Lane::kComm, t, w.combine_ns[i]);
      t += w.combine_ns[i];
    }
    return out;
  }
  Group g[6];
  const int n = build_groups(phase, w, g);
  for (int i = 0; i < n; ++i) {
    TimeNs c = t;
    for (int k = 0; k < g[i].n_compute; ++k) {
      put(g[i].compute[k].name, g[i].compute[k].mb, Lane::kCompute, c, g[i].compute[k].ns);
      c += g[i].compute[k].ns;
    }
    put(g[i].comm.name, g[i].comm.mb, Lane::kComm, t, g[i].comm.ns);
    t = std::max(c, t + g[i].comm.ns);
  }
  return out;
}

TimeNs slots_end(const std::vector<StageSlot>& slots) {
  TimeNs e = 0;
  for (const auto& s : slots) e = std::max(e, s.start_ns + s.duration_ns);
  return e;
}

}  // namespace fleetsim
