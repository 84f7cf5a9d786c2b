// An allocator for the simulator's large, randomly accessed arrays (the request pool, the memo
// tables): blocks of 2 MiB and more are asked to live on transparent huge pages.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace fleetsim {

// Records are touched at scattered moments of a request's life; with 4 KiB pages a table of
// several MiB misses the TLB on most of those touches as well as the cache, and a software
// prefetch that misses the TLB waits for the page walk. Linux backs a 2 MiB-aligned block with
// huge pages when asked (madvise), which the default "madvise" setting of transparent huge pages
// requires. Elsewhere, or when the kernel says no, this is a plain aligned allocation: it never
// changes what is computed, only how fast.
template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  static constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding, as allocators do

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    const bool huge = bytes >= kHugePageBytes;
    const std::size_t align = huge ? kHugePageBytes : (alignof(T) > kLine ? alignof(T) : kLine);
    const std::size_t rounded = (bytes + align - 1) / align * align;  // aligned_alloc's rule
    void* p = std::aligned_alloc(align, rounded == 0 ? align : rounded);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (huge) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: its failure changes nothing
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }

 private:
  static constexpr std::size_t kLine = 64;
};

}  // namespace fleetsim
