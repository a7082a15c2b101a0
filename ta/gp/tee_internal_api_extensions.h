/* OP-TEE's extensions to the Internal Core API used by teebench TAs (libutee tee_api_extensions).
 */
#ifndef TEEBENCH_TEE_INTERNAL_API_EXTENSIONS_H
#define TEEBENCH_TEE_INTERNAL_API_EXTENSIONS_H
#include "tee_internal_api.h"

/* Calls a tee-supplicant plugin (libutee tee_system_pta.c): buf/len are both set or both zero;
 * the plugin's output (up to len bytes) replaces buf, its length goes to *outlen. */
TEE_Result tee_invoke_supp_plugin(const TEE_UUID *uuid, uint32_t cmd, uint32_t sub_cmd, void *buf,
                                  size_t len, size_t *outlen);

/* The in-thread OCALL series (optee_os RFC #3673): a command to the client application, served by
 * its OCALL handler while this TA's call waits. Up to two VALUE/MEMREF params. */
#define TEE_ORIGIN_CLIENT_APP 0x00000005u
TEE_Result TEE_InvokeCACommand(uint32_t cancellationRequestTimeout, uint32_t commandID,
                               uint32_t paramTypes, TEE_Param params[4], uint32_t *returnOrigin);
#endif
