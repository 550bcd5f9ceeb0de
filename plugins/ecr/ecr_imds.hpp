// EC2 instance role credentials through the instance metadata service, IMDSv2
// only: a session token first (PUT), then the role name and its keys (GET).
#pragma once

#include <string>

#include "ecr_credentials.hpp"
#include "regscan/host.hpp"

namespace regscan::ecr {

inline constexpr const char* default_imds_endpoint = "http://169.254.169.254";

// AWS_EC2_METADATA_SERVICE_ENDPOINT, else the link-local default; no trailing "/".
std::string imds_endpoint(const Environment& env);
// AWS_EC2_METADATA_DISABLED=true turns the service off, as in the SDKs.
bool imds_disabled(const Environment& env);

// Throws sdk::Error (REGSCAN_AUTH_FAILED) naming the endpoint and the step that failed.
AwsCredentials fetch_imds_credentials(const sdk::Host& host, const std::string& endpoint);

}  // namespace regscan::ecr
