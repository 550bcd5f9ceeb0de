// Harbor's REST API (/api/v2.0) as regscan uses it: Basic credentials,
// listings walked page by page (page/page_size, Link rel="next"), and their
// X-Total-Count watched for pushes or deletions during the walk.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harbor_config.hpp"
#include "regscan/host.hpp"

namespace regscan::harbor {

// What a walk saw of a listing's size.
struct Listing {
    size_t items = 0;
    size_t pages = 0;
    std::optional<long long> first_total;  // X-Total-Count of the first page
    std::optional<long long> last_total;   // of the last page read
    bool total_changed = false;            // differed between two pages
    bool cut = false;                      // the host cut it at its listing bounds

    // "12 -> 13" for a note, "" when the total held.
    [[nodiscard]] std::string total_change() const;
};

// A project name as one path segment.
std::string project_segment(const std::string& project);
// A repository name without its project as one path segment, "/" encoded
// twice as Harbor requires ("team/app" -> "team%252Fapp"): its router decodes
// the path once, so "%2F" would split the route and answer 404.
std::string repository_segment(const std::string& name_in_project);

// The X-Total-Count of a response, when it is a plain non-negative number.
std::optional<long long> total_count(const sdk::HttpResponse& response);

// "Basic base64(username:password)", or "" without credentials.
std::string basic_authorization(const std::string& username, const std::string& password);

class HarborApi {
public:
    HarborApi(const sdk::Host& host, const HarborConfig& config);

    // GETs <base>/api/v2.0/<path>?<query>&page=1&page_size=N and every next
    // page, handing each element of each page's JSON array to `item`
    // (sdk::StopPages thrown from it ends the walk quietly). A non-2xx answer
    // throws sdk::Error with its status and Harbor's message; a request the
    // host refused at the listing's bounds ends the walk with `cut` set.
    Listing walk(const std::string& path, const std::vector<std::pair<std::string, std::string>>& query,
                 const std::function<void(const nlohmann::json&)>& item) const;

    [[nodiscard]] const std::string& base() const { return base_; }

private:
    sdk::Host host_;
    std::string base_;
    std::string authorization_;
    int page_size_;
};

}  // namespace regscan::harbor
