// Fields of registry or vendor JSON, read defensively: a field of the wrong
// type is absent, never an exception. Numbers: nlohmann's value() and get<>()
// convert a float such as 1e300 to an integer type, which is undefined
// behaviour (found by tests/fuzz): a number that is not in range gives the
// fallback instead. Plugins read vendor strings, timestamps and limits here.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace regscan::sdk {

// object[key] when it is a string, else "" (absent, null, another type, or
// `object` not an object).
inline std::string json_string(const nlohmann::json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// (1.3.1) The same, but "" when the string is longer than `max_size` bytes.
// For a value a plugin copies into many results (an artifact's media type
// into each of its tags): a hostile registry's 10 MB value would otherwise
// be copied once per tag.
inline std::string json_string(const nlohmann::json& object, const char* key, size_t max_size) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().size() > max_size) return {};
    return it->get<std::string>();
}

// The integer `value` holds, if it is an integer (not a float) that fits Int.
template <class Int>
std::optional<Int> json_integer_value(const nlohmann::json& value) {
    if (value.is_number_unsigned()) {
        auto v = value.get<std::uint64_t>();
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) return static_cast<Int>(v);
        return std::nullopt;
    }
    if (value.is_number_integer()) {
        auto v = value.get<std::int64_t>();
        if constexpr (std::numeric_limits<Int>::is_signed) {
            if (v >= std::numeric_limits<Int>::min() && v <= std::numeric_limits<Int>::max()) return static_cast<Int>(v);
        } else {
            if (v >= 0 && static_cast<std::uint64_t>(v) <= std::numeric_limits<Int>::max()) return static_cast<Int>(v);
        }
    }
    return std::nullopt;
}

// object[key] as Int, or `fallback` when absent, not an integer or out of range.
template <class Int>
Int json_integer(const nlohmann::json& object, const char* key, Int fallback) {
    if (!object.is_object()) return fallback;
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    return json_integer_value<Int>(*it).value_or(fallback);
}

// Seconds from a vendor: a token lifetime, a JWT "exp", an epoch time (ECR's
// imagePushedAt is a float). nullopt unless it is a finite number within
// +-max_json_seconds, so that now + lifetime or an epoch time still fits a
// std::chrono::system_clock time point (nanoseconds, +-292 years from 1970).
inline constexpr std::int64_t max_json_seconds = 4'000'000'000;  // about 126 years

inline std::optional<std::int64_t> json_seconds_value(const nlohmann::json& value) {
    std::optional<std::int64_t> seconds;
    if (value.is_number_float()) {
        double v = value.get<double>();
        if (std::isfinite(v) && std::fabs(v) <= static_cast<double>(max_json_seconds))
            seconds = static_cast<std::int64_t>(v);
    } else {
        seconds = json_integer_value<std::int64_t>(value);
    }
    if (seconds && (*seconds > max_json_seconds || *seconds < -max_json_seconds)) return std::nullopt;
    return seconds;
}

}  // namespace regscan::sdk
