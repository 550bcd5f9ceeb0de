// The server's one entry into connectors, imports and images. The API routes
// call it and nothing else (parse, call, render); its answers are the API's
// JSON objects as docs/serve-api.yaml defines them, so the page, scripts and
// the `connector` command all see the same thing.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"
#include "serve/schedule.hpp"

namespace regscan::serve {

// A refusal the API answers with a status code; the message is safe to show
// (it never holds a secret).
class ServiceError : public std::runtime_error {
public:
    enum class Kind { bad_request, not_found, conflict };
    ServiceError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    [[nodiscard]] Kind kind() const { return kind_; }

private:
    Kind kind_;
};

struct ServiceOptions {
    std::filesystem::path data_dir;    // $XDG_DATA_HOME/regscan unless given
    std::filesystem::path state_path;  // the SQLite state the CLI uses
    std::filesystem::path key_file;    // AES-256-GCM key for connector passwords, made 0600 at first start
    size_t max_concurrent_imports = 2;
    // Finished imports kept per connector (ImportRetention), 0 for all.
    size_t keep_imports = 30;
    // What every connector's run starts from (database, plugin dirs, limits,
    // http options, malware, concurrency...), as `serve`'s own flags set it;
    // a connector's stored options are applied on top.
    engine::RunOptions defaults;
    // The server's environment (DOCKER_CONFIG, HOME, PATH): where a connector
    // without credentials of its own finds docker's (config.json, helpers).
    std::map<std::string, std::string> environment;
};

// Images list filters; empty strings mean "any".
struct ImageQuery {
    std::string connector;
    std::string repository;
    std::string severity;  // critical|high|medium|low: images with at least one at this severity
    std::string status;    // scanned|failed|scan_failed
    std::string search;    // substring of repository, tag or digest
    std::string sort = "repository";  // repository|tag|last_scanned|critical|high|medium|low|status|connector
    std::string order = "asc";        // asc|desc
    size_t limit = 50;                // 1..500
    size_t offset = 0;
};

struct ReportFile {
    std::string name;  // e.g. "reg-5000.json"
    std::filesystem::path path;
};

class Service {
public:
    virtual ~Service() = default;

    virtual nlohmann::json list_connectors() = 0;                        // {"connectors":[Connector]}
    virtual nlohmann::json get_connector(const std::string& name) = 0;    // Connector
    virtual nlohmann::json create_connector(const nlohmann::json& body) = 0;  // Connector; "import_now" queues one
    virtual nlohmann::json update_connector(const std::string& name, const nlohmann::json& body) = 0;
    virtual void remove_connector(const std::string& name) = 0;
    virtual nlohmann::json import_now(const std::string& name) = 0;  // Import (queued ahead of scheduled work)

    virtual nlohmann::json list_imports(const std::string& connector, size_t limit) = 0;  // {"imports":[Import]}
    virtual nlohmann::json get_import(int64_t id) = 0;                                    // Import
    // Cancels an import: a queued one at once (cancelled), a running one
    // within a second or so, its transfers in flight stopped (the runner ends
    // it cancelled; what it finished stays, the images it stopped are left
    // for the next import).
    // Answers the Import as it is now; conflict when it has already ended.
    virtual nlohmann::json cancel_import(int64_t id) = 0;
    virtual std::vector<ReportFile> import_reports(int64_t id) = 0;

    virtual nlohmann::json list_images(const ImageQuery& query) = 0;  // {"total":N,"images":[ImageRow]}
    virtual nlohmann::json get_image(int64_t id) = 0;                 // ImageDetail
    // The registry types this server's plugins offer, sorted:
    // {"types":[{"type","plugin","description"}]}. A connector's "type" must be one (or empty).
    virtual nlohmann::json registry_types() = 0;

    virtual std::string metrics_text() = 0;  // Prometheus text format

    // Scheduler on: a run missed while the server was down runs once now.
    virtual void start() = 0;
    // SIGTERM: queue no more, let images in flight finish for at most `grace`,
    // mark what is left interrupted, return.
    virtual void stop(std::chrono::seconds grace) = 0;
    // After stop(): true when imports were still running past the grace (they
    // are marked interrupted, their threads left inside the engine). The
    // caller must then end the process without destroying the service or
    // unloading plugins (flush the logs, std::_Exit), which would race them.
    [[nodiscard]] virtual bool imports_left_running() const { return false; }

    // Queues one scheduled import for each connector whose next run is due
    // at the service's clock (however many runs were missed: one), and sets
    // its next run an interval from now. The scheduler thread calls it; tests
    // call it with an injected clock. Returns how many were queued.
    virtual size_t run_due_imports() = 0;
};

// Opens (and migrates) the state, reads or makes the key file. Throws
// std::runtime_error naming the file that cannot be used.
std::unique_ptr<Service> make_service(const ServiceOptions& options, const plugin::PluginSet& plugins);
// The same on an injected clock, without the scheduler thread (tests).
std::unique_ptr<Service> make_service(const ServiceOptions& options, const plugin::PluginSet& plugins, Clock clock);

}  // namespace regscan::serve
