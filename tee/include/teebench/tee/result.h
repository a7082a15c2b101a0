// Results of client calls. Two levels are kept apart, as libteec and the kernel keep them: the
// errno of an ioctl that failed, and the TEEC result code + origin of a call the TEE answered.
#pragma once

#include <cstdint>
#include <string>

namespace client {

// TEEC result codes (GlobalPlatform TEE Client API).
inline constexpr uint32_t kTeecSuccess = 0x00000000u;
inline constexpr uint32_t kTeecErrorGeneric = 0xFFFF0000u;
inline constexpr uint32_t kTeecErrorAccessDenied = 0xFFFF0001u;
inline constexpr uint32_t kTeecErrorCancel = 0xFFFF0002u;
inline constexpr uint32_t kTeecErrorBadParameters = 0xFFFF0006u;
inline constexpr uint32_t kTeecErrorBadState = 0xFFFF0007u;
inline constexpr uint32_t kTeecErrorItemNotFound = 0xFFFF0008u;
inline constexpr uint32_t kTeecErrorNotImplemented = 0xFFFF0009u;
inline constexpr uint32_t kTeecErrorNotSupported = 0xFFFF000Au;
inline constexpr uint32_t kTeecErrorOutOfMemory = 0xFFFF000Cu;
inline constexpr uint32_t kTeecErrorBusy = 0xFFFF000Du;
inline constexpr uint32_t kTeecErrorCommunication = 0xFFFF000Eu;
inline constexpr uint32_t kTeecErrorShortBuffer = 0xFFFF0010u;
inline constexpr uint32_t kTeecErrorTargetDead = 0xFFFF3024u;

// TEEC origins.
inline constexpr uint32_t kTeecOriginApi = 1;
inline constexpr uint32_t kTeecOriginComms = 2;
inline constexpr uint32_t kTeecOriginTee = 3;
inline constexpr uint32_t kTeecOriginTrustedApp = 4;

struct Result {
  int err = 0;                   // errno of a failed ioctl; 0 if the ioctl itself succeeded
  uint32_t code = kTeecSuccess;  // TEEC result
  uint32_t origin = kTeecOriginApi;

  bool ok() const { return err == 0 && code == kTeecSuccess; }
  // A failed ioctl as libteec reports it: ENOMEM -> OUT_OF_MEMORY, EINVAL -> BAD_PARAMETERS,
  // anything else -> GENERIC; origin COMMS.
  static Result from_errno(int err);
  static Result teec(uint32_t code, uint32_t origin) { return Result{0, code, origin}; }
};

const char* teec_name(uint32_t code);
const char* origin_name(uint32_t origin);
// "TEEC_ERROR_BAD_PARAMETERS (origin COMMS, errno EINVAL)" and the like.
std::string to_string(const Result& r);

}  // namespace client
