// Every exit status regscan returns, in one place (docs/cli.md lists them).
#pragma once

#include <stdexcept>
#include <string>

#include "regscan/plugin_abi.h"

namespace regscan::app {

enum class ExitCode : int {
    ok = 0,
    internal_error = 1,
    bad_arguments = 2,
    unreachable = 3,
    auth_failed = 4,
    no_plugin = 5,
    partial_failure = 6,
    findings = 7,  // --fail-on: a finding at or above the given severity
    // `registry` stopped by a signal (128 + its number), the reports holding
    // the images that finished.
    interrupted = 130,  // SIGINT
    terminated = 143,   // SIGTERM
};

// A failure that ends the run with a given exit code; main() prints the
// message and returns the code.
class Fatal : public std::runtime_error {
public:
    Fatal(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    [[nodiscard]] ExitCode code() const { return code_; }

private:
    ExitCode code_;
};

// The exit code for a whole-run failure reported with a plugin status.
inline ExitCode exit_code_for(regscan_status status) {
    switch (status) {
        case REGSCAN_AUTH_FAILED: return ExitCode::auth_failed;
        case REGSCAN_UNREACHABLE: return ExitCode::unreachable;
        case REGSCAN_UNSUPPORTED: return ExitCode::no_plugin;
        case REGSCAN_BAD_ARGUMENT: return ExitCode::bad_arguments;
        default: return ExitCode::partial_failure;
    }
}

}  // namespace regscan::app
