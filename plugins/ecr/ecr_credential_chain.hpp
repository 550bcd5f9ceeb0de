// Where the plugin's AWS credentials come from, in the AWS CLI's order:
// command line, environment, shared files, EC2 instance role; then, with a
// role ARN, STS AssumeRole on top of whichever was found.
#pragma once

#include <memory>
#include <string>

#include "ecr_credentials.hpp"
#include "regscan/host.hpp"

namespace regscan::ecr {

struct CredentialSettings {
    std::string access_key_id;      // --username
    std::string secret_access_key;  // --password
    std::string role_arn;           // --ecr-role-arn
    std::string external_id;        // --ecr-role-external-id
    std::string session_name;       // --ecr-role-session-name
    std::string sts_endpoint;       // resolved: option, env or the regional default
    std::string region;
};

// Throws sdk::Error (REGSCAN_AUTH_FAILED) when a source is half configured
// (a key without its secret, a named profile that does not exist).
std::shared_ptr<CredentialProvider> credential_chain(const sdk::Host& host, const Environment& env,
                                                     const CredentialSettings& settings);

}  // namespace regscan::ecr
