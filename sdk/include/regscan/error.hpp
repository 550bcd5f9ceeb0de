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
    Error(regscan_status status, const std::string& message, long http_status = 0)
        : std::runtime_error(message), status_(status), http_status_(http_status) {}

    [[nodiscard]] regscan_status status() const noexcept { return status_; }
    // (1.4) The HTTP status of the answer this error reports (Host::get_ok,
    // for_each_page, for_each_link_page set it); 0 when there was none. The
    // message quotes the answer's body, which may say anything: decide on
    // this, never on the text (Quay's 401 and 403 call for different actions).
    [[nodiscard]] long http_status() const noexcept { return http_status_; }

private:
    regscan_status status_;
    long http_status_;
};

}  // namespace regscan::sdk
