// A fixed-memory log-binned histogram with exact count, sum and extremes: percentiles of 10^8
// samples without storing them, identical on every machine.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "sim/engine/portable_math.hpp"

namespace fleetsim {

class LogHistogram {
 public:
  // Bins cover [lo, hi) with `bins_per_decade` geometric bins; values outside land in the
  // first/last bin (extremes are still kept exactly).
  LogHistogram(double lo, double hi, int bins_per_decade)
      : lo_(lo), log_lo_(pmath::log10(lo)), bins_per_decade_(bins_per_decade) {
    const int n = static_cast<int>(std::ceil((pmath::log10(hi) - log_lo_) * bins_per_decade));
    counts_.assign(static_cast<std::size_t>(std::max(n, 1)), 0);
    index_ = std::make_shared<const BinIndex>(*this);
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
        const double v = pmath::pow(10.0, log_lo_ + (static_cast<double>(i) + frac) / bins_per_decade_);
        return std::clamp(v, min_, max_);
      }
      cum += c;
    }
    return max_;
  }

  std::size_t bins() const { return counts_.size(); }
  std::uint64_t bin_count(std::size_t i) const { return counts_[i]; }
  double bin_lo(std::size_t i) const {
    return pmath::pow(10.0, log_lo_ + static_cast<double>(i) / bins_per_decade_);
  }
  double bin_hi(std::size_t i) const { return bin_lo(i + 1); }

  // The bin by definition: floor((log10 x - log10 lo) * bins_per_decade), clamped.
  std::size_t bin_by_log(double x) const {
    if (!(x > lo_)) return 0;
    const auto b = static_cast<std::size_t>((pmath::log10(x) - log_lo_) * bins_per_decade_);
    return std::min(b, counts_.size() - 1);
  }

  // The same bin as bin_by_log, without a logarithm per sample (a histogram takes several per
  // request): the leading bits of x pick a slice of its octave, a table gives the bin where that
  // slice starts, and exact thresholds (the least double of each bin, found with bin_by_log)
  // take it the rest of the way, at most a step or two.
  std::size_t bin_of(double x) const {
    const BinIndex& ix = *index_;
    if (!(x > lo_)) return 0;
    if (x >= ix.top) return counts_.size() - 1;
    std::size_t b = ix.slice_start[(std::bit_cast<std::uint64_t>(x) >> kSliceShift) - ix.first_slice];
    while (x >= ix.threshold[b + 1]) ++b;
    return b;
  }

 private:
  static constexpr int kSliceShift = 52 - 6;  // 64 slices per octave, finer than the bins

  struct BinIndex {
    std::vector<double> threshold;           // threshold[i]: the least double in bin i (i >= 1)
    double top;                              // the least double of the last bin
    std::uint64_t first_slice;               // slice holding lo
    std::vector<std::uint32_t> slice_start;  // bin of the least double above lo in each slice

    explicit BinIndex(const LogHistogram& h) {
      const std::size_t n = h.counts_.size();
      // Positive doubles order as their bit patterns, so each threshold is a bisection on bits.
      const std::uint64_t lo_bits = std::bit_cast<std::uint64_t>(h.lo_);
      const std::uint64_t max_bits = std::bit_cast<std::uint64_t>(std::numeric_limits<double>::max());
      threshold.assign(n + 1, std::numeric_limits<double>::infinity());
      for (std::size_t i = 1; i < n; ++i) {
        std::uint64_t a = lo_bits + 1, b = max_bits;  // the answer lies in [a, b]
        while (a < b) {
          const std::uint64_t mid = a + (b - a) / 2;
          if (h.bin_by_log(std::bit_cast<double>(mid)) >= i) b = mid; else a = mid + 1;
        }
        threshold[i] = std::bit_cast<double>(a);
      }
      top = n > 1 ? threshold[n - 1] : h.lo_;  // one bin: everything above lo is in it
      first_slice = lo_bits >> kSliceShift;
      const std::uint64_t last_slice =
          (n > 1 ? std::bit_cast<std::uint64_t>(top) : lo_bits) >> kSliceShift;
      slice_start.resize(last_slice - first_slice + 1);
      for (std::uint64_t s = first_slice; s <= last_slice; ++s) {
        const std::uint64_t least = std::max(s << kSliceShift, lo_bits + 1);
        slice_start[s - first_slice] = static_cast<std::uint32_t>(h.bin_by_log(std::bit_cast<double>(least)));
      }
    }
  };

  double lo_, log_lo_;
  int bins_per_decade_;
  std::vector<std::uint64_t> counts_;
  std::shared_ptr<const BinIndex> index_;  // shared by copies: it depends only on the bin layout
  std::uint64_t count_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

}  // namespace fleetsim
