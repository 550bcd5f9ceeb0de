// Base64 (RFC 4648) for plugins: Basic credentials, tokens that vendors
// wrap in base64 (ECR), JWT payloads (base64url). Header-only so that a
// plugin needs no crypto library for it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::sdk {
namespace base64_detail {

inline constexpr std::string_view standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view url_safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

inline std::optional<std::string> decode(std::string_view text, std::string_view alphabet) {
    std::array<int, 256> value{};
    value.fill(-1);
    for (size_t i = 0; i < alphabet.size(); ++i) value[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : text) {
        int v = value[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xFF));
        }
    }
    return out;
}

}  // namespace base64_detail

// Standard alphabet, with padding.
inline std::string base64_encode(std::string_view data) {
    const auto& alphabet = base64_detail::standard;
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        std::uint32_t n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                          static_cast<unsigned char>(data[i + 2]);
        out += {alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], alphabet[n & 63]};
    }
    if (size_t rest = data.size() - i; rest > 0) {
        std::uint32_t n = static_cast<unsigned char>(data[i]) << 16;
        if (rest == 2) n |= static_cast<unsigned char>(data[i + 1]) << 8;
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Standard alphabet, padding optional; nullopt on any other character.
inline std::optional<std::string> base64_decode(std::string_view text) {
    return base64_detail::decode(text, base64_detail::standard);
}

// URL-safe alphabet (JWT segments), padding optional.
inline std::optional<std::string> base64url_decode(std::string_view text) {
    return base64_detail::decode(text, base64_detail::url_safe);
}

}  // namespace regscan::sdk
