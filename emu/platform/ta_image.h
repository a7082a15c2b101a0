// The TA files the emulated stack installs, as tee-supplicant finds them in /lib/optee_armtz/ and
// OP-TEE checks them after loading (docs/ta.md, "How a TA is loaded"). A real .ta is a signed
// header (shdr: magic, image type, digest, RSA signature) and the TA's ELF; the emulator's TAs
// are linked in, so their files carry only what the load protocol needs to be real: a header
// naming the TA, a size that makes every load move as many bytes as the real file does, and a
// digest over the body that OP-TEE recomputes (touching every byte, as the hash check does) and
// refuses on mismatch.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace emu::platform {

// Every bench TA kind built with OP-TEE 4.9.0's TA dev kit is 109968 bytes (ls -l
// build-arm64/ta/optee-4.9.0/*.ta): loads move that much through shared memory.
inline constexpr size_t kTaImageBytes = 109968;
inline constexpr uint32_t kTaImageMagic = 0x4f454d54;  // "TMEO": emulated OP-TEE TA

struct TaImageHeader {
  uint32_t magic = kTaImageMagic;
  uint32_t size = 0;               // the whole image, header included
  std::array<uint8_t, 16> uuid{};  // octets, in the order RPC LOAD_TA carries them
  uint64_t digest = 0;             // FNV-1a 64 over the body
};

// tee_uuid_to_octets: a GP UUID (TEE_UUID in the secure world, TEEC_UUID in the normal one: the
// same fields) as the 16 octets RPC LOAD_TA carries and the file is named by, fields big-endian.
template <typename GpUuid>
std::array<uint8_t, 16> uuid_octets(const GpUuid& u) {
  std::array<uint8_t, 16> o{};
  for (int i = 0; i < 4; ++i) o[i] = static_cast<uint8_t>(u.timeLow >> (24 - 8 * i));
  o[4] = static_cast<uint8_t>(u.timeMid >> 8);
  o[5] = static_cast<uint8_t>(u.timeMid);
  o[6] = static_cast<uint8_t>(u.timeHiAndVersion >> 8);
  o[7] = static_cast<uint8_t>(u.timeHiAndVersion);
  std::memcpy(o.data() + 8, u.clockSeqAndNode, 8);
  return o;
}

inline uint64_t ta_image_digest(const uint8_t* body, size_t len) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  for (size_t i = 0; i < len; ++i) h = (h ^ body[i]) * 0x100000001b3ull;
  return h;
}

// The file of the TA `uuid` (octets).
inline std::vector<uint8_t> make_ta_image(const std::array<uint8_t, 16>& uuid) {
  std::vector<uint8_t> img(kTaImageBytes);
  TaImageHeader h;
  h.size = static_cast<uint32_t>(img.size());
  h.uuid = uuid;
  uint8_t* body = img.data() + sizeof(h);
  const size_t len = img.size() - sizeof(h);
  for (size_t i = 0; i < len; ++i) body[i] = static_cast<uint8_t>(i * 31 + uuid[15]);
  h.digest = ta_image_digest(body, len);
  std::memcpy(img.data(), &h, sizeof(h));
  return img;
}

// Whether `img` is the whole, intact file of `uuid`.
inline bool check_ta_image(const uint8_t* img, size_t len, const std::array<uint8_t, 16>& uuid) {
  TaImageHeader h;
  if (len < sizeof(h)) return false;
  std::memcpy(&h, img, sizeof(h));
  return h.magic == kTaImageMagic && h.size == len && h.uuid == uuid &&
         h.digest == ta_image_digest(img + sizeof(h), len - sizeof(h));
}

}  // namespace emu::platform
