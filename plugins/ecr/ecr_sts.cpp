#include "ecr_sts.hpp"

#include "ecr_time.hpp"
#include "ecr_host.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::ecr {
namespace {

std::string decode_entities(std::string_view text) {
    static constexpr std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto& [entity, c] : entities) {
                if (text.substr(i, entity.size()) == entity) {
                    out += c;
                    i += entity.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

std::string form_body(const AssumeRoleRequest& r) {
    std::string body = "Action=AssumeRole&DurationSeconds=" + std::to_string(r.duration_seconds);
    if (!r.external_id.empty()) body += "&ExternalId=" + sdk::url_encode(r.external_id);
    body += "&RoleArn=" + sdk::url_encode(r.role_arn) + "&RoleSessionName=" + sdk::url_encode(r.session_name) +
            "&Version=2011-06-15";
    return body;
}

regscan_status status_for(const std::string& code, long http_status) {
    if (code == "AccessDenied" || code == "ExpiredToken" || code == "InvalidClientTokenId" ||
        code == "SignatureDoesNotMatch" || code == "IncompleteSignature" || http_status == 403)
        return REGSCAN_AUTH_FAILED;
    return REGSCAN_ERROR;
}

}  // namespace

std::string_view xml_inner(std::string_view xml, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">";
    const std::string close = "</" + std::string(name) + ">";
    auto start = xml.find(open);
    if (start == std::string_view::npos) return {};
    start += open.size();
    auto end = xml.find(close, start);
    if (end == std::string_view::npos) return {};
    return sdk::trim(xml.substr(start, end - start));
}

std::string xml_text(std::string_view xml, std::string_view name) { return decode_entities(xml_inner(xml, name)); }

AwsCredentials assume_role(const sdk::Host& host, const Environment& env, CredentialProvider& base,
                           const std::string& endpoint, const std::string& region, const AssumeRoleRequest& request) {
    const std::string what = "STS AssumeRole of " + request.role_arn + " at " + endpoint;
    auto base_credentials = base.get();
    sigv4::Request signed_request;
    signed_request.method = "POST";
    signed_request.body = form_body(request);
    auto target = endpoint_from(endpoint);
    signed_request.path = target.path;
    signed_request.headers = {{"Host", target.host},
                              {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    sigv4::sign(signed_request, base_credentials.keys, {region, "sts"}, env.now());

    sdk::HttpRequest http;
    http.method = "POST";
    http.url = target.url;
    http.headers = signed_request.headers;
    http.body = signed_request.body;
    auto response = host.http(http);
    if (sdk::listing_cut(response)) throw CredentialsCut(what + ": " + response.error);
    if (response.status == 0) throw sdk::Error(REGSCAN_UNREACHABLE, what + ": no response: " + response.error);
    if (!response.ok()) {
        auto code = xml_text(response.body, "Code");
        auto message = xml_text(response.body, "Message");
        throw sdk::Error(status_for(code, response.status),
                         what + " (with credentials from " + base_credentials.source + ") failed: " +
                             (code.empty() ? response.describe()
                                           : code + ": " + message + " (HTTP " + std::to_string(response.status) + ")"));
    }
    auto credentials_xml = xml_inner(response.body, "Credentials");
    AwsCredentials credentials;
    credentials.keys.access_key_id = xml_text(credentials_xml, "AccessKeyId");
    credentials.keys.secret_access_key = xml_text(credentials_xml, "SecretAccessKey");
    credentials.keys.session_token = xml_text(credentials_xml, "SessionToken");
    host.add_secret(credentials.keys.secret_access_key);
    host.add_secret(credentials.keys.session_token);
    if (credentials.keys.access_key_id.empty() || credentials.keys.secret_access_key.empty() ||
        credentials.keys.session_token.empty())
        throw sdk::Error(REGSCAN_ERROR, what + ": the answer holds no Credentials");
    credentials.expiration = parse_iso8601(xml_text(credentials_xml, "Expiration"));
    credentials.source = "role " + request.role_arn;
    return credentials;
}

}  // namespace regscan::ecr
