// An integer field of JSON from a registry or a plugin. nlohmann's value()
// converts a float such as 1e300 to an integer type, which is undefined
// behaviour (found by tests/fuzz): a number that is not an integer in range
// gives the fallback instead.
#pragma once

#include <limits>

#include <nlohmann/json.hpp>

namespace regscan::util {

template <class Int>
Int json_integer(const nlohmann::json& object, const char* key, Int fallback) {
    if (!object.is_object()) return fallback;
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (it->is_number_unsigned()) {
        auto value = it->get<uint64_t>();
        return value <= static_cast<uint64_t>(std::numeric_limits<Int>::max()) ? static_cast<Int>(value) : fallback;
    }
    if (it->is_number_integer()) {
        auto value = it->get<int64_t>();
        if constexpr (std::numeric_limits<Int>::is_signed) {
            return value >= std::numeric_limits<Int>::min() && value <= std::numeric_limits<Int>::max()
                       ? static_cast<Int>(value)
                       : fallback;
        } else {
            return value >= 0 && static_cast<uint64_t>(value) <= std::numeric_limits<Int>::max() ? static_cast<Int>(value)
                                                                                                   : fallback;
        }
    }
    return fallback;
}

}  // namespace regscan::util
