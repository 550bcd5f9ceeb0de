#include "harbor_session.hpp"

#include <algorithm>
#include <optional>

#include "harbor_artifacts.hpp"
#include "regscan/error.hpp"
#include "regscan/paging.hpp"

namespace regscan::harbor {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string account_of(const HarborConfig& config) {
    return config.username.empty() ? std::string("anonymous") : "'" + config.username + "'";
}

bool refusal(const sdk::Error& e) { return e.status() == REGSCAN_AUTH_FAILED || e.status() == REGSCAN_NOT_FOUND; }

}  // namespace

std::string project_of(const sdk::Repository& repository) {
    if (repository.plugin_data.is_object()) {
        auto it = repository.plugin_data.find("project");
        if (it != repository.plugin_data.end() && it->is_string()) return it->get<std::string>();
    }
    return repository.name.substr(0, repository.name.find('/'));
}

HarborSession::HarborSession(const sdk::Host& host, HarborConfig config, size_t max_repositories, size_t max_tags)
    : host_(host),
      config_(std::move(config)),
      api_(host_, config_),
      max_repositories_(max_repositories),
      max_tags_(max_tags) {}

std::vector<std::string> HarborSession::listed_projects() {
    std::vector<std::string> projects;
    sdk::NameSample refused(named_not_taken);
    auto listing = api_.walk("projects", {}, [&](const json& project) {
        if (!project.is_object()) return;
        auto it = project.find("name");
        if (it == project.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return;
        // A name goes into the path of the next request: ".." would make
        // projects/../repositories, which curl reads as /api/v2.0/repositories.
        if (valid_project(it->get_ref<const std::string&>()))
            projects.push_back(it->get<std::string>());
        else
            refused.add(it->get_ref<const std::string&>());
    });
    if (refused.count())
        host_.discovery_note("Harbor listed " + std::to_string(refused.count()) +
                             (refused.count() == 1 ? " project" : " projects") +
                             " by a name Harbor cannot give a project, not walked: " + refused.str());
    note_total_change("project list", listing);
    return projects;
}

std::vector<std::string> HarborSession::projects_to_walk() {
    if (!config_.projects.empty()) {
        host_.info("Walking Harbor projects " + join(config_.projects) + " (--harbor-project)");
        return config_.projects;
    }
    try {
        auto projects = listed_projects();
        host_.info("Harbor lists " + std::to_string(projects.size()) +
                   (projects.size() == 1 ? " project" : " projects") + " for " + account_of(config_));
        return projects;
    } catch (const sdk::Error& e) {
        if (e.status() != REGSCAN_AUTH_FAILED) throw;
        // A project robot (robot$team+ci) may pull from its project without
        // the right to list projects.
        auto own = robot_project(config_.username);
        if (own.empty())
            throw sdk::Error(REGSCAN_AUTH_FAILED, "Harbor refused to list projects for " + account_of(config_) +
                                                      " (" + e.what() +
                                                      "); name the projects to walk with --harbor-project NAME");
        host_.info("Harbor refused to list projects for robot account " + account_of(config_) +
                   "; walking its own project " + own);
        return {own};
    }
}

bool HarborSession::project_repositories(const std::string& project, std::vector<sdk::Repository>& out,
                                         sdk::NameSample& outside) {
    const std::string prefix = project + "/";
    auto listing = api_.walk("projects/" + project_segment(project) + "/repositories", {}, [&](const json& entry) {
        if (!entry.is_object()) return;
        auto it = entry.find("name");
        if (it == entry.end() || !it->is_string()) return;
        const auto& name = it->get_ref<const std::string&>();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
            outside.add(name);
            return;
        }
        sdk::Repository repository;
        repository.name = name;
        repository.plugin_data = {{"project", project}};
        out.push_back(std::move(repository));
        if (max_repositories_ && out.size() > max_repositories_) throw sdk::StopPages{};
    });
    note_total_change("project " + project + "'s repository list", listing);
    return !listing.cut;
}

std::vector<sdk::Repository> HarborSession::repositories() {
    host_.info("Listing Harbor repositories through " + api_.base() + "/api/v2.0 as " + account_of(config_));
    auto projects = projects_to_walk();
    std::vector<sdk::Repository> repositories;
    // One project's listing failing (refused, not an array, a Link to another
    // origin, a 500 after retries) is that project's note: the others are walked.
    size_t failed = 0;
    std::string first_refusal;
    std::optional<sdk::Error> first_other;
    for (const auto& project : projects) {
        if (max_repositories_ && repositories.size() > max_repositories_) break;
        const size_t before = repositories.size();
        sdk::NameSample outside(named_not_taken);
        bool cut = false;
        try {
            cut = !project_repositories(project, repositories, outside);
        } catch (const sdk::Error& e) {
            ++failed;
            if (!refusal(e) && !first_other) first_other = e;
            if (refusal(e) && first_refusal.empty()) first_refusal = e.what();
            const size_t kept = repositories.size() - before;
            host_.discovery_note("Harbor project " + project + ": its repositories could not be listed (" +
                                 e.what() + "); " +
                                 (kept ? std::to_string(kept) + " read before are kept; " : std::string()) +
                                 "the other projects were walked");
        }
        if (outside.count())
            host_.warn("Harbor project " + project + " listed " + std::to_string(outside.count()) +
                       (outside.count() == 1 ? " repository" : " repositories") +
                       " outside it, ignored: " + outside.str());
        if (cut) break;
    }
    // Only when nothing at all could be listed: a project that failed on a
    // later page kept its first pages, which the note promised.
    if (failed && failed == projects.size() && repositories.empty()) {
        if (!first_other)
            throw sdk::Error(REGSCAN_AUTH_FAILED, "Harbor refused to list the repositories of every project for " +
                                                      account_of(config_) + " (" + first_refusal + ")");
        throw sdk::Error(first_other->status(), "Harbor could not list the repositories of any project for " +
                                                    account_of(config_) + " (" + first_other->what() + ")");
    }
    return repositories;
}

std::vector<sdk::TagInfo> HarborSession::tags(const sdk::Repository& repository) {
    const std::string project = project_of(repository);
    if (repository.name.size() <= project.size() + 1 ||
        repository.name.compare(0, project.size() + 1, project + "/") != 0)
        throw sdk::Error(REGSCAN_ERROR, "'" + repository.name + "' is not a repository of Harbor project " + project);
    const std::string path = "projects/" + project_segment(project) + "/repositories/" +
                             repository_segment(repository.name.substr(project.size() + 1)) + "/artifacts";
    TagCollector tags(max_tags_);
    auto listing = api_.walk(path, {{"with_tag", "true"}}, [&](const json& artifact) {
        tags.add(artifact);
        if (max_tags_ && tags.size() > max_tags_) throw sdk::StopPages{};
    });
    note_total_change("repository " + repository.name + "'s artifact list", listing);
    return tags.take();
}

void HarborSession::note_total_change(const std::string& what, const Listing& listing) const {
    if (!listing.total_changed) return;
    host_.discovery_note("Harbor " + what + " changed while it was read (X-Total-Count " + listing.total_change() +
                         " between pages: pushes or deletions during the walk); items may have been missed");
}

}  // namespace regscan::harbor
