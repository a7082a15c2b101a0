#include "emu/optee_os/thread_stack.h"

#include <sys/mman.h>

#include <new>
#include <utility>

#if defined(TEEBENCH_ASAN)
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif
#if defined(TEEBENCH_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace emu::optee_os {
namespace {

namespace ctx = boost::context;

// Our C++ secure code needs more than OP-TEE's 8 KiB thread stacks; sanitizers need more still.
#if defined(TEEBENCH_ASAN) || defined(TEEBENCH_TSAN)
constexpr size_t kStackSize = size_t{1} << 20;
#else
constexpr size_t kStackSize = size_t{256} << 10;
#endif
constexpr size_t kGuard = 4096;

// Hands Boost.Context the stack this slot owns for its whole life, so a std call allocates nothing.
struct SlotStack {
  void* base;
  size_t size;
  ctx::stack_context allocate() {
    ctx::stack_context sc;
    sc.size = size;
    sc.sp = static_cast<char*>(base) + size;
    return sc;
  }
  void deallocate(ctx::stack_context&) noexcept {}
};

}  // namespace

ThreadStack::ThreadStack() : stack_size_(kStackSize) {
  void* p = mmap(nullptr, kStackSize + kGuard, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  mprotect(p, kGuard, PROT_NONE);
  stack_ = static_cast<char*>(p) + kGuard;
#if defined(TEEBENCH_TSAN)
  tsan_fiber_ = __tsan_create_fiber(0);
#endif
}

ThreadStack::~ThreadStack() {
#if defined(TEEBENCH_TSAN)
  __tsan_destroy_fiber(tsan_fiber_);
#endif
  if (finished_) {
    munmap(static_cast<char*>(stack_) - kGuard, stack_size_ + kGuard);
    return;
  }
  // Abandoned (a destroyed guest's partition, or a machine torn down mid-call): the frames on this
  // stack still point at objects they own, and nothing may run them again. Keep the stack so those
  // objects stay reachable instead of dangling; it is a bounded leak (one stack per thread that was
  // suspended), as OP-TEE simply forgets a freed partition's threads.
  new (abandoned_) ctx::fiber(std::move(fiber_));
#if defined(TEEBENCH_ASAN)
  __lsan_register_root_region(stack_, stack_size_);
#endif
}

void ThreadStack::start(Entry entry, void* arg) {
  entry_ = entry;
  arg_ = arg;
  finished_ = false;
  fiber_ =
      ctx::fiber(std::allocator_arg, SlotStack{stack_, stack_size_}, [this](ctx::fiber&& caller) {
        enter_from(std::move(caller));
        entry_(arg_);
        finished_ = true;
#if defined(TEEBENCH_ASAN)
        // Final switch: this stack is done, so no fake stack to keep.
        __sanitizer_start_switch_fiber(nullptr, caller_stack_bottom_, caller_stack_size_);
#endif
#if defined(TEEBENCH_TSAN)
        __tsan_switch_to_fiber(tsan_caller_, 0);
#endif
        return std::move(caller_);
      });
  switch_in();
}

void ThreadStack::resume() { switch_in(); }

void ThreadStack::switch_in() {
#if defined(TEEBENCH_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, stack_, stack_size_);
#endif
#if defined(TEEBENCH_TSAN)
  tsan_caller_ = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(tsan_fiber_, 0);
#endif
  fiber_ = std::move(fiber_).resume();
#if defined(TEEBENCH_ASAN)
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
}

void ThreadStack::enter_from(ctx::fiber&& caller) {
  caller_ = std::move(caller);
#if defined(TEEBENCH_ASAN)
  __sanitizer_finish_switch_fiber(asan_fake_stack_, &caller_stack_bottom_, &caller_stack_size_);
#endif
}

void ThreadStack::suspend() {
#if defined(TEEBENCH_ASAN)
  __sanitizer_start_switch_fiber(&asan_fake_stack_, caller_stack_bottom_, caller_stack_size_);
#endif
#if defined(TEEBENCH_TSAN)
  __tsan_switch_to_fiber(tsan_caller_, 0);
#endif
  caller_ = std::move(caller_).resume();
  // Possibly on another OS thread now: whoever issued RETURN_FROM_RPC.
#if defined(TEEBENCH_ASAN)
  __sanitizer_finish_switch_fiber(asan_fake_stack_, &caller_stack_bottom_, &caller_stack_size_);
#endif
}

}  // namespace emu::optee_os
