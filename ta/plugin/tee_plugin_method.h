/*
 * The interface tee-supplicant loads plugins through (optee_client
 * libteec/include/tee_plugin_method.h; Debian ships it in optee-client-dev, arm64 only). Written
 * from the interface's description in the reference: a plugin exports `plugin_method`.
 */
#ifndef TEEBENCH_TEE_PLUGIN_METHOD_H
#define TEEBENCH_TEE_PLUGIN_METHOD_H

#if defined(TEEBENCH_SYSTEM_PLUGIN_HEADER)
/* The arm64 build for a real tee-supplicant: the interface as optee-client-dev ships it. */
#include <tee_plugin_method.h>
#else

#include <stddef.h>
#include <stdint.h>

#if __has_include(<tee_client_api.h>)
#include <tee_client_api.h>
#else
typedef uint32_t TEEC_Result;
typedef struct {
  uint32_t timeLow;
  uint16_t timeMid;
  uint16_t timeHiAndVersion;
  uint8_t clockSeqAndNode[8];
} TEEC_UUID;
#endif

struct plugin_method {
  const char* name;
  TEEC_UUID uuid;
  TEEC_Result (*init)(void);
  TEEC_Result (*invoke)(unsigned int cmd, unsigned int sub_cmd, void* data, size_t in_len,
                        size_t* out_len);
};

#endif /* TEEBENCH_SYSTEM_PLUGIN_HEADER */

#endif
