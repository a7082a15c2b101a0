// The errno table of the TEE core and the OP-TEE driver (reference §1.3/§1.4): one row per check,
// each run on a fresh emulated machine through the real ioctl structs.
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "emu/abi/optee_smc.h"
#include "support/emu_stack.h"
#include "teebench/tee/shared_memory.h"

namespace {

using testing_support::EmuStack;
using testing_support::RawCall;

struct Row {
  const char* name;
  std::function<int(EmuStack&)> act;  // returns the ioctl's result (-errno)
  int expected_errno;
  bool mask_memref_null = false;
};

// Masks MEMREF_NULL in the secure world's capabilities, as an older OP-TEE would report them.
class CapMask final : public emu::platform::SmcConduit {
 public:
  explicit CapMask(emu::platform::SmcConduit& os) : os_(os) {}
  void smc(emu::platform::SmcRegs& r) override {
    const bool caps = r.a[0] == emu::abi::OPTEE_SMC_EXCHANGE_CAPABILITIES;
    os_.smc(r);
    if (caps) r.a[1] &= ~uint64_t{emu::abi::OPTEE_SMC_SEC_CAP_MEMREF_NULL};
  }

 private:
  emu::platform::SmcConduit& os_;
};

int invoke_with(EmuStack& s, const std::function<void(RawCall<tee_ioctl_invoke_arg>&)>& fill,
                size_t nparams = 4, size_t adjust = 0) {
  auto session = s.open_bench();
  RawCall<tee_ioctl_invoke_arg> c(nparams);
  c.arg()->session = session.id();
  fill(c);
  return testing_support::raw_invoke(*s.ctx, c, adjust);
}

const Row kRows[] = {
    {"unknown_ioctl",
     [](EmuStack& s) { return s.dev->ioctl(s.ctx->fd(), _IO(TEE_IOC_MAGIC, 42), nullptr); },
     EINVAL},
    {"version_bad_pointer",
     [](EmuStack& s) {
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_VERSION, reinterpret_cast<void*>(0x10));
     },
     EFAULT},
    {"shm_alloc_flags_nonzero",
     [](EmuStack& s) {
       tee_ioctl_shm_alloc_data d{4096, 1, 0};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_SHM_ALLOC, &d);
     },
     EINVAL},
    {"shm_register_flags_nonzero",
     [](EmuStack& s) {
       client::UserBuffer b(*s.dev, 4096);
       tee_ioctl_shm_register_data d{reinterpret_cast<uintptr_t>(b.data()), 4096, 1, 0};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_SHM_REGISTER, &d);
     },
     EINVAL},
    {"shm_register_length_zero",
     [](EmuStack& s) {
       client::UserBuffer b(*s.dev, 4096);
       tee_ioctl_shm_register_data d{reinterpret_cast<uintptr_t>(b.data()), 0, 0, 0};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_SHM_REGISTER, &d);
     },
     ENOMEM},
    {"shm_register_unmapped_memory",
     [](EmuStack& s) {
       std::vector<uint8_t> heap(8192);  // not memory of the emulated process
       tee_ioctl_shm_register_data d{reinterpret_cast<uintptr_t>(heap.data()), 4096, 0, 0};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_SHM_REGISTER, &d);
     },
     EFAULT},
    {"invoke_buf_len_over_max",
     [](EmuStack& s) {
       return invoke_with(
           s, [](auto&) {}, 4, TEE_MAX_ARG_SIZE);
     },
     EINVAL},
    {"invoke_buf_len_under_arg",
     [](EmuStack& s) {
       tee_ioctl_invoke_arg a{};
       tee_ioctl_buf_data b{reinterpret_cast<uintptr_t>(&a), sizeof(a) - 1};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_INVOKE, &b);
     },
     EINVAL},
    {"invoke_buf_len_not_matching_params",
     [](EmuStack& s) {
       return invoke_with(
           s, [](auto&) {}, 2, 32);
     },
     EINVAL},
    {"invoke_buf_ptr_wild",
     [](EmuStack& s) {
       tee_ioctl_buf_data b{0xdead0000, sizeof(tee_ioctl_invoke_arg)};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_INVOKE, &b);
     },
     EFAULT},
    {"param_attr_outside_mask",
     [](EmuStack& s) { return invoke_with(s, [](auto& c) { c.params()[0].attr = 0x200 | 1; }); },
     EINVAL},
    {"param_unknown_type",
     [](EmuStack& s) { return invoke_with(s, [](auto& c) { c.params()[0].attr = 4; }); }, EINVAL},
    {"param_meta_bit_rejected_by_driver",
     [](EmuStack& s) {
       return invoke_with(s, [](auto& c) {
         c.params()[0].attr = TEE_IOCTL_PARAM_ATTR_META | TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
       });
     },
     EINVAL},
    {"memref_unknown_shm_id",
     [](EmuStack& s) {
       return invoke_with(s, [](auto& c) {
         c.params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, 0, 16, 777};
       });
     },
     EINVAL},
    {"memref_shm_of_another_context",
     [](EmuStack& s) {
       client::Context other(*s.dev);
       EXPECT_TRUE(other.open().ok());
       client::SharedMemory shm;
       EXPECT_TRUE(client::SharedMemory::allocate(other, 4096, &shm).ok());
       const int id = shm.id();
       return invoke_with(s, [id](auto& c) {
         c.params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, 0, 16, uint64_t(id)};
       });
     },
     EINVAL},
    {"memref_past_end",
     [](EmuStack& s) {
       client::SharedMemory shm;
       EXPECT_TRUE(client::SharedMemory::allocate(*s.ctx, 4096, &shm).ok());
       const int id = shm.id();
       return invoke_with(s, [id](auto& c) {
         c.params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, 4000, 97, uint64_t(id)};
       });
     },
     EINVAL},
    {"memref_offset_overflow",
     [](EmuStack& s) {
       client::SharedMemory shm;
       EXPECT_TRUE(client::SharedMemory::allocate(*s.ctx, 4096, &shm).ok());
       const int id = shm.id();
       return invoke_with(s, [id](auto& c) {
         c.params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, ~uint64_t{0} - 8, 16,
                          uint64_t(id)};
       });
     },
     EINVAL},
    {"memref_null_without_cap",
     [](EmuStack& s) {
       return invoke_with(s, [](auto& c) {
         c.params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, 0, 0, TEE_MEMREF_NULL};
       });
     },
     EINVAL, true},
    {"invoke_unknown_session",
     [](EmuStack& s) {
       RawCall<tee_ioctl_invoke_arg> c(4);
       c.arg()->session = 4242;
       return testing_support::raw_invoke(*s.ctx, c);
     },
     EINVAL},
    {"invoke_seven_params",
     [](EmuStack& s) {
       return invoke_with(
           s, [](auto&) {}, 7);
     },
     EINVAL},
    {"open_login_ree_kernel",
     [](EmuStack& s) {
       RawCall<tee_ioctl_open_session_arg> c(0);
       return testing_support::raw_open(*s.ctx, c, client::bench_ta_uuid(),
                                        TEE_IOCTL_LOGIN_REE_KERNEL);
     },
     EPERM},
    {"open_login_application",
     [](EmuStack& s) {
       RawCall<tee_ioctl_open_session_arg> c(0);
       return testing_support::raw_open(*s.ctx, c, client::bench_ta_uuid(),
                                        TEE_IOCTL_LOGIN_APPLICATION);
     },
     EINVAL},
    {"open_login_group_not_member",
     [](EmuStack& s) {
       RawCall<tee_ioctl_open_session_arg> c(0);
       const gid_t gid = 0x7ffffff0;  // a group nobody is in
       std::memcpy(c.arg()->clnt_uuid, &gid, sizeof(gid));
       return testing_support::raw_open(*s.ctx, c, client::bench_ta_uuid(), TEE_IOCTL_LOGIN_GROUP);
     },
     EPERM},
    {"open_five_params",
     [](EmuStack& s) {
       RawCall<tee_ioctl_open_session_arg> c(5);
       return testing_support::raw_open(*s.ctx, c, client::bench_ta_uuid());
     },
     EINVAL},
    {"close_unknown_session",
     [](EmuStack& s) {
       tee_ioctl_close_session_arg a{999};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_CLOSE_SESSION, &a);
     },
     EINVAL},
    {"cancel_unknown_session",
     [](EmuStack& s) {
       tee_ioctl_cancel_arg a{1, 999};
       return s.dev->ioctl(s.ctx->fd(), TEE_IOC_CANCEL, &a);
     },
     EINVAL},
    {"mmap_registered_shm",
     [](EmuStack& s) {
       client::UserBuffer b(*s.dev, 4096);
       tee_ioctl_shm_register_data d{reinterpret_cast<uintptr_t>(b.data()), 4096, 0, 0};
       const int fd = s.dev->ioctl(s.ctx->fd(), TEE_IOC_SHM_REGISTER, &d);
       EXPECT_GE(fd, 0);
       int err = 0;
       EXPECT_EQ(s.dev->mmap(fd, 4096, &err), nullptr);
       s.dev->close(fd);
       return err;
     },
     EINVAL},
    {"mmap_beyond_shm_size",
     [](EmuStack& s) {
       tee_ioctl_shm_alloc_data d{4096, 0, 0};
       const int fd = s.dev->ioctl(s.ctx->fd(), TEE_IOC_SHM_ALLOC, &d);
       EXPECT_GE(fd, 0);
       int err = 0;
       EXPECT_EQ(s.dev->mmap(fd, 3 * 4096, &err), nullptr);
       s.dev->close(fd);
       return err;
     },
     EINVAL},
    {"ioctl_on_closed_fd",
     [](EmuStack& s) {
       tee_ioctl_version_data v{};
       return s.dev->ioctl(1000, TEE_IOC_VERSION, &v);
     },
     EBADF},
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

class ErrnoTable : public ::testing::TestWithParam<Row> {};

TEST_P(ErrnoTable, IoctlFailsWithExpectedErrno) {
  const Row& row = GetParam();
  emu::Machine::Interposer mask;
  if (row.mask_memref_null)
    mask = [](emu::platform::SmcConduit& os) { return std::make_unique<CapMask>(os); };
  EmuStack s(testing_support::config(), mask);
  EXPECT_EQ(row.act(s), -row.expected_errno);
  // Whatever failed, nothing may be left behind in the secure world.
  EXPECT_TRUE(s.machine->optee_os().threads().all_free());
}

INSTANTIATE_TEST_SUITE_P(Section1_3, ErrnoTable, ::testing::ValuesIn(kRows),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ErrnoTable, SuccessfulCallsStillSucceed) {
  EmuStack s;
  auto session = s.open_bench();
  EXPECT_TRUE(session.invoke(TA_BENCH_CMD_NOP).ok());
  client::Session user;
  const auto r =
      client::Session::open(*s.ctx, client::bench_ta_uuid(), client::Login::kUser, nullptr, &user);
  EXPECT_TRUE(r.ok()) << client::to_string(r);
}

}  // namespace
