// What an ECR registry host name says: account, region, endpoint flavour; and
// the API and STS endpoints that go with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace regscan::ecr {

struct RegistryHost {
    std::string account;  // "123456789012", the registryId
    std::string region;   // "us-east-1"
    bool fips = false;        // dkr.ecr-fips / dkr-ecr-fips
    bool dual_stack = false;  // <account>.dkr-ecr.<region>.on.aws
    bool china = false;       // .amazonaws.com.cn
};

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn] and
// <account>.dkr-ecr[-fips].<region>.on.aws; nullopt for anything else.
std::optional<RegistryHost> parse_registry_host(std::string_view host);

bool is_region_name(std::string_view region);

// The ECR API endpoint for a registry: api.ecr.<region>.amazonaws.com and its
// FIPS, dual-stack and China forms.
std::string default_api_endpoint(const RegistryHost& registry);
// The regional STS endpoint in the registry's partition.
std::string default_sts_endpoint(const RegistryHost& registry);

// An API endpoint as requests are made to it.
struct Endpoint {
    std::string url;   // "https://api.ecr.us-east-1.amazonaws.com/", always ending in "/"
    std::string host;  // the Host header: host[:port]
    std::string path;  // "/" or the endpoint's own path prefix, ending in "/"
};
// Throws sdk::Error (REGSCAN_ERROR) for anything but an http(s) URL.
Endpoint endpoint_from(const std::string& text);

}  // namespace regscan::ecr
