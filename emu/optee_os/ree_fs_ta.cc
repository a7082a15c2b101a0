#include "emu/optee_os/ree_fs_ta.h"

#include <array>
#include <cstring>

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/rpc_payload.h"
#include "emu/optee_os/thread_rpc.h"
#include "emu/platform/ta_image.h"

namespace emu::optee_os {

using namespace emu::abi;

namespace {

uint32_t load_rpc(const std::array<uint8_t, 16>& uuid, uint64_t size, uint64_t cookie,
                  uint64_t* file_size) {
  OpteeMsgParam p[2] = {};
  p[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  std::memcpy(&p[0].u.value.a, uuid.data(), 8);
  std::memcpy(&p[0].u.value.b, uuid.data() + 8, 8);
  p[1].attr = OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT;
  p[1].u.rmem = {0, size, cookie};
  const uint32_t res = thread_rpc_cmd(OPTEE_RPC_CMD_LOAD_TA, p);
  *file_size = p[1].u.rmem.size;
  return res;
}

}  // namespace

TEE_Result ree_fs_ta_load(const TEE_UUID& uuid, const platform::CostModel& cost) {
  const auto octets = platform::uuid_octets(uuid);
  uint64_t size = 0;
  if (uint32_t res = load_rpc(octets, 0, 0, &size); res != kTeeSuccess) return res;
  if (size == 0 || size > (uint64_t{64} << 20)) return TEE_ERROR_SECURITY;
  RpcPayload file(OPTEE_RPC_SHM_TYPE_APPL);
  if (TEE_Result r = file.alloc(size); r != TEE_SUCCESS) return r;
  uint64_t got = 0;
  if (uint32_t res = load_rpc(octets, size, file.cookie(), &got); res != kTeeSuccess) return res;
  if (got != size || !platform::check_ta_image(file.va(), size, octets)) return TEE_ERROR_SECURITY;
  cost.charge(platform::Cost::kTaLoad);
  return TEE_SUCCESS;
}

}  // namespace emu::optee_os
