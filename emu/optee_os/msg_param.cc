#include "emu/optee_os/msg_param.h"

#include <cstring>

#include "emu/abi/optee_msg.h"

namespace emu::optee_os {

using platform::kPageSize;

uint32_t msg_param_extract_pages(const platform::PhysMem& mem, uint64_t buf_ptr, uint64_t size,
                                 std::vector<platform::paddr_t>* pages, size_t* page_offset) {
  const uint64_t offset = buf_ptr & (kPageSize - 1);
  uint64_t list_pa = buf_ptr & ~uint64_t{kPageSize - 1};
  if (size == 0 || size > mem.size()) return abi::kTeeErrorBadParameters;
  const uint64_t num_pages = (size + offset - 1) / kPageSize + 1;
  pages->clear();
  pages->reserve(num_pages);
  while (pages->size() < num_pages) {
    // Each list page is mapped (here: read) one at a time and must itself be non-secure memory.
    if (!mem.in_ns_ddr(list_pa, kPageSize)) return abi::kTeeErrorBadParameters;
    const uint8_t* list = mem.va(list_pa);
    for (size_t i = 0; i < abi::kPagesListEntries && pages->size() < num_pages; ++i) {
      uint64_t pa = 0;
      std::memcpy(&pa, list + i * sizeof(uint64_t), sizeof(pa));
      if ((pa & (kPageSize - 1)) || !mem.in_ns_ddr(pa, kPageSize))
        return abi::kTeeErrorBadParameters;
      pages->push_back(pa);
    }
    std::memcpy(&list_pa, list + abi::kPagesListEntries * sizeof(uint64_t), sizeof(list_pa));
  }
  *page_offset = offset;
  return abi::kTeeSuccess;
}

}  // namespace emu::optee_os
