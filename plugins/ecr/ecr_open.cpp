#include "ecr_open.hpp"

#include "ecr_profile.hpp"
#include "ecr_credential_chain.hpp"
#include "ecr_api.hpp"
#include "ecr_host.hpp"
#include "ecr_session.hpp"

namespace regscan::ecr {
namespace {

// The region for a registry whose name does not tell it.
std::string region_from_environment(const Environment& env) {
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
        if (auto value = env.get(name); !value.empty()) return value;
    return load_profile(ProfileFiles::locate(env), profile_name(env)).value("region");
}

std::string endpoint_setting(const sdk::SessionConfig& config, const Environment& env, const char* option) {
    auto value = config.option(option);
    return value.empty() ? env.get("AWS_ENDPOINT_URL") : value;
}

}  // namespace

sdk::Identification identify(const sdk::Probe& probe) {
    if (parse_registry_host(probe.parsed.host)) return {90, registry_type};
    return {0, registry_type};
}

bool challenge_names_ecr(const sdk::Probe& probe) {
    return probe.ping_header("www-authenticate").find("service=\"ecr.amazonaws.com\"") != std::string::npos;
}

std::unique_ptr<sdk::Session> open_session(const sdk::Host& host, const sdk::SessionConfig& config,
                                           const Environment& env) {
    const auto url = sdk::parse_url(config.url);
    RegistryHost registry;
    if (auto parsed = parse_registry_host(url.host)) {
        registry = *parsed;
    } else {
        // A name that is not ECR's own may belong to anyone (it may even have
        // been taken for ECR on a connector's say): this machine's AWS
        // credentials would get it a token for the account's registries.
        if (config.username.empty())
            throw sdk::Error(REGSCAN_AUTH_FAILED,
                             url.host + " is not an ECR host name (<account>.dkr.ecr.<region>.amazonaws.com): this "
                                        "machine's AWS credentials (environment, profile, instance role) go to ECR "
                                        "host names only; give access keys with --username/--password for it");
        registry.region = region_from_environment(env);
        if (registry.region.empty())
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, url.host + " is not an ECR host name (<account>.dkr.ecr.<region>.amazonaws.com),"
                                            " so the AWS region must come from AWS_REGION or AWS_DEFAULT_REGION");
        registry.china = registry.region.rfind("cn-", 0) == 0;
        host.info("ECR registry " + url.host + ": region " + registry.region +
                  " from the environment, registry of the calling account");
    }

    auto api_endpoint = endpoint_setting(config, env, "ecr-endpoint");
    auto sts_endpoint = endpoint_setting(config, env, "sts-endpoint");
    CredentialSettings settings;
    settings.access_key_id = config.username;
    settings.secret_access_key = config.password;
    settings.role_arn = config.option("ecr-role-arn");
    settings.external_id = config.option("ecr-role-external-id");
    settings.session_name = config.option("ecr-role-session-name");
    settings.sts_endpoint = endpoint_from(sts_endpoint.empty() ? default_sts_endpoint(registry) : sts_endpoint).url;
    settings.region = registry.region;

    auto credentials = credential_chain(host, env, settings);
    auto first = credentials->get();
    host.debug("ECR API credentials from " + first.source + ", access key id " + first.keys.access_key_id);

    auto endpoint = endpoint_from(api_endpoint.empty() ? default_api_endpoint(registry) : api_endpoint);
    auto api = std::make_unique<EcrApi>(host, env, credentials, endpoint, registry.region);
    return std::make_unique<EcrSession>(host, env, std::move(api), registry.account, config.url);
}

}  // namespace regscan::ecr
