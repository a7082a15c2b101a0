// The driver's side of tee-supplicant (Linux drivers/tee/optee/supp.c): RPC requests the kernel
// cannot serve are queued here; the supplicant takes them with TEE_IOC_SUPPL_RECV and answers with
// TEE_IOC_SUPPL_SEND. With a META first parameter a request gets an id, so several supplicant
// threads can serve requests at once (reference §4.5).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>

#include "emu/linux_tee/tee_drv.h"

namespace emu::linux_tee::optee {

class Supp {
 public:
  // optee_supp_thrd_req: hands a request to the supplicant and waits for its answer. Returns a
  // TEEC result; TEEC_ERROR_COMMUNICATION when no supplicant is attached or it goes away.
  uint32_t thrd_req(uint32_t func, size_t num_params, TeeParam* params);
  // Opening /dev/teeprivN: only one supplicant at a time (-EBUSY).
  int attach(TeeContext* ctx);
  // optee_supp_release: the supplicant's context goes; every request it holds or would have got
  // fails with TEEC_ERROR_COMMUNICATION.
  void release(TeeContext* ctx);
  int recv(TeeContext* ctx, uint32_t* func, uint32_t* num_params, TeeParam* params);
  int send(TeeContext* ctx, uint32_t ret, uint32_t num_params, TeeParam* params);
  // A fatal signal to the supplicant: its threads in recv, and any that come later, get -EINTR
  // until its context is released. How the supplicant is stopped.
  void interrupt();
  bool attached() const;
  TeeContext* ctx() const;
  size_t pending() const;

 private:
  struct Req {
    uint32_t func = 0;
    size_t num_params = 0;
    TeeParam* params = nullptr;
    uint32_t ret = 0;
    bool done = false;
    int id = 0;
  };
  void complete(Req* r, uint32_t ret);

  mutable std::mutex lock_;
  std::condition_variable reqs_c_;  // the supplicant waits for work
  std::condition_variable done_c_;  // requesters wait for answers
  TeeContext* ctx_ = nullptr;
  std::deque<Req*> reqs_;      // not yet taken
  std::map<int, Req*> taken_;  // taken by a supplicant thread, by id
  int next_id_ = 1;
  int sync_id_ = 0;  // the one request of a non-async supplicant
  bool signalled_ = false;
};

}  // namespace emu::linux_tee::optee
