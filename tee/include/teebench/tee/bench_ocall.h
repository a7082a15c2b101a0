// The client side of the benchmark TA's OCALLs (ta/include/bench_ta.h TA_BENCH_OCALL_*).
#pragma once

#include <bench_ta.h>

#include "teebench/tee/result.h"
#include "teebench/tee/session.h"

namespace client {

inline uint32_t bench_ocall_handler(uint32_t cmd, std::span<OcallParam> p) {
  switch (cmd) {
    case TA_BENCH_OCALL_INC:
      if (p[0].kind != OcallParam::Kind::kValue) return kTeecErrorBadParameters;
      p[0].a += 1;
      return kTeecSuccess;
    case TA_BENCH_OCALL_XOR:
      if (p[0].kind != OcallParam::Kind::kBuffer || p[1].kind != OcallParam::Kind::kValue)
        return kTeecErrorBadParameters;
      for (size_t i = 0; i < p[0].size; ++i) p[0].data[i] ^= static_cast<uint8_t>(p[1].a);
      return kTeecSuccess;
    default:
      return kTeecErrorNotSupported;
  }
}

}  // namespace client
