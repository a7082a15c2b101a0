// Parsing of non-contiguous page lists (optee_os core/kernel/msg_param.c, msg_param_extract_pages).
#pragma once

#include <cstdint>
#include <vector>

#include "emu/platform/phys_mem.h"

namespace emu::optee_os {

// Reads the page list at tmem.buf_ptr (PA of the first list page | offset of the buffer in its
// first page) for a buffer of `size` bytes. Every entry must be page aligned non-secure DDR.
// Returns a TEE result; on success fills `pages` and `page_offset`.
uint32_t msg_param_extract_pages(const platform::PhysMem& mem, uint64_t buf_ptr, uint64_t size,
                                 std::vector<platform::paddr_t>* pages, size_t* page_offset);

}  // namespace emu::optee_os
