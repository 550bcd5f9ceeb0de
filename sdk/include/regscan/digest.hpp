// (1.3.2) A content digest as the core accepts one: "sha256:" and 64, or
// "sha512:" and 128, lower-case hex digits. A plugin checks a digest a
// vendor API lists before it puts it into a request path (an index's
// children) or copies it into each of an artifact's tags: the core would
// refuse any other later, after the plugin had used it.
#pragma once

#include <string_view>

namespace regscan::sdk {

inline bool valid_digest(std::string_view digest) {
    const size_t hex_length = digest.starts_with("sha256:") ? 64 : digest.starts_with("sha512:") ? 128 : 0;
    if (hex_length == 0 || digest.size() != 7 + hex_length) return false;
    for (char c : digest.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace regscan::sdk
