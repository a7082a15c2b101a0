#include "teebench/tee/result.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace client {

Result Result::from_errno(int err) {
  uint32_t code = kTeecErrorGeneric;
  if (err == ENOMEM)
    code = kTeecErrorOutOfMemory;
  else if (err == EINVAL)
    code = kTeecErrorBadParameters;
  return Result{err, code, kTeecOriginComms};
}

const char* teec_name(uint32_t code) {
  switch (code) {
    case kTeecSuccess:
      return "TEEC_SUCCESS";
    case kTeecErrorGeneric:
      return "TEEC_ERROR_GENERIC";
    case kTeecErrorAccessDenied:
      return "TEEC_ERROR_ACCESS_DENIED";
    case kTeecErrorCancel:
      return "TEEC_ERROR_CANCEL";
    case kTeecErrorBadParameters:
      return "TEEC_ERROR_BAD_PARAMETERS";
    case kTeecErrorBadState:
      return "TEEC_ERROR_BAD_STATE";
    case kTeecErrorItemNotFound:
      return "TEEC_ERROR_ITEM_NOT_FOUND";
    case kTeecErrorNotImplemented:
      return "TEEC_ERROR_NOT_IMPLEMENTED";
    case kTeecErrorNotSupported:
      return "TEEC_ERROR_NOT_SUPPORTED";
    case kTeecErrorOutOfMemory:
      return "TEEC_ERROR_OUT_OF_MEMORY";
    case kTeecErrorBusy:
      return "TEEC_ERROR_BUSY";
    case kTeecErrorCommunication:
      return "TEEC_ERROR_COMMUNICATION";
    case kTeecErrorShortBuffer:
      return "TEEC_ERROR_SHORT_BUFFER";
    case kTeecErrorTargetDead:
      return "TEEC_ERROR_TARGET_DEAD";
    default:
      return "TEEC_ERROR_(unknown)";
  }
}

const char* origin_name(uint32_t origin) {
  switch (origin) {
    case kTeecOriginApi:
      return "API";
    case kTeecOriginComms:
      return "COMMS";
    case kTeecOriginTee:
      return "TEE";
    case kTeecOriginTrustedApp:
      return "TA";
    default:
      return "?";
  }
}

std::string to_string(const Result& r) {
  char buf[160];
  if (r.err)
    std::snprintf(buf, sizeof(buf), "%s (origin %s, ioctl failed: %s)", teec_name(r.code),
                  origin_name(r.origin), std::strerror(r.err));
  else
    std::snprintf(buf, sizeof(buf), "%s 0x%08x (origin %s)", teec_name(r.code), r.code,
                  origin_name(r.origin));
  return buf;
}

}  // namespace client
