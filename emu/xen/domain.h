// A Xen domain as far as the TEE mediator is concerned (struct domain): its id, its RAM with the
// p2m, the mediator's per-domain state (arch.tee), and the pause that destruction needs.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "emu/xen/p2m.h"

namespace emu::xen {

struct OpteeDomain;  // optee.cc

class Domain {
 public:
  Domain(uint16_t domid, std::unique_ptr<GuestMemory> mem);
  ~Domain();

  uint16_t domid() const { return domid_; }
  GuestMemory& mem() { return *mem_; }
  const GuestMemory& mem() const { return *mem_; }
  bool dying() const;

  // A vCPU traps into Xen: false if the domain is being destroyed (its vCPUs no longer run).
  bool enter();
  void leave();
  // domain_pause for destruction: no vCPU enters any more, and this returns once none is inside.
  void pause_for_destroy();

  std::unique_ptr<OpteeDomain> tee;  // d->arch.tee

 private:
  const uint16_t domid_;
  std::unique_ptr<GuestMemory> mem_;
  mutable std::mutex lock_;
  std::condition_variable idle_;
  uint32_t vcpus_inside_ = 0;
  bool dying_ = false;
};

}  // namespace emu::xen
