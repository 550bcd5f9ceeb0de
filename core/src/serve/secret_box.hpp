// Connector passwords at rest: AES-256-GCM under a random key kept in a file
// of its own (mode 0600, made at first start), so the state file alone never
// reveals a password. Each sealing draws a fresh 96-bit nonce; the tag makes
// any change to the sealed text, or a different key, an error.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace regscan::serve {

class SecretBoxError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SecretBox {
public:
    static constexpr size_t key_bytes = 32;
    using Key = std::array<unsigned char, key_bytes>;

    explicit SecretBox(const Key& key) : key_(key) {}

    // Reads the key file, or creates it (O_EXCL, mode 0600) with a random key
    // when it does not exist. Refuses a key file that is not a regular file,
    // belongs to another user, can be read or written by group or others, or
    // does not hold exactly one key.
    static SecretBox from_key_file(const std::filesystem::path& file);

    // "v1:" + base64(nonce | ciphertext | tag).
    [[nodiscard]] std::string seal(std::string_view plaintext) const;
    // Throws SecretBoxError when the text was altered or sealed under another key.
    [[nodiscard]] std::string open(std::string_view sealed) const;

private:
    Key key_;
};

}  // namespace regscan::serve
