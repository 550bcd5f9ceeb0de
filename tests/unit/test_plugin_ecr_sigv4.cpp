// The ecr plugin's SigV4 signer against AWS's own test suite (aws-c-auth's
// aws-signing-test-suite/v4, copied to shared/reference/aws-sigv4): for every
// case, the canonical request, string to sign, signature and Authorization
// header of the header-signing variant must match byte for byte.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ecr_sigv4.hpp"
#include "ecr_time.hpp"

namespace {

namespace fs = std::filesystem;
using namespace regscan::ecr;

const fs::path suite = fs::path(REGSCAN_SHARED_DIR) / "reference" / "aws-sigv4";

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in, "cannot read " << path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// request.txt: "METHOD target HTTP/1.1", "Name:value" lines (indented lines
// continue the previous value), a blank line, the body.
sigv4::Request parse_request(const std::string& text) {
    sigv4::Request request;
    auto blank = text.find("\n\n");
    std::string head = text.substr(0, blank);
    if (blank != std::string::npos) request.body = text.substr(blank + 2);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    auto space = line.find(' ');
    request.method = line.substr(0, space);
    std::string target = line.substr(space + 1, line.rfind(" HTTP/") - space - 1);
    auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    while (std::getline(lines, line)) {
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            request.headers.back().second += "\n" + line;
            continue;
        }
        auto colon = line.find(':');
        request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    return request;
}

std::string authorization_line(const std::string& signed_request) {
    std::istringstream lines(signed_request);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("Authorization:", 0) == 0) return line.substr(14);
    return {};
}

void check_case(const std::string& name) {
    const fs::path dir = suite / name;
    auto context = nlohmann::json::parse(slurp(dir / "context.json"));
    auto request = parse_request(slurp(dir / "request.txt"));
    sigv4::Credentials credentials{context["credentials"]["access_key_id"],
                                   context["credentials"]["secret_access_key"],
                                   context["credentials"].value("token", "")};
    sigv4::Options options;
    options.region = context["region"];
    options.service = context["service"];
    options.normalize_path = context.value("normalize", true);
    options.add_content_sha256 = context.value("sign_body", false);
    options.omit_session_token = context.value("omit_session_token", false);
    auto when = parse_iso8601(context["timestamp"].get<std::string>());
    REQUIRE(when);

    auto signature = sigv4::sign(request, credentials, options, *when);
    CHECK(signature.canonical_request == slurp(dir / "header-canonical-request.txt"));
    CHECK(signature.string_to_sign == slurp(dir / "header-string-to-sign.txt"));
    CHECK(signature.signature == slurp(dir / "header-signature.txt"));
    CHECK(signature.authorization == authorization_line(slurp(dir / "header-signed-request.txt")));
    bool authorization_added = false;
    for (const auto& [header, value] : request.headers)
        authorization_added = authorization_added || (header == "Authorization" && value == signature.authorization);
    CHECK(authorization_added);
}

// Every case of the suite, listed so that a new one in the suite shows up as
// an uncovered case below rather than silently passing.
const std::set<std::string> cases = {
    "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order", "get-header-value-trim",
    "get-relative-normalized", "get-relative-relative-normalized", "get-relative-relative-unnormalized",
    "get-relative-unnormalized", "get-slash-dot-slash-normalized", "get-slash-dot-slash-unnormalized",
    "get-slash-normalized", "get-slash-pointless-dot-normalized", "get-slash-pointless-dot-unnormalized",
    "get-slash-unnormalized", "get-slashes-normalized", "get-slashes-unnormalized", "get-space-normalized",
    "get-space-unnormalized", "get-unreserved", "get-utf8", "get-vanilla", "get-vanilla-empty-query-key",
    "get-vanilla-query", "get-vanilla-query-order-encoded", "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-vanilla-with-session-token",
    "post-header-key-case", "post-header-key-sort", "post-header-value-case", "post-sts-header-after",
    "post-sts-header-before", "post-vanilla", "post-vanilla-empty-query-value", "post-vanilla-query",
    "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"};

}  // namespace

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::sigv4 every case of the AWS suite is covered") {
    std::set<std::string> found;
    for (const auto& entry : fs::directory_iterator(suite))
        if (entry.is_directory()) found.insert(entry.path().filename().string());
    CHECK(found == cases);
}

TEST_CASE("ecr::sigv4 AWS suite") {
    for (const auto& name : cases) {
        CAPTURE(name);
        check_case(name);
    }
}

TEST_CASE("ecr::sigv4 signing key of the AWS documentation example") {
    // docs.aws.amazon.com "Examples of how to derive a signing key": 20120215, us-east-1, iam.
    auto key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
    CHECK(regscan::ecr::sigv4::uri_encode("a b/c", true) == "a%20b/c");
    std::string hex;
    for (unsigned char c : key) {
        static const char digits[] = "0123456789abcdef";
        hex += digits[c >> 4];
        hex += digits[c & 15];
    }
    CHECK(hex == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("ecr::sigv4 session token is signed, Authorization replaced on re-signing") {
    sigv4::Request request;
    request.method = "POST";
    request.headers = {{"Host", "api.ecr.us-east-1.amazonaws.com"}, {"Authorization", "stale"}};
    auto when = *parse_iso8601("2023-11-14T22:13:20Z");
    auto signature = sigv4::sign(request, {"ASIAEXAMPLE", "secret", "token-1"}, {"us-east-1", "ecr"}, when);
    CHECK(signature.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,") != std::string::npos);
    CHECK(signature.authorization.find("Credential=ASIAEXAMPLE/20231114/us-east-1/ecr/aws4_request") !=
          std::string::npos);
    int authorizations = 0;
    for (const auto& [name, value] : request.headers) authorizations += name == "Authorization";
    CHECK(authorizations == 1);
    sigv4::sign(request, {"ASIAEXAMPLE", "secret", "token-1"}, {"us-east-1", "ecr"}, when);
    int tokens = 0;
    for (const auto& [name, value] : request.headers) tokens += name == "X-Amz-Security-Token";
    CHECK(tokens == 1);
}

TEST_SUITE_END();
