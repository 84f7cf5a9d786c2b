// Life cycle of a serving unit in the fleet: off (nodes doing other work), warming up (loading
// weights), active, draining (finishing its requests before its nodes are released).
#pragma once

#include <cstdint>

namespace fleetsim {

enum class UnitState : std::uint8_t { kOff, kWarming, kActive, kDraining };

inline bool holds_nodes(UnitState s) { return s != UnitState::kOff; }
inline const char* unit_state_name(UnitState s) {
  switch (s) {
    case UnitState::kOff: return "off";
    case UnitState::kWarming: return "warming";
    case UnitState::kActive: return "active";
    case UnitState::kDraining: return "draining";
  }
  return "?";
}

}  // namespace fleetsim
