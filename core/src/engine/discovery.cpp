#include "engine/discovery.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "http/plain_url.hpp"
#include "log/secrets.hpp"
#include "oci/reference_grammar.hpp"
#include "plugin/listing_budget.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"
#include "util/json_text.hpp"
#include "regscan/digest.hpp"

namespace regscan::engine {
namespace {

using Clock = std::chrono::steady_clock;

// The catalog's failures are recorded under this name: no repository has it
// (it is outside the grammar).
constexpr const char* catalog_name = "<catalog>";

class ListingBounds {
public:
    ListingBounds(const limits::Limits& limits) : limits_(limits), discovery_end_(Clock::now() + limits.discovery_timeout) {}

    [[nodiscard]] plugin::ListingBudget budget() const {
        plugin::ListingBudget budget;
        auto listing_end = Clock::now() + limits_.listing_timeout;
        bool discovery_first = discovery_end_ <= listing_end;
        budget.deadline = discovery_first ? discovery_end_ : listing_end;
        budget.deadline_reason =
            discovery_first ? "discovery timed out after " + std::to_string(limits_.discovery_timeout.count()) +
                                  " s (--discovery-timeout)"
                            : "listing timed out after " + std::to_string(limits_.listing_timeout.count()) +
                                  " s (--listing-timeout)";
        budget.max_pages = limits_.max_listing_pages;
        budget.max_bytes = limits_.max_listing_size;
        return budget;
    }

private:
    const limits::Limits& limits_;
    Clock::time_point discovery_end_;
};

std::string shown_name(const std::string& name) { return "'" + name + "'"; }

// The repositories worth listing: valid names, each once, at most the limit.
std::vector<sdk::Repository> checked_repositories(std::vector<sdk::Repository> listed, const limits::Limits& limits,
                                                  std::vector<RepositoryFailure>& failures) {
    std::vector<sdk::Repository> kept;
    std::set<std::string> names;
    for (auto& repository : listed) {
        const auto& pull_name = repository.pull_name.empty() ? repository.name : repository.pull_name;
        if (!oci::valid_repository_name(repository.name) || !oci::valid_repository_name(pull_name)) {
            failures.push_back({repository.name, "invalid repository name " + shown_name(repository.name) +
                                                     ": not in the distribution spec's grammar, not requested"});
            continue;
        }
        // Blobs and manifests are fetched from it with the registry's
        // credentials: it must be read alike by every URL parser.
        if (!repository.pull_base.empty())
            if (auto problem = http::plain_url_problem(repository.pull_base)) {
                failures.push_back({repository.name, "the plugin gave this repository a pull base that is not a plain "
                                                     "http(s) URL (" + *problem + "): not requested"});
                continue;
            }
        if (!repository.plugin_data.is_null() &&
            util::json_text(repository.plugin_data).size() >
                limits.max_plugin_data) {
            failures.push_back({repository.name, "the plugin's data for this repository is larger than " +
                                                     std::to_string(limits.max_plugin_data) + " bytes: not listed"});
            continue;
        }
        if (!names.insert(repository.name).second) continue;
        if (kept.size() == limits.max_repositories) {
            failures.push_back({catalog_name, "more than " + std::to_string(limits.max_repositories) +
                                                  " repositories listed; the first " +
                                                  std::to_string(limits.max_repositories) +
                                                  " are kept (--max-repositories)"});
            break;
        }
        kept.push_back(std::move(repository));
    }
    return kept;
}

}  // namespace

Discovery discover(plugin::RegistrySession& session, size_t concurrency, const limits::Limits& limits,
                   const std::function<void(std::vector<ImageRecord>& images)>& on_listed,
                   const std::function<bool()>& stop) {
    Discovery result;
    ListingBounds bounds(limits);

    std::vector<sdk::Repository> listed;
    {
        auto budget = bounds.budget();
        plugin::ListingScope scope(budget);
        try {
            listed = session.repositories();
        } catch (const std::exception&) {
            if (budget.exceeded.empty()) throw;
            throw sdk::Error(REGSCAN_ERROR, "listing the repositories: " + budget.exceeded);
        }
        if (!budget.exceeded.empty()) {
            spdlog::error("Repository listing cut short error={}; {} repositories read are kept", budget.exceeded,
                          listed.size());
            result.listing.failures.push_back({catalog_name, "repository listing cut short: " + budget.exceeded});
        }
    }
    const size_t listing_failures = result.listing.failures.size();
    auto repositories = checked_repositories(std::move(listed), limits, result.listing.failures);
    for (size_t i = listing_failures; i < result.listing.failures.size(); ++i)
        spdlog::error("Refused repository repository={} error={}", result.listing.failures[i].repository,
                      result.listing.failures[i].error);
    result.repositories = repositories.size();
    spdlog::info("Found repositories count={}", repositories.size());

    std::mutex mutex;
    auto left_unlisted = [&] {
        std::lock_guard lock(mutex);
        ++result.listing.repositories_stopped;
    };
    util::parallel_for(repositories.size(), concurrency, [&](size_t i) {
        if (stop && stop()) return left_unlisted();
        const auto& repository = repositories[i];
        auto budget = bounds.budget();
        std::vector<sdk::TagInfo> tags;
        std::string error;
        try {
            plugin::ListingScope scope(budget);
            tags = session.tags(repository);
        } catch (const std::exception& e) {
            error = log::redact(e.what());  // kept in reports: a quoted answer may echo credentials
        }
        if (!error.empty() && stop && stop()) return left_unlisted();
        if (!budget.exceeded.empty())
            error = "tag listing cut short: " + budget.exceeded +
                    (error.empty() ? "; " + std::to_string(tags.size()) + " tags read are kept" : "");
        std::vector<RepositoryFailure> failures;
        if (!error.empty()) failures.push_back({repository.name, error});

        std::vector<ImageRecord> images;
        std::set<std::string> seen;
        // A listing of nothing but invalid entries must not make a failure
        // (and a log line) of each: the first few are named, the rest counted.
        constexpr size_t invalid_named = 10;
        size_t invalid = 0;
        for (auto& info : tags) {
            bool by_digest = info.tag.empty();
            if (by_digest ? !sdk::valid_digest(info.digest) : !oci::valid_tag(info.tag)) {
                if (++invalid <= invalid_named)
                    failures.push_back({repository.name, std::string("invalid ") + (by_digest ? "digest " : "tag ") +
                                                             shown_name(by_digest ? info.digest : info.tag) +
                                                             ": not in the distribution spec's grammar, not requested"});
                continue;
            }
            // A listed digest is only a hint; a malformed one is not used.
            if (!info.digest.empty() && !sdk::valid_digest(info.digest)) info.digest.clear();
            std::erase_if(info.platforms, [](const auto& p) { return !sdk::valid_digest(p.digest); });
            // A page served twice (a Link back to an earlier page) lists its
            // tags twice: each tag once.
            if (!seen.insert(by_digest ? "@" + info.digest : info.tag).second) continue;
            if (images.size() == limits.max_listed_tags) {
                failures.push_back({repository.name, "more than " + std::to_string(limits.max_listed_tags) +
                                                         " tags listed; the first " +
                                                         std::to_string(limits.max_listed_tags) +
                                                         " are kept (--max-listed-tags)"});
                break;
            }
            ImageRecord image;
            image.repository = repository;
            image.tag = std::move(info.tag);
            image.digest = std::move(info.digest);
            // A listing's times are shown and compared as a config's are: in
            // UTC to the second, an impossible date ("9999-99-99") dropped.
            image.build_time = util::utc_seconds(info.created);
            image.pushed = util::utc_seconds(info.pushed);
            image.media_type = std::move(info.media_type);
            image.listed_platforms = std::move(info.platforms);
            images.push_back(std::move(image));
        }
        if (invalid > invalid_named)
            failures.push_back({repository.name, std::to_string(invalid - invalid_named) +
                                                     " more invalid tags or digests, not requested"});
        for (const auto& failure : failures)
            spdlog::error("Failed to list tags repository={} error={}", failure.repository, failure.error);
        if (on_listed) on_listed(images);
        std::lock_guard lock(mutex);
        std::move(images.begin(), images.end(), std::back_inserter(result.images));
        std::move(failures.begin(), failures.end(), std::back_inserter(result.listing.failures));
    });
    std::sort(result.images.begin(), result.images.end(), [](const ImageRecord& a, const ImageRecord& b) {
        return std::tie(a.repository.name, a.tag, a.digest) < std::tie(b.repository.name, b.tag, b.digest);
    });
    std::sort(result.listing.failures.begin(), result.listing.failures.end(),
              [](const auto& a, const auto& b) { return a.repository < b.repository; });
    result.listing.notes = session.notes();
    return result;
}

}  // namespace regscan::engine
