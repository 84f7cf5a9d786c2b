// MpiContext without MPI (FLEETSIM_HAVE_MPI = 0): always a single rank.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "sim/study/mpi_context.hpp"

namespace fleetsim {

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

MpiContext::MpiContext() {
  // Several copies of a single-rank sweep would each run every point and write the same files.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* n = std::getenv(v); n != nullptr && std::string(n) != "1")
      throw std::runtime_error("launched under an MPI launcher with " + std::string(n) +
                               " ranks, but this fleetsim was built without MPI (FLEETSIM_MPI)");
}
MpiContext::~MpiContext() = default;

std::vector<std::string> MpiContext::gather_at_root(const std::string& mine) const { return {mine}; }

int MpiContext::broadcast_from_root(int code) const { return code; }

}  // namespace fleetsim
