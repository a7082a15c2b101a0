#include "emu/optee_os/virtualization.h"

#include "emu/optee_os/optee_os.h"

namespace emu::optee_os {

// Each guest gets the heap and VA window a non-virtualized OP-TEE has (its banked .heap and
// core_virt_shm_pool) and its own pool of CFG_NUM_THREADS threads (thread_init_threads on
// VM_CREATED).
Partition::Partition(OpteeOs& os, uint16_t guest_id)
    : os_(os),
      id_(guest_id),
      vas_(os.config().shm_vaspace_size),
      reg_shm_(os.mem(), vas_, os.cost(), os.config().core_heap_size,
               os.config().defect_mobj_map_leak),
      tas_(os.cost(), os.config().early_tas),
      threads_(*this, os.config().num_threads) {}

Partition& Partition::current() { return ThreadPool::current()->pool->partition(); }

}  // namespace emu::optee_os
