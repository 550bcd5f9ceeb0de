// HTTP client settings the unit tests share.
#pragma once

#include <chrono>

#include "http/http_client.hpp"

namespace regscan::testing {

// The core's own bound is ten minutes: any cut sooner is the request's deadline or timeout.
inline http::ClientOptions patient_options() {
    http::ClientOptions options;
    options.request_timeout = std::chrono::seconds(600);
    return options;
}

// One attempt: a failure is answered at once, without the retries' backoff.
inline http::ClientOptions single_attempt_options() {
    http::ClientOptions options;
    options.max_retries = 0;
    return options;
}

}  // namespace regscan::testing
