// tee_session_calc_client_uuid (Linux tee_core.c): the client identity the TEE sees for a login.
#pragma once

#include <cstdint>

namespace emu::linux_tee {

// Fills `uuid` for `login` (TEE_IOCTL_LOGIN_*). `connection_data` is the ioctl's clnt_uuid field
// (holds the gid for GROUP logins). Returns 0, -EPERM (not a member of the group, or a REE kernel
// login from user space) or -EINVAL (APPLICATION logins and unknown values).
int calc_client_uuid(uint8_t uuid[16], uint32_t login, const uint8_t connection_data[16]);

}  // namespace emu::linux_tee
