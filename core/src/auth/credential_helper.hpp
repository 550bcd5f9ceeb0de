// Runs a docker credential helper the way docker does
// (github.com/docker/docker-credential-helpers): `docker-credential-<name> get`
// with the server URL on standard input, answering
// {"ServerURL": ..., "Username": ..., "Secret": ...} on standard output, or
// "credentials not found" and a non-zero exit when it has none. The helper is
// found on PATH only and started without a shell; its output is bounded and it
// is killed past a timeout. The secret is registered with the redacting sink
// as soon as it is read.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace regscan::auth {

struct HelperOptions {
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    size_t max_output = 64 * 1024;  // bytes of standard output (and, apart, of standard error)
};

struct HelperAnswer {
    enum class Status { found, not_found, failed };
    Status status = Status::failed;
    std::string username;  // "<token>" when the secret is an identity (refresh) token
    std::string secret;
    std::string error;  // failed: why (the exit status, a timeout, the first line it printed), never the secret
};

// True when `name` may follow "docker-credential-": letters, digits, '.', '_'
// and '-' only (no path, no option), as a credsStore/credHelpers value.
bool valid_helper_name(const std::string& name);

// The first executable regular file docker-credential-<name> in the
// directories of `path_variable` (a PATH value; empty entries are skipped,
// not taken for the working directory); "" when none or the name is invalid.
std::string find_credential_helper(const std::string& name, const std::string& path_variable);

// Runs `program get` with `server_url` and the environment `environment`.
HelperAnswer run_credential_helper(const std::string& program, const std::string& server_url,
                                   const std::map<std::string, std::string>& environment,
                                   const HelperOptions& options = {});

}  // namespace regscan::auth
