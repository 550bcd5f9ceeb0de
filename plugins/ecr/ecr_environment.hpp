// What the plugin takes from the machine besides HTTP: environment variables,
// the clock, waiting. Unit tests substitute each.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "ecr_time.hpp"

namespace regscan::ecr {

struct Environment {
    std::function<std::optional<std::string>(const std::string&)> getenv;
    std::function<TimePoint()> now;
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<double()> jitter;  // uniform in [0, 1)

    // The real process environment, system clock and sleep.
    static Environment system();

    // The variable's value, "" when unset.
    [[nodiscard]] std::string get(const std::string& name) const {
        auto value = getenv(name);
        return value ? *value : std::string{};
    }
};

}  // namespace regscan::ecr
