// Discovery of a Harbor through its REST API: projects (all the account
// sees, or --harbor-project), their repositories, each repository's
// artifacts. Images are read through /v2/ with the core's standard flow,
// which takes the same credentials to Harbor's token service (Bearer).
#pragma once

#include <string>
#include <vector>

#include "harbor_api.hpp"
#include "harbor_config.hpp"
#include "regscan/registry.hpp"
#include "regscan/text.hpp"

namespace regscan::harbor {

// A line about a listing's entries that were not taken names this many and
// counts the rest: a page of 240,000 of them makes one short log line.
inline constexpr size_t named_not_taken = 5;

class HarborSession final : public sdk::Session {
public:
    HarborSession(const sdk::Host& host, HarborConfig config, size_t max_repositories = 0, size_t max_tags = 0);

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;

private:
    // --harbor-project, else GET /projects, else a project robot's own project.
    std::vector<std::string> projects_to_walk();
    std::vector<std::string> listed_projects();
    // The repositories of one project ("project/name"), appended to `out` as
    // they are read (a failure on a later page leaves them there); names
    // outside the project go to `outside`. False when the host cut the
    // listing: no further project is walked.
    bool project_repositories(const std::string& project, std::vector<sdk::Repository>& out,
                              sdk::NameSample& outside);
    void note_total_change(const std::string& what, const Listing& listing) const;

    sdk::Host host_;
    HarborConfig config_;
    HarborApi api_;
    size_t max_repositories_;
    size_t max_tags_;
};

// The project a discovered repository belongs to (its plugin_data, else the
// first segment of its name).
std::string project_of(const sdk::Repository& repository);

}  // namespace regscan::harbor
