// The bounded memo: a cached value is the computed one, every key keeps its own value through
// table growth and the empty-at-limit rule, and colliding keys do not mix.
#include <catch2/catch.hpp>

#include <cstdint>

#include "sim/util/bounded_memo.hpp"

using namespace fleetsim;

namespace {
// Distinct per key for the keys below (no overflow: they stay under 2^45).
std::int64_t f(const BoundedMemo<3, std::int64_t>::Key& k) { return (k[0] >> 20) * 7 + k[1] * 3 - k[2]; }
}  // namespace

TEST_CASE("bounded memo computes each key once and returns its own value") {
  BoundedMemo<3, std::int64_t> memo;
  int calls = 0;
  auto get = [&](const BoundedMemo<3, std::int64_t>::Key& k) {
    return memo.get(k, [&] {
      ++calls;
      return f(k);
    });
  };
  // Keys that differ only in high bits or in one field: a weak hash would pile them up.
  for (std::int64_t i = 0; i < 5000; ++i) REQUIRE(get({i << 32, i % 7, -i}) == f({i << 32, i % 7, -i}));
  CHECK(calls == 5000);
  CHECK(memo.size() == 5000);
  for (std::int64_t i = 4999; i >= 0; --i) REQUIRE(get({i << 32, i % 7, -i}) == f({i << 32, i % 7, -i}));
  CHECK(calls == 5000);  // all hits, after several growths of the table
}

TEST_CASE("bounded memo empties itself at its limit and stays correct") {
  BoundedMemo<3, std::int64_t> memo;
  int calls = 0;
  const std::int64_t n = 70000;  // past the 65,536-entry limit
  for (std::int64_t i = 0; i < n; ++i) {
    const BoundedMemo<3, std::int64_t>::Key k{i, 2 * i, 3};
    REQUIRE(memo.get(k, [&] {
      ++calls;
      return f(k);
    }) == f(k));
  }
  CHECK(calls == n);
  CHECK(memo.size() < 65536);  // emptied once on the way
  // The first keys were dropped and are computed again, with the same values.
  const BoundedMemo<3, std::int64_t>::Key first{0, 0, 3};
  CHECK(memo.get(first, [&] {
    ++calls;
    return f(first);
  }) == f(first));
  CHECK(calls == n + 1);
  memo.clear();
  CHECK(memo.size() == 0);
  // Cleared, it keeps its table but no entry: every key is computed again, once.
  for (int pass = 0; pass < 2; ++pass) {
    for (std::int64_t i = 0; i < 1000; ++i) {
      const BoundedMemo<3, std::int64_t>::Key k{i, 2 * i, 3};
      REQUIRE(memo.get(k, [&] {
        ++calls;
        return f(k);
      }) == f(k));
    }
  }
  CHECK(calls == n + 1 + 1000);
}
