#include "emu/platform/phys_mem.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "emu/platform/address_space.h"

namespace {

using namespace emu::platform;

PhysMemLayout small() {
  PhysMemLayout l;
  l.ns_ddr_size = size_t{8} << 20;
  l.carveout_size = size_t{1} << 20;
  return l;
}

TEST(PhysMem, PagesAreUniqueScatteredAndRecycled) {
  PhysMem mem(small());
  std::set<paddr_t> seen;
  size_t gaps = 0;
  paddr_t prev = 0;
  for (int i = 0; i < 256; ++i) {
    auto pa = mem.alloc_page();
    ASSERT_TRUE(pa);
    EXPECT_TRUE(mem.in_ns_ddr(*pa, kPageSize));
    EXPECT_FALSE(mem.in_carveout(*pa, 1));
    EXPECT_TRUE(seen.insert(*pa).second);
    gaps += i > 0 && *pa != prev + kPageSize;
    prev = *pa;
  }
  EXPECT_GT(gaps, 4u);  // runs of consecutive pages, in shuffled order
  const size_t free_before = mem.free_page_count();
  for (paddr_t pa : seen) mem.put_page(pa);
  EXPECT_EQ(mem.free_page_count(), free_before + seen.size());
}

TEST(PhysMem, APinKeepsAPageAliveAndFreedPagesAreZeroed) {
  PhysMem mem(small());
  const paddr_t pa = *mem.alloc_page();
  std::memset(mem.va(pa), 0xab, kPageSize);
  mem.get_page(pa);
  const size_t free_before = mem.free_page_count();
  mem.put_page(pa);
  EXPECT_EQ(mem.free_page_count(), free_before);  // still pinned
  EXPECT_EQ(mem.va(pa)[0], 0xab);
  mem.put_page(pa);
  EXPECT_EQ(mem.free_page_count(), free_before + 1);
  EXPECT_EQ(mem.va(pa)[0], 0);
}

TEST(PhysMem, Bounds) {
  PhysMem mem(small());
  EXPECT_TRUE(mem.in_carveout(mem.carveout_base(), mem.carveout_size()));
  EXPECT_FALSE(mem.in_carveout(mem.carveout_base(), mem.carveout_size() + 1));
  EXPECT_FALSE(mem.contains(mem.base() - 1, 1));
  EXPECT_FALSE(mem.contains(~paddr_t{0} - 2, 8));  // no wrap-around
  EXPECT_EQ(mem.va(mem.base() + mem.size()), nullptr);
}

TEST(AddressSpace, MapsTheSameBytesAndPinsOnlyMappedMemory) {
  PhysMem mem(small());
  AddressSpace as(mem);
  std::vector<paddr_t> pages = {*mem.alloc_page(), *mem.alloc_page(), *mem.alloc_page()};
  int err = 0;
  auto* p = static_cast<uint8_t*>(as.map(pages, nullptr, &err));
  ASSERT_NE(p, nullptr);
  p[kPageSize + 5] = 42;               // the client writes ...
  EXPECT_EQ(mem.va(pages[1])[5], 42);  // ... and the physical page has it
  std::vector<paddr_t> pinned;
  EXPECT_EQ(as.pin(reinterpret_cast<uintptr_t>(p) + 100, 2 * kPageSize, &pinned), 0);
  EXPECT_EQ(pinned, pages);
  for (auto pa : pinned) mem.put_page(pa);
  EXPECT_EQ(as.pin(reinterpret_cast<uintptr_t>(p) + 100, 3 * kPageSize, &pinned), -EFAULT);
  int local = 0;
  EXPECT_EQ(as.pin(reinterpret_cast<uintptr_t>(&local), 4, &pinned), -EFAULT);
  EXPECT_EQ(as.unmap(p, 3 * kPageSize), 0);
  EXPECT_EQ(as.unmap(p, 3 * kPageSize), -EINVAL);
  for (auto pa : pages) mem.put_page(pa);
}

}  // namespace
