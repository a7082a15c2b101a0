/*
 * The subset of the GlobalPlatform TEE Internal Core API (v1.3) that teebench's TAs use, with the
 * GP names, types and values. Inside the emulator it is implemented by emu/optee_os/tee_api.cc;
 * on a real OP-TEE the TA dev kit's own <tee_internal_api.h> is used instead and this file is not
 * on the include path.
 */
#ifndef TEEBENCH_TEE_INTERNAL_API_H
#define TEEBENCH_TEE_INTERNAL_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t TEE_Result;

typedef struct {
  uint32_t timeLow;
  uint16_t timeMid;
  uint16_t timeHiAndVersion;
  uint8_t clockSeqAndNode[8];
} TEE_UUID;

typedef union {
  struct {
    void* buffer;
    size_t size;
  } memref;
  struct {
    uint32_t a;
    uint32_t b;
  } value;
} TEE_Param;

typedef struct {
  uint32_t seconds;
  uint32_t millis;
} TEE_Time;

#define TEE_SUCCESS 0x00000000u
#define TEE_ERROR_GENERIC 0xFFFF0000u
#define TEE_ERROR_ACCESS_DENIED 0xFFFF0001u
#define TEE_ERROR_CANCEL 0xFFFF0002u
#define TEE_ERROR_BAD_FORMAT 0xFFFF0005u
#define TEE_ERROR_BAD_PARAMETERS 0xFFFF0006u
#define TEE_ERROR_BAD_STATE 0xFFFF0007u
#define TEE_ERROR_ITEM_NOT_FOUND 0xFFFF0008u
#define TEE_ERROR_NOT_IMPLEMENTED 0xFFFF0009u
#define TEE_ERROR_NOT_SUPPORTED 0xFFFF000Au
#define TEE_ERROR_OUT_OF_MEMORY 0xFFFF000Cu
#define TEE_ERROR_BUSY 0xFFFF000Du
#define TEE_ERROR_COMMUNICATION 0xFFFF000Eu
#define TEE_ERROR_SHORT_BUFFER 0xFFFF0010u
#define TEE_ERROR_SECURITY 0xFFFF000Fu
#define TEE_ERROR_TARGET_DEAD 0xFFFF3024u

#define TEE_PARAM_TYPE_NONE 0
#define TEE_PARAM_TYPE_VALUE_INPUT 1
#define TEE_PARAM_TYPE_VALUE_OUTPUT 2
#define TEE_PARAM_TYPE_VALUE_INOUT 3
#define TEE_PARAM_TYPE_MEMREF_INPUT 5
#define TEE_PARAM_TYPE_MEMREF_OUTPUT 6
#define TEE_PARAM_TYPE_MEMREF_INOUT 7

#define TEE_PARAM_TYPES(t0, t1, t2, t3) \
  ((uint32_t)(t0) | ((uint32_t)(t1) << 4) | ((uint32_t)(t2) << 8) | ((uint32_t)(t3) << 12))
/* Result origins (GP TEE Internal Core API). */
#define TEE_ORIGIN_API 0x00000001u
#define TEE_ORIGIN_COMMS 0x00000002u
#define TEE_ORIGIN_TEE 0x00000003u
#define TEE_ORIGIN_TRUSTED_APP 0x00000004u

#define TEE_PARAM_TYPE_GET(t, i) (((t) >> ((i)*4)) & 0xF)

#define TEE_MALLOC_FILL_ZERO 0x00000000u
#define TEE_TIMEOUT_INFINITE 0xFFFFFFFFu

/* TA entry points, implemented by the TA. */
TEE_Result TA_CreateEntryPoint(void);
void TA_DestroyEntryPoint(void);
TEE_Result TA_OpenSessionEntryPoint(uint32_t paramTypes, TEE_Param params[4],
                                    void** sessionContext);
void TA_CloseSessionEntryPoint(void* sessionContext);
TEE_Result TA_InvokeCommandEntryPoint(void* sessionContext, uint32_t commandID, uint32_t paramTypes,
                                      TEE_Param params[4]);

/* Services of the Internal Core API, implemented by the TEE. */
void* TEE_Malloc(size_t size, uint32_t hint);
void TEE_Free(void* buffer);
void* TEE_MemMove(void* dest, const void* src, size_t size);
void TEE_MemFill(void* buffer, uint32_t x, size_t size);
TEE_Result TEE_Wait(uint32_t timeout);
void TEE_GetSystemTime(TEE_Time* time);
void TEE_GetREETime(TEE_Time* time);
void TEE_Panic(TEE_Result panicCode);

#ifdef __cplusplus
}
#endif

#endif
