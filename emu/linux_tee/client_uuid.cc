#include "emu/linux_tee/client_uuid.h"

#include <linux/tee.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace emu::linux_tee {
namespace {

// UUIDv5 needs SHA-1. No library already in our dependency set provides it, and pulling in
// libcrypto for 16 bytes of identity is out of proportion, so this is a small FIPS 180-4 SHA-1.
std::array<uint8_t, 20> sha1(const std::vector<uint8_t>& msg) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::vector<uint8_t> m = msg;
  const uint64_t bits = uint64_t{msg.size()} * 8;
  m.push_back(0x80);
  while (m.size() % 64 != 56) m.push_back(0);
  for (int i = 7; i >= 0; --i) m.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  auto rol = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i)
      w[i] = uint32_t{m[off + 4 * i]} << 24 | uint32_t{m[off + 4 * i + 1]} << 16 |
             uint32_t{m[off + 4 * i + 2]} << 8 | m[off + 4 * i + 3];
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f = 0, k = 0;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      const uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rol(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<uint8_t, 20> out{};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(h[i] >> (24 - 8 * j));
  return out;
}

// Namespace 58ac9ca0-2086-4683-a1b8-ec4bc08e01b6 (tee_core.c tee_client_uuid_ns).
constexpr uint8_t kClientUuidNs[16] = {0x58, 0xac, 0x9c, 0xa0, 0x20, 0x86, 0x46, 0x83,
                                       0xa1, 0xb8, 0xec, 0x4b, 0xc0, 0x8e, 0x01, 0xb6};

void uuid_v5(uint8_t out[16], const std::string& name) {
  std::vector<uint8_t> msg(kClientUuidNs, kClientUuidNs + 16);
  msg.insert(msg.end(), name.begin(), name.end());
  const auto hash = sha1(msg);
  std::memcpy(out, hash.data(), 16);
  out[6] = static_cast<uint8_t>((out[6] & 0x0f) | 0x50);
  out[8] = static_cast<uint8_t>((out[8] & 0x3f) | 0x80);
}

bool in_egroup(gid_t gid) {
  if (getegid() == gid) return true;
  gid_t groups[256];
  const int n = getgroups(256, groups);
  for (int i = 0; i < n; ++i)
    if (groups[i] == gid) return true;
  return false;
}

}  // namespace

int calc_client_uuid(uint8_t uuid[16], uint32_t login, const uint8_t connection_data[16]) {
  char name[32];
  switch (login) {
    case TEE_IOCTL_LOGIN_PUBLIC:
      std::memset(uuid, 0, 16);
      return 0;
    case TEE_IOCTL_LOGIN_USER:
      std::snprintf(name, sizeof(name), "uid=%x", static_cast<unsigned>(geteuid()));
      break;
    case TEE_IOCTL_LOGIN_GROUP: {
      gid_t gid = 0;
      std::memcpy(&gid, connection_data, sizeof(gid));
      if (!in_egroup(gid)) return -EPERM;
      std::snprintf(name, sizeof(name), "gid=%x", static_cast<unsigned>(gid));
      break;
    }
    default:
      if (login >= TEE_IOCTL_LOGIN_REE_KERNEL_MIN && login <= TEE_IOCTL_LOGIN_REE_KERNEL_MAX)
        return -EPERM;
      return -EINVAL;  // APPLICATION logins are not supported by the kernel
  }
  uuid_v5(uuid, name);
  return 0;
}

}  // namespace emu::linux_tee
