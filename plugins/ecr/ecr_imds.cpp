#include "ecr_imds.hpp"

#include <nlohmann/json.hpp>

#include "ecr_time.hpp"
#include "regscan/paging.hpp"

namespace regscan::ecr {
namespace {

constexpr const char* token_ttl_seconds = "21600";
constexpr const char* credentials_path = "/latest/meta-data/iam/security-credentials/";

sdk::Error failure(const std::string& endpoint, const std::string& step, const std::string& what) {
    return sdk::Error(REGSCAN_AUTH_FAILED,
                      "EC2 instance metadata service " + endpoint + ": " + step + " failed: " + what);
}

// Metadata answers come fast or not at all: no retries, so a machine that is
// not on EC2 gives up after one attempt. A step the listing's bounds refused
// is a cut, whichever of the three it was.
sdk::HttpResponse call(const sdk::Host& host, const std::string& method, const std::string& url,
                       std::vector<sdk::Header> headers) {
    sdk::HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = std::move(headers);
    request.retry = false;
    auto response = host.http(request);
    if (sdk::listing_cut(response))
        throw CredentialsCut("EC2 instance metadata service: " + method + " " + url + ": " + response.error);
    return response;
}

}  // namespace

std::string imds_endpoint(const Environment& env) {
    std::string endpoint = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (endpoint.empty()) endpoint = default_imds_endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    return endpoint;
}

bool imds_disabled(const Environment& env) { return sdk::iequals(env.get("AWS_EC2_METADATA_DISABLED"), "true"); }

AwsCredentials fetch_imds_credentials(const sdk::Host& host, const std::string& endpoint) {
    auto token = call(host, "PUT", endpoint + "/latest/api/token",
                      {{"X-aws-ec2-metadata-token-ttl-seconds", token_ttl_seconds}});
    if (!token.ok()) throw failure(endpoint, "session token (PUT /latest/api/token)", token.describe());
    host.add_secret(token.body);
    const sdk::Header token_header{"X-aws-ec2-metadata-token", token.body};

    auto roles = call(host, "GET", endpoint + credentials_path, {token_header});
    if (roles.status == 404)
        throw failure(endpoint, "role lookup", "this instance has no IAM role (instance profile) attached");
    if (!roles.ok()) throw failure(endpoint, "role lookup (GET " + std::string(credentials_path) + ")", roles.describe());
    std::string role(sdk::trim(roles.body.substr(0, roles.body.find('\n'))));
    if (role.empty()) throw failure(endpoint, "role lookup", "the instance has no IAM role attached");

    auto keys = call(host, "GET", endpoint + credentials_path + role, {token_header});
    if (!keys.ok()) throw failure(endpoint, "credentials of role " + role, keys.describe());
    auto body = nlohmann::json::parse(keys.body, nullptr, false);
    if (!body.is_object()) throw failure(endpoint, "credentials of role " + role, "the answer is not JSON");

    AwsCredentials credentials;
    credentials.keys.access_key_id = body.value("AccessKeyId", "");
    credentials.keys.secret_access_key = body.value("SecretAccessKey", "");
    credentials.keys.session_token = body.value("Token", "");
    host.add_secret(credentials.keys.secret_access_key);
    host.add_secret(credentials.keys.session_token);
    if (body.value("Code", "Success") != "Success")
        throw failure(endpoint, "credentials of role " + role, "Code " + body.value("Code", ""));
    if (credentials.keys.access_key_id.empty() || credentials.keys.secret_access_key.empty())
        throw failure(endpoint, "credentials of role " + role, "AccessKeyId or SecretAccessKey missing");
    credentials.expiration = parse_iso8601(body.value("Expiration", ""));
    credentials.source = "EC2 instance role " + role;
    return credentials;
}

}  // namespace regscan::ecr
