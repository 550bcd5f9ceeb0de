// The ECR API: JSON 1.1 over POST /, SigV4-signed (service "ecr"), with the
// AWS error shape turned into sdk::Error and throttling retried with backoff.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ecr_credentials.hpp"
#include "ecr_host.hpp"
#include "ecr_environment.hpp"
#include "regscan/host.hpp"

namespace regscan::ecr {

struct AwsError {
    std::string type;     // "RepositoryNotFoundException", without any "prefix#"
    std::string message;  // as AWS wrote it
};

// From x-amzn-ErrorType or the body's "__type", and "message"/"Message".
AwsError parse_aws_error(const sdk::HttpResponse& response);
bool is_throttling(const std::string& error_type);

class EcrApi {
public:
    EcrApi(sdk::Host host, Environment env, std::shared_ptr<CredentialProvider> credentials, Endpoint endpoint,
           std::string region);

    // One call of `operation` (e.g. "DescribeImages"). `subject` names what it
    // is about in error messages: "repository 'team/app'". Throws sdk::Error.
    nlohmann::json call(const std::string& operation, const nlohmann::json& input, const std::string& subject);
    // One page of a listing (DescribeRepositories, DescribeImages), or a call
    // made while listing (GetAuthorizationToken): as call, but nullopt when
    // the host cut the listing at its bounds, on the call or on the renewal of
    // the keys it needed (STS, instance metadata: CredentialsCut).
    std::optional<nlohmann::json> page(const std::string& operation, const nlohmann::json& input,
                                       const std::string& subject);

    [[nodiscard]] const Endpoint& endpoint() const { return endpoint_; }

    // Throttled calls are tried this many times in all, waiting
    // base * 2^n (half of it random, at most max_delay) in between.
    static constexpr int max_attempts = 6;
    static constexpr std::chrono::milliseconds base_delay{400};
    static constexpr std::chrono::milliseconds max_delay{20000};

private:
    std::optional<nlohmann::json> exchange(const std::string& operation, const nlohmann::json& input,
                                           const std::string& subject, bool listing);
    sdk::HttpResponse send(const std::string& operation, const std::string& body, const AwsCredentials& credentials);

    sdk::Host host_;
    Environment env_;
    std::shared_ptr<CredentialProvider> credentials_;
    Endpoint endpoint_;
    std::string region_;
};

}  // namespace regscan::ecr
