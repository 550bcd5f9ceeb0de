// How regscan estimates the memory of what it keeps from a registry's bytes,
// to bound it as it grows (limits::max_layer_kept_bytes): the size of the
// structures plus the heap bytes of their strings. One model for the layer's
// facts (scan/facts_size) and for what a cataloger holds while reading one
// file (catalog/file_budget).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace regscan::util {

// A std::map node's links and colour, beside its key and value.
inline constexpr uint64_t map_node_bytes = 48;

// A string's characters on the heap (none up to 15: stored inline), the
// allocator's header included.
inline uint64_t heap_bytes(size_t length) { return length > 15 ? length + 17 : 0; }
inline uint64_t heap_bytes(const std::string& value) { return heap_bytes(value.size()); }

inline uint64_t strings_bytes(const std::vector<std::string>& values) {
    uint64_t bytes = 0;
    for (const auto& value : values) bytes += sizeof(std::string) + heap_bytes(value);
    return bytes;
}

}  // namespace regscan::util
