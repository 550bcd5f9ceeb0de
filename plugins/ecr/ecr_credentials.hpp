// AWS credentials as the ECR API calls need them, from a source that may
// renew them (instance role, assumed role) or not (keys).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ecr_environment.hpp"
#include "ecr_sigv4.hpp"
#include "regscan/error.hpp"

namespace regscan::ecr {

// A credential request (STS AssumeRole, the instance metadata service) the
// host refused because the listing it was made in ran past its bounds
// (sdk::listing_cut): a listing takes it as a cut page, keeping the pages read.
class CredentialsCut : public sdk::Error {
public:
    explicit CredentialsCut(const std::string& message) : sdk::Error(REGSCAN_UNREACHABLE, message) {}
};

struct AwsCredentials {
    sigv4::Credentials keys;
    std::optional<TimePoint> expiration;  // none for long-term keys
    std::string source;                   // for messages: where the keys came from
};

class CredentialProvider {
public:
    virtual ~CredentialProvider() = default;
    // Keys that are good for a few minutes yet; `renew` asks for new ones now
    // (after the API said they expired), where the source can give new ones.
    virtual AwsCredentials get(bool renew = false) = 0;
    [[nodiscard]] virtual std::string source() const = 0;
};

class StaticCredentials final : public CredentialProvider {
public:
    explicit StaticCredentials(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
    AwsCredentials get(bool) override { return credentials_; }
    [[nodiscard]] std::string source() const override { return credentials_.source; }

private:
    AwsCredentials credentials_;
};

// Fetches with `fetch` and again once the keys are within `margin` of expiring.
// Thread-safe: concurrent callers wait for one fetch.
class RefreshingCredentials final : public CredentialProvider {
public:
    RefreshingCredentials(Environment env, std::string source, std::function<AwsCredentials()> fetch);
    AwsCredentials get(bool renew = false) override;
    [[nodiscard]] std::string source() const override { return source_; }

    // Renew this long before the keys expire (the SDKs use 5 to 15 minutes).
    static constexpr std::chrono::minutes margin{5};

private:
    Environment env_;
    std::string source_;
    std::function<AwsCredentials()> fetch_;
    std::mutex mutex_;
    std::optional<AwsCredentials> cached_;
};

}  // namespace regscan::ecr
