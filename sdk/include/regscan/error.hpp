// The one exception type the C++ layer turns into a regscan_status at the
// ABI boundary. Plugins throw it for expected failures (401, 404, bad JSON);
// any other exception becomes REGSCAN_ERROR with its what().
#pragma once

#include <stdexcept>
#include <string>

#include "regscan/plugin_abi.h"

namespace regscan::sdk {

class Error : public std::runtime_error {
public:
    Error(regscan_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}

    [[nodiscard]] regscan_status status() const noexcept { return status_; }

private:
    regscan_status status_;
};

}  // namespace regscan::sdk
