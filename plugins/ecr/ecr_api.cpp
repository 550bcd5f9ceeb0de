#include "ecr_api.hpp"

#include <algorithm>
#include <set>

#include "ecr_sigv4.hpp"
#include "regscan/paging.hpp"

namespace regscan::ecr {
namespace {

constexpr const char* target_prefix = "AmazonEC2ContainerRegistry_V20150921.";

// "com.amazonaws.ecr#RepositoryNotFoundException" and
// "AccessDeniedException:http://internal.amazon.com/coral/..." both name the type.
std::string bare_type(std::string type) {
    if (auto colon = type.find(':'); colon != std::string::npos) type.resize(colon);
    if (auto hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
    return std::string(sdk::trim(type));
}

bool is_credential_problem(const std::string& type) {
    static const std::set<std::string> types = {
        "AccessDeniedException",      "UnrecognizedClientException", "InvalidSignatureException",
        "IncompleteSignature",        "InvalidClientTokenId",        "MissingAuthenticationTokenException",
        "SignatureDoesNotMatch",      "ExpiredTokenException",       "ExpiredToken",
        "UnauthorizedOperation",      "AuthFailure"};
    return types.count(type) > 0;
}

bool is_expired(const std::string& type) {
    return type == "ExpiredTokenException" || type == "ExpiredToken" || type == "RequestExpired";
}

regscan_status status_for(const std::string& type, long http_status) {
    if (type == "RepositoryNotFoundException") return REGSCAN_NOT_FOUND;
    if (is_credential_problem(type) || is_expired(type) || http_status == 401 || http_status == 403)
        return REGSCAN_AUTH_FAILED;
    return REGSCAN_ERROR;
}

std::string shortened(std::string text) {
    if (text.size() > 400) text = text.substr(0, 400) + "...";
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return text;
}

}  // namespace

AwsError parse_aws_error(const sdk::HttpResponse& response) {
    AwsError error;
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (auto header = response.header("x-amzn-ErrorType")) error.type = bare_type(*header);
    if (body.is_object()) {
        if (error.type.empty() && body.contains("__type") && body["__type"].is_string())
            error.type = bare_type(body["__type"].get<std::string>());
        for (const char* key : {"message", "Message"})
            if (body.contains(key) && body[key].is_string()) error.message = body[key].get<std::string>();
    }
    return error;
}

bool is_throttling(const std::string& type) {
    static const std::set<std::string> types = {
        "ThrottlingException",     "Throttling",  "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "SlowDown",
        "ProvisionedThroughputExceededException"};
    return types.count(type) > 0;
}

EcrApi::EcrApi(sdk::Host host, Environment env, std::shared_ptr<CredentialProvider> credentials, Endpoint endpoint,
               std::string region)
    : host_(host),
      env_(std::move(env)),
      credentials_(std::move(credentials)),
      endpoint_(std::move(endpoint)),
      region_(std::move(region)) {}

sdk::HttpResponse EcrApi::send(const std::string& operation, const std::string& body,
                               const AwsCredentials& credentials) {
    sigv4::Request request;
    request.method = "POST";
    request.path = endpoint_.path;
    request.body = body;
    request.headers = {{"Host", endpoint_.host},
                       {"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", target_prefix + operation}};
    sigv4::sign(request, credentials.keys, {region_, "ecr"}, env_.now());

    sdk::HttpRequest http;
    http.method = "POST";
    http.url = endpoint_.url;
    http.headers = std::move(request.headers);
    http.body = body;
    return host_.http(http);
}

nlohmann::json EcrApi::call(const std::string& operation, const nlohmann::json& input, const std::string& subject) {
    return *exchange(operation, input, subject, false);
}

std::optional<nlohmann::json> EcrApi::page(const std::string& operation, const nlohmann::json& input,
                                           const std::string& subject) {
    return exchange(operation, input, subject, true);
}

std::optional<nlohmann::json> EcrApi::exchange(const std::string& operation, const nlohmann::json& input,
                                               const std::string& subject, bool listing) {
    const std::string what = "ECR " + operation + " for " + subject;
    const std::string body = input.dump();
    bool renewed = false;
    bool renew = false;
    for (int attempt = 1;; ++attempt) {
        AwsCredentials credentials;
        try {
            credentials = credentials_->get(renew);
        } catch (const CredentialsCut&) {
            // The STS or metadata request renewing the keys counts in the
            // listing; refused there, the listing is cut as on a page.
            if (listing) return std::nullopt;
            throw;
        }
        renew = false;
        auto response = send(operation, body, credentials);
        if (listing && sdk::listing_cut(response)) return std::nullopt;
        if (response.status == 0)
            throw sdk::Error(REGSCAN_UNREACHABLE, what + ": ECR API " + endpoint_.url + " unreachable: " + response.error);
        if (response.ok()) {
            auto answer = nlohmann::json::parse(response.body, nullptr, false);
            if (!answer.is_object()) throw sdk::Error(REGSCAN_ERROR, what + ": the answer is not a JSON object");
            return answer;
        }

        auto error = parse_aws_error(response);
        if (is_throttling(error.type) && attempt < max_attempts) {
            auto ceiling = std::min(max_delay, base_delay * (1 << (attempt - 1)));
            auto delay = std::chrono::milliseconds(
                static_cast<long long>(static_cast<double>(ceiling.count()) * (0.5 + 0.5 * env_.jitter())));
            host_.warn(what + " was throttled (" + error.type + "); retry " + std::to_string(attempt) + " of " +
                       std::to_string(max_attempts - 1) + " in " + std::to_string(delay.count()) + " ms");
            env_.sleep(delay);
            continue;
        }
        // Keys from a renewable source may have expired early: renew once.
        if (is_expired(error.type) && !renewed && credentials.expiration) {
            renewed = renew = true;
            continue;
        }

        std::string detail = error.type.empty() ? response.describe()
                                                : error.type + (error.message.empty() ? "" : ": " + error.message) +
                                                      " (HTTP " + std::to_string(response.status) + ")";
        std::string hint;
        if (is_expired(error.type))
            hint = "; the AWS credentials from " + credentials.source + " have expired, renew them";
        else if (is_throttling(error.type))
            hint = "; still throttled after " + std::to_string(max_attempts) + " attempts";
        else if (is_credential_problem(error.type))
            hint = " (credentials from " + credentials.source + ")";
        throw sdk::Error(status_for(error.type, response.status), what + " failed: " + shortened(detail) + hint);
    }
}

}  // namespace regscan::ecr
