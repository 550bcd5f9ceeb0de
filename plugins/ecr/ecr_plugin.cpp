// Amazon Elastic Container Registry: discovery through the ECR API
// (DescribeRepositories, DescribeImages), pulls with the Basic credentials of
// GetAuthorizationToken. The logic lives in the files beside this one.
#include <memory>

#include "ecr_open.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

struct EcrRegistry {
    static constexpr const char* types = regscan::ecr::registry_type;
    static constexpr const char* options = R"json([
        {"name": "ecr-endpoint", "env": "AWS_ENDPOINT_URL_ECR",
         "help": "ECR API endpoint URL (default: https://api.ecr.<region>.amazonaws.com from the registry host)"},
        {"name": "ecr-role-arn",
         "help": "IAM role ARN to assume with STS AssumeRole before calling ECR (cross-account scans)"},
        {"name": "ecr-role-external-id", "help": "external ID that the role's trust policy requires"},
        {"name": "ecr-role-session-name", "help": "session name for the assumed role (default: regscan)"},
        {"name": "sts-endpoint", "env": "AWS_ENDPOINT_URL_STS",
         "help": "STS endpoint URL for --ecr-role-arn (default: https://sts.<region>.amazonaws.com)"}
    ])json";

    static Identification identify(const Host& host, const Probe& probe) {
        auto identified = regscan::ecr::identify(probe);
        if (identified.score == 0 && !probe.may_request && regscan::ecr::challenge_names_ecr(probe))
            host.info(probe.parsed.host + " answers as ECR does but is not an ECR host name: it is not taken for "
                      "ECR (this machine's AWS credentials go to ECR host names only); --type ECR if it is one");
        return identified;
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        return regscan::ecr::open_session(host, config, regscan::ecr::Environment::system());
    }
};

}  // namespace

REGSCAN_PLUGIN("ecr", "1.0.0", "Amazon Elastic Container Registry (ECR API discovery, SigV4, AWS credential chain)",
               regscan::sdk::registry_table<EcrRegistry>(), nullptr, nullptr)
