// STS AssumeRole (Query API, XML answer): credentials of a role, usually in
// another account, for cross-account scans.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ecr_credentials.hpp"
#include "regscan/host.hpp"

namespace regscan::ecr {

struct AssumeRoleRequest {
    std::string role_arn;
    std::string session_name = "regscan";
    std::string external_id;  // when the role's trust policy asks for one
    int duration_seconds = 3600;
};

// Signs with `base` (service "sts", `region`) and POSTs to `endpoint`.
// Throws sdk::Error naming the role and the STS error code.
AwsCredentials assume_role(const sdk::Host& host, const Environment& env, CredentialProvider& base,
                           const std::string& endpoint, const std::string& region, const AssumeRoleRequest& request);

// The content of the first <name>...</name> in `xml`, as is; "" when absent.
std::string_view xml_inner(std::string_view xml, std::string_view name);
// The same with XML entities decoded: for leaf elements.
std::string xml_text(std::string_view xml, std::string_view name);

}  // namespace regscan::ecr
