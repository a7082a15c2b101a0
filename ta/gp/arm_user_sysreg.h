/*
 * The Arm generic timer as a TA sees it (CNTPCT_EL0 / CNTFRQ_EL0, readable from EL0 under OP-TEE).
 * On a real OP-TEE the dev kit's <arm_user_sysreg.h> provides these; in the emulator the platform
 * provides a 1 GHz counter. A counter read is also where emulated secure code can be preempted by a
 * normal-world interrupt (a FOREIGN_INTR exit), since the emulator has no asynchronous interrupts.
 */
#ifndef TEEBENCH_ARM_USER_SYSREG_H
#define TEEBENCH_ARM_USER_SYSREG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
uint64_t teebench_emu_read_cntpct(void);
#ifdef __cplusplus
}
#endif

static inline uint64_t read_cntpct(void) { return teebench_emu_read_cntpct(); }
static inline uint64_t read_cntfrq(void) { return 1000000000u; }

#endif
