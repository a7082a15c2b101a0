/* OP-TEE's extensions to the Internal Core API used by teebench TAs (libutee tee_api_extensions).
 */
#ifndef TEEBENCH_TEE_INTERNAL_API_EXTENSIONS_H
#define TEEBENCH_TEE_INTERNAL_API_EXTENSIONS_H
#include "tee_internal_api.h"
#endif
