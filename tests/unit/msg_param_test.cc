#include "emu/optee_os/msg_param.h"

#include <gtest/gtest.h>

#include <cstring>

#include "emu/abi/optee_msg.h"

namespace {

using namespace emu::platform;

TEST(PagesList, FollowsNextPageLinksAndChecksEveryEntry) {
  PhysMemLayout l;
  l.ns_ddr_size = size_t{16} << 20;
  PhysMem mem(l);
  // 600 data pages need two list pages (511 entries each).
  std::vector<paddr_t> data;
  for (int i = 0; i < 600; ++i) data.push_back(*mem.alloc_page());
  const paddr_t list0 = *mem.alloc_page();
  const paddr_t list1 = *mem.alloc_page();
  for (size_t i = 0; i < 511; ++i) std::memcpy(mem.va(list0) + 8 * i, &data[i], 8);
  std::memcpy(mem.va(list0) + 8 * 511, &list1, 8);
  for (size_t i = 511; i < 600; ++i) std::memcpy(mem.va(list1) + 8 * (i - 511), &data[i], 8);

  std::vector<paddr_t> pages;
  size_t offs = 0;
  const uint64_t size = 600 * kPageSize - 100 - 7;
  ASSERT_EQ(emu::optee_os::msg_param_extract_pages(mem, list0 | 100, size, &pages, &offs), 0u);
  EXPECT_EQ(offs, 100u);
  EXPECT_EQ(pages, data);

  // A misaligned entry, a secure address, or a list outside DDR are refused.
  const paddr_t bad = data[3] + 8;
  std::memcpy(mem.va(list0) + 8 * 3, &bad, 8);
  EXPECT_EQ(emu::optee_os::msg_param_extract_pages(mem, list0, size, &pages, &offs),
            emu::abi::kTeeErrorBadParameters);
  const paddr_t carve = mem.carveout_base();
  std::memcpy(mem.va(list0) + 8 * 3, &carve, 8);
  EXPECT_EQ(emu::optee_os::msg_param_extract_pages(mem, list0, size, &pages, &offs),
            emu::abi::kTeeErrorBadParameters);
  EXPECT_EQ(emu::optee_os::msg_param_extract_pages(mem, 0x1000, 4096, &pages, &offs),
            emu::abi::kTeeErrorBadParameters);
}

}  // namespace
