// Requests to the Artifactory REST API with the user's credentials: Basic
// for a username with a password, API key or access token; Bearer for an
// access token alone. Sent only to the API base the run was given.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "jfrog_config.hpp"
#include "regscan/host.hpp"
#include "regscan/paging.hpp"

namespace regscan::jfrog {

// The Authorization header value for these credentials ("" for none).
std::string authorization_for(const std::string& username, const std::string& secret);

// Artifactory's error text: "message" of {"errors":[{"status","message"}]},
// "CODE: message" of the Docker API's {"errors":[{"code","message"}]}, else
// the first bytes of the body.
std::string error_text(const std::string& body);

class ArtifactoryApi {
public:
    ArtifactoryApi(const sdk::Host& host, const JfrogConfig& config);

    [[nodiscard]] const std::string& base() const { return base_; }
    [[nodiscard]] bool anonymous() const { return authorization_.empty(); }

    // A GET of `url` carrying the credentials and Accept: application/json.
    [[nodiscard]] sdk::HttpRequest request(const std::string& url) const;

    // GET that must answer 2xx with JSON; the error names the URL, the
    // status and Artifactory's message.
    [[nodiscard]] nlohmann::json get_json(const std::string& url) const;

    // Every page of a listing (sdk::for_each_page), errors as get_json's.
    // False when the host cut the listing at its bounds: the pages read were
    // handed over, and no further listing may start (sdk::listing_cut).
    [[nodiscard]] bool each_page(const std::string& url, const sdk::NextPage& next,
                                 const std::function<void(const sdk::Page&)>& page) const;

private:
    [[noreturn]] void refuse(const std::string& url, const sdk::HttpResponse& response) const;

    sdk::Host host_;
    std::string base_;
    std::string authorization_;
};

}  // namespace regscan::jfrog
