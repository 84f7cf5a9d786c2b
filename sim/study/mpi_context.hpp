// MPI for sweeps across machines, when fleetsim is built with it (FLEETSIM_HAVE_MPI) and launched
// under mpirun; otherwise a single rank. The MPI calls live in mpi_context.cpp only, and
// mpi_context_none.cpp stands in when MPI is not built, so nothing else depends on MPI.
#pragma once

#include <string>
#include <vector>

namespace fleetsim {

class MpiContext {
 public:
  // Initialises MPI only when the process was started by an MPI launcher (its environment says
  // so); a plain `fleetsim sweep` stays a single process with no MPI runtime started.
  MpiContext();
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;

  bool active() const { return active_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // Gathers every rank's text at rank 0 (in rank order); other ranks get an empty vector.
  std::vector<std::string> gather_at_root(const std::string& mine) const;
  // Rank 0's value of `code` on every rank (so all ranks exit alike).
  int broadcast_from_root(int code) const;

 private:
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
};

// True when the environment shows an MPI launcher (OpenMPI, PMI or PMIx).
bool launched_by_mpi();

}  // namespace fleetsim
