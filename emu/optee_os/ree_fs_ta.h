// Loading a user TA from the normal world's file system (optee_os core/kernel/ree_fs_ta.c), which
// a new instance needs unless the TA is linked into OP-TEE (CFG_EARLY_TA). docs/ta.md, "How a TA
// is loaded".
#pragma once

#include <tee_internal_api.h>

#include "emu/platform/cost_model.h"

namespace emu::optee_os {

// Asks tee-supplicant for the TA's file (RPC LOAD_TA: once for its size, then into an
// application buffer obtained by RPC SHM_ALLOC and given back by SHM_FREE), checks it and spends
// the profile's ta_load_ns (signature check and mapping). The calling secure thread is suspended
// for each RPC. TEE_ERROR_ITEM_NOT_FOUND if the supplicant has no such TA,
// TEE_ERROR_COMMUNICATION if no supplicant answers, TEE_ERROR_SECURITY if the file is damaged.
TEE_Result ree_fs_ta_load(const TEE_UUID& uuid, const platform::CostModel& cost);

}  // namespace emu::optee_os
