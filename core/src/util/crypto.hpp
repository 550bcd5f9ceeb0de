// Digests and encodings, on OpenSSL's libcrypto.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::util {

// Incremental SHA-256, for blobs verified while they stream.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, size_t size);
    // Lowercase hex; the object cannot be updated afterwards.
    std::string hex_digest();

private:
    void* ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace regscan::util
