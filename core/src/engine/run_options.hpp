// Everything a registry run needs, already validated by the command line.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/registry_auth.hpp"
#include "http/http_client.hpp"
#include "limits/limits.hpp"
#include "malware/malware_scanner.hpp"

namespace regscan::engine {
class RunObserver;
}
namespace regscan::triage {
class Policy;
struct PolicyOptions;
}

namespace regscan::engine {

enum class Mode { scan, dry_run };

struct RunOptions {
    std::string url;
    std::string type;  // forced registry type, "" to identify
    auth::Credentials credentials;
    Mode mode = Mode::scan;
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    size_t max_images = 0;  // 0: no limit
    std::string platform = "linux/amd64";
    // --platform was given: a single-platform image of another platform is
    // skipped with the reason (not given: scanned whatever its platform).
    bool platform_given = false;
    size_t concurrency = 8;
    std::string output_dir = ".";
    std::vector<std::string> plugin_dirs;
    std::map<std::string, std::string> plugin_options;  // vendor options for the plugin
    // Plugin options set on the command line or in the config file (not from
    // the environment): each must belong to the plugin the run ends up with.
    std::set<std::string> given_plugin_options;
    http::ClientOptions http;
    limits::Limits limits;  // every bound on what the registry sends (docs/limits.md)

    // Tag selection for huge repositories, applied where the plugin reports
    // push times: keep the newest N tags, and none older than N days.
    size_t max_tags_per_repo = 0;  // 0: all
    int max_tag_age_days = 0;      // 0: any age

    // Scan mode.
    std::string project = "default";
    std::string state_path;  // SQLite state file
    std::string db_path;     // OSV database
    std::vector<std::string> formats{"table", "json", "csv"};
    // "", a severity, or categories (triage/fail_on.hpp): exit 7 when a counted finding reaches it
    std::string fail_on;
    // Which findings do not count (--severity, --ignore-unfixed, the ignore
    // file, --vex; core/src/triage/), loaded and checked by the command line;
    // null: every finding counts.
    std::shared_ptr<const triage::Policy> triage;
    // What the command line asked of triage, so that a long-running service
    // reads the policy again for each import (serve: an ignore entry expires
    // on its day, an edited file takes effect); null when loaded otherwise.
    std::shared_ptr<const triage::PolicyOptions> triage_options;
    std::chrono::seconds image_timeout{3600};
    // Warn (strict: refuse) when the vulnerability data was last imported longer ago.
    std::chrono::seconds max_db_age{std::chrono::hours(24 * 7)};
    bool strict = false;  // --strict: stale or missing data and signature warnings are errors
    bool progress = false;  // live progress line (standard error is a terminal)
    malware::Options malware;  // --malware and its signature sets
    // Progress, per-image outcomes and cancellation for the server (engine/run_observer.hpp);
    // not owned, outlives the run; null for the CLI.
    RunObserver* observer = nullptr;

    // A fleet of `regscan worker`s (fleet/, issue 13): --enqueue queues the
    // selected images in the state and returns; --wait also waits for them
    // and reports as a normal run.
    bool enqueue = false;
    bool wait = false;
    std::chrono::seconds wait_timeout{std::chrono::hours(6)};
    int queue_priority = 1;  // state::priority_user; scheduled imports queue at 0
    // Set by --wait for its report: results the fleet stored count as
    // scanned, and these images ("repository:tag" -> reason) failed there.
    bool fleet_results = false;
    std::map<std::string, std::string> fleet_failures;
    std::set<std::string> fleet_new;  // "repository:tag" new to the project when the fleet scanned them
    // serve: the connector whose import this is; its queue rows name it, so a
    // worker takes the credentials from the connector store, never the queue.
    int64_t connector_id = 0;
    // serve: seals a queue row's destination under its connector key (the
    // row's grant, fleet/job_grant), so that a worker sends the connector's
    // credentials only where its import would.
    std::function<std::string(std::string_view)> seal_grant;
};

}  // namespace regscan::engine
