// The few primitives SigV4 and the registry token need, on OpenSSL's libcrypto.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "regscan/base64.hpp"

namespace regscan::ecr {

std::string sha256_hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of data under key.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hex(std::string_view bytes);
using sdk::base64_decode;

}  // namespace regscan::ecr
