// A fixed-memory log-binned histogram with exact count, sum and extremes: percentiles of 10^8
// samples without storing them, identical on every machine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace fleetsim {

class LogHistogram {
 public:
  // Bins cover [lo, hi) with `bins_per_decade` geometric bins; values outside land in the
  // first/last bin (extremes are still kept exactly).
  LogHistogram(double lo, double hi, int bins_per_decade)
      : lo_(lo), log_lo_(std::log10(lo)), bins_per_decade_(bins_per_decade) {
    const int n = static_cast<int>(std::ceil((std::log10(hi) - log_lo_) * bins_per_decade));
    counts_.assign(static_cast<std::size_t>(std::max(n, 1)), 0);
  }

  void add(double x) {
    ++count_;
    sum_ += x;
    min_ = count_ == 1 ? x : std::min(min_, x);
    max_ = count_ == 1 ? x : std::max(max_, x);
    counts_[bin_of(x)]++;
  }
  void merge(const LogHistogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    if (o.count_) {
      min_ = count_ ? std::min(min_, o.min_) : o.min_;
      max_ = count_ ? std::max(max_, o.max_) : o.max_;
    }
    count_ += o.count_;
    sum_ += o.sum_;
  }
  void clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    sum_ = 0;
  }

  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double min() const { return count_ ? min_ : 0.0; }
  double max() const { return count_ ? max_ : 0.0; }

  // The q-quantile, interpolated geometrically inside its bin and clamped to [min, max].
  double quantile(double q) const {
    if (count_ == 0) return 0.0;
    const double target = q * static_cast<double>(count_);
    double cum = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      const double c = static_cast<double>(counts_[i]);
      if (c > 0 && cum + c >= target) {
        const double frac = (target - cum) / c;
        const double v = std::pow(10.0, log_lo_ + (static_cast<double>(i) + frac) / bins_per_decade_);
        return std::clamp(v, min_, max_);
      }
      cum += c;
    }
    return max_;
  }

  std::size_t bins() const { return counts_.size(); }
  std::uint64_t bin_count(std::size_t i) const { return counts_[i]; }
  double bin_lo(std::size_t i) const {
    return std::pow(10.0, log_lo_ + static_cast<double>(i) / bins_per_decade_);
  }
  double bin_hi(std::size_t i) const { return bin_lo(i + 1); }

 private:
  std::size_t bin_of(double x) const {
    if (!(x > lo_)) return 0;
    const auto b = static_cast<std::size_t>((std::log10(x) - log_lo_) * bins_per_decade_);
    return std::min(b, counts_.size() - 1);
  }
  double lo_, log_lo_;
  int bins_per_decade_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

}  // namespace fleetsim
