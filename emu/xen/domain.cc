#include "emu/xen/domain.h"

#include "emu/xen/optee_domain.h"

namespace emu::xen {

Domain::Domain(uint16_t domid, std::unique_ptr<GuestMemory> mem)
    : domid_(domid), mem_(std::move(mem)) {}

Domain::~Domain() = default;

bool Domain::dying() const {
  std::lock_guard g(lock_);
  return dying_;
}

bool Domain::enter() {
  std::lock_guard g(lock_);
  if (dying_) return false;
  ++vcpus_inside_;
  return true;
}

void Domain::leave() {
  std::lock_guard g(lock_);
  if (--vcpus_inside_ == 0) idle_.notify_all();
}

void Domain::pause_for_destroy() {
  std::unique_lock g(lock_);
  dying_ = true;
  idle_.wait(g, [this] { return vcpus_inside_ == 0; });
}

}  // namespace emu::xen
