// The service behind the API: connectors (validated, password sealed), the
// scheduler and the import queue, and the image index, all on the CLI's state
// file. Every answer is built here, in the API's JSON shapes, and none holds
// a password.
#include "serve/service.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/plain_url.hpp"
#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "regscan/host.hpp"
#include "scan/model_json.hpp"
#include "serve/import_queue.hpp"
#include "serve/import_retention.hpp"
#include "serve/import_runner.hpp"
#include "serve/marking_policy.hpp"
#include "serve/secret_box.hpp"
#include "serve/secret_options.hpp"
#include "state/service_store.hpp"
#include "triage/policy.hpp"
#include "util/time.hpp"

namespace regscan::serve {
namespace {

using nlohmann::json;
using Kind = ServiceError::Kind;

constexpr size_t max_name = 64;
constexpr size_t max_url = 2048;
constexpr size_t max_text = 256;
constexpr size_t max_password = 4096;
constexpr size_t max_patterns = 100;
constexpr size_t max_options = 50;
constexpr size_t max_option_value = 4096;
// How long removing a connector waits for its cancelled import to stop (its
// transfers stop within a second or so; writing what it did takes the rest).
constexpr std::chrono::seconds remove_wait{30};
// How long a submit waits for the queue to let go of an import that has ended.
constexpr std::chrono::seconds held_import_release{5};
constexpr size_t max_search = 256;
constexpr size_t history_limit = 50;

ServiceError bad(const std::string& message) { return ServiceError(Kind::bad_request, message); }

bool valid_name(const std::string& name, size_t max) {
    if (name.empty() || name.size() > max) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

bool has_control(const std::string& text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

std::string text_field(const json& body, const char* key, size_t max, bool allow_empty = true) {
    const auto& value = body.at(key);
    if (!value.is_string()) throw bad(std::string("\"") + key + "\" must be a string");
    auto text = value.get<std::string>();
    if (text.size() > max) throw bad(fmt::format("\"{}\" is longer than {} characters", key, max));
    if (!allow_empty && text.empty()) throw bad(std::string("\"") + key + "\" must not be empty");
    if (has_control(text)) throw bad(std::string("\"") + key + "\" holds a control character");
    return text;
}

int64_t count_field(const json& body, const char* key, int64_t max) {
    const auto& value = body.at(key);
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > max)
        throw bad(fmt::format("\"{}\" must be a whole number from 0 to {}", key, max));
    return value.get<int64_t>();
}

json pattern_list(const json& body, const char* key) {
    const auto& value = body.at(key);
    if (!value.is_array()) throw bad(std::string("\"") + key + "\" must be a list of patterns");
    if (value.size() > max_patterns) throw bad(fmt::format("\"{}\" holds more than {} patterns", key, max_patterns));
    json out = json::array();
    for (const auto& item : value) {
        if (!item.is_string() || item.get<std::string>().empty() || item.get<std::string>().size() > max_text ||
            has_control(item.get<std::string>()))
            throw bad(fmt::format("\"{}\" holds a pattern that is not a string of 1 to {} printable characters", key,
                                  max_text));
        out.push_back(item);
    }
    return out;
}

// A connector's stored configuration: `current` (the stored one, or
// defaults for a new connector) with the body's fields applied and checked.
// Unknown keys (e.g. the read-only fields of a Connector sent back) are
// ignored.
json apply_body(json config, const json& body) {
    if (body.contains("url")) {
        auto url = text_field(body, "url", max_url, false);
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            throw bad("\"url\" must start with http:// or https://");
        if (url.find(' ') != std::string::npos) throw bad("\"url\" must not hold a space");
        // A password in the URL would be stored and answered in plain text.
        auto authority = url.substr(url.find("//") + 2);
        authority = authority.substr(0, authority.find_first_of("/?#"));
        if (authority.find('@') != std::string::npos)
            throw bad("\"url\" must not hold credentials: use \"username\" and \"password\"");
        if (authority.empty()) throw bad("\"url\" has no host");
        // Read alike by every URL parser: where the password goes is the host it shows.
        if (auto problem = http::plain_url_problem(url)) throw bad("\"url\" is not a plain http(s) URL: " + *problem);
        config["url"] = url;
    }
    if (body.contains("type")) {
        auto type = text_field(body, "type", max_name);
        if (!type.empty() && !valid_name(type, max_name))
            throw bad("\"type\" must be empty (identify the registry) or a registry type name");
        config["type"] = type;
    }
    if (body.contains("username")) config["username"] = text_field(body, "username", max_text);
    if (body.contains("schedule")) {
        const auto& schedule = body["schedule"];
        if (!schedule.is_object()) throw bad("\"schedule\" must be an object {\"enabled\", \"every\"}");
        json next = config["schedule"];
        if (schedule.contains("enabled")) {
            if (!schedule["enabled"].is_boolean()) throw bad("\"schedule.enabled\" must be true or false");
            next["enabled"] = schedule["enabled"];
        }
        if (schedule.contains("every")) {
            if (!schedule["every"].is_string()) throw bad("\"schedule.every\" must be a string such as \"6h\"");
            auto every = parse_interval(schedule["every"].get<std::string>());
            if (!every)
                throw bad("\"schedule.every\" must be minutes, hours or days (\"30m\", \"6h\", \"1d\"), from " +
                          format_interval(min_interval) + " to " + format_interval(max_interval));
            next["every"] = format_interval(*every);
        }
        config["schedule"] = next;
    }
    if (body.contains("allow")) config["allow"] = pattern_list(body, "allow");
    if (body.contains("deny")) config["deny"] = pattern_list(body, "deny");
    if (body.contains("platform")) {
        auto platform = text_field(body, "platform", max_text);
        if (platform.find(' ') != std::string::npos) throw bad("\"platform\" must not hold a space");
        if (!platform.empty()) config["platform"] = platform;
    }
    if (body.contains("max_tags_per_repo")) config["max_tags_per_repo"] = count_field(body, "max_tags_per_repo", 1000000);
    if (body.contains("max_tag_age_days")) config["max_tag_age_days"] = count_field(body, "max_tag_age_days", 36500);
    if (body.contains("image_timeout")) {
        auto timeout = text_field(body, "image_timeout", 32, false);
        std::chrono::seconds seconds{0};
        try {
            seconds = limits::parse_duration(timeout);
        } catch (const std::exception&) {
            throw bad("\"image_timeout\" must be a duration such as \"60m\"");
        }
        if (seconds.count() <= 0 || seconds > std::chrono::hours(24 * 7))
            throw bad("\"image_timeout\" must be more than 0 and at most 7 days");
        config["image_timeout"] = timeout;
    }
    if (body.contains("options")) {
        const auto& options = body["options"];
        if (!options.is_object()) throw bad("\"options\" must be an object of plugin options");
        if (options.size() > max_options) throw bad(fmt::format("\"options\" holds more than {} entries", max_options));
        json out = json::object();
        for (const auto& [key, value] : options.items()) {
            if (!valid_name(key, 128)) throw bad("a plugin option name must be 1 to 128 of [A-Za-z0-9._-]");
            if (!value.is_string() || value.get<std::string>().size() > max_option_value ||
                has_control(value.get<std::string>()))
                throw bad("plugin option " + key + " must be a string of printable characters");
            out[key] = value;
        }
        config["options"] = out;
    }
    return config;
}

// More imports than any connector keeps rows of (a LIMIT every backend takes).
constexpr size_t max_imports_listed = 1'000'000'000;

// Whether an edit from `before` to `after` may send a stored password
// elsewhere than where it was given for: another origin, another type (its
// plugin's own auth endpoints), or changed plugin options (some name where
// credentials go: --hub-api, --ecr-endpoint, --jfrog-api...).
bool moves_credentials(const json& before, const json& after) {
    return !http::same_origin(before.value("url", ""), after.value("url", "")) ||
           // Types are matched case-free (as the plugins match them): "harbor" is "HARBOR".
           !sdk::iequals(before.value("type", ""), after.value("type", "")) ||
           before.value("options", json::object()) != after.value("options", json::object());
}

json default_config(const engine::RunOptions& defaults) {
    int64_t timeout = defaults.image_timeout.count();
    std::string image_timeout =
        timeout % 3600 == 0 ? fmt::format("{}h", timeout / 3600)
        : timeout % 60 == 0 ? fmt::format("{}m", timeout / 60)
                            : fmt::format("{}s", timeout);
    return {{"url", ""},
            {"type", ""},
            {"username", ""},
            {"schedule", {{"enabled", true}, {"every", format_interval(default_interval)}}},
            {"allow", json::array()},
            {"deny", json::array()},
            {"platform", defaults.platform},
            {"max_tags_per_repo", 0},
            {"max_tag_age_days", 0},
            {"image_timeout", image_timeout},
            {"options", json::object()}};
}

json or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json counts_json(const state::SeverityCounts& c) {
    return {{"critical", c.critical}, {"high", c.high},       {"medium", c.medium},
            {"low", c.low},           {"unknown", c.unknown}, {"total", c.total()}};
}

json import_json(const state::ImportRecord& i) {
    json duration = nullptr;
    if (!i.started_at.empty() && !i.finished_at.empty()) {
        auto started = util::parse_rfc3339(i.started_at), finished = util::parse_rfc3339(i.finished_at);
        if (started && finished) duration = (*finished - *started).count();
    }
    return {{"id", i.id},
            {"connector", i.connector},
            {"trigger", i.trigger},
            {"state", i.state},
            {"queued_at", or_null(i.queued_at)},
            {"started_at", or_null(i.started_at)},
            {"finished_at", or_null(i.finished_at)},
            {"duration_seconds", duration},
            {"registry_type", i.registry_type},
            {"images_found", i.images_found},
            {"images_new", i.images_new},
            {"images_failed", i.images_failed},
            {"progress", {{"done", i.progress_done}, {"total", i.progress_total}, {"current", i.current}}},
            {"error", or_null(i.error)}};
}

json image_json(const state::ImageIndexRow& r) {
    return {{"id", r.id},
            {"connector", r.connector},
            {"repository", r.repository},
            {"tag", r.tag},
            {"digest", r.digest},
            {"platform", r.platform},
            {"last_scanned", r.last_scanned},
            {"vulnerabilities", counts_json(r.vulnerabilities)},
            {"malware", {{"verdict", r.malware_verdict}, {"found", r.malware_found}, {"incomplete", r.malware_incomplete}}},
            {"status", r.status},
            {"reason", r.reason}};
}

// The layers a result names (packages and malware findings carry theirs),
// in order of first mention, with how many packages each holds.
json layers_of(const json& result) {
    json layers = json::array();
    std::map<std::string, size_t> index;
    auto add = [&](const std::string& digest, bool package) {
        if (digest.empty()) return;
        auto [it, inserted] = index.emplace(digest, layers.size());
        if (inserted) layers.push_back({{"digest", digest}, {"packages", 0}});
        if (package) layers[it->second]["packages"] = layers[it->second]["packages"].get<int64_t>() + 1;
    };
    for (const auto& p : result.value("packages", json::array()))
        if (p.is_object()) add(p.value("layer_digest", ""), true);
    if (result.contains("malware") && result["malware"].is_object())
        for (const auto& f : result["malware"].value("findings", json::array()))
            if (f.is_object()) add(f.value("layer_digest", ""), false);
    return layers;
}

class RealService final : public Service {
public:
    RealService(const ServiceOptions& options, const plugin::PluginSet& plugins, Clock clock, bool scheduler_thread)
        : options_(options),
          plugins_(plugins),
          secret_names_(plugins.secret_option_names()),
          clock_(std::move(clock)),
          scheduler_thread_(scheduler_thread),
          store_(options_.state_path.empty() ? options_.data_dir / "state.db" : options_.state_path),
          secrets_(SecretBox::from_key_file(options_.key_file.empty() ? options_.data_dir / "serve-secret.key"
                                                                      : options_.key_file)),
          runner_(store_, options_.defaults, plugins, secrets_, options_.environment,
                  options_.defaults.output_dir.empty() || options_.defaults.output_dir == "."
                      ? options_.data_dir / "imports"
                      : std::filesystem::path(options_.defaults.output_dir),
                  clock_),
          retention_(store_, options_.keep_imports, [this](int64_t id) { return runner_.reports_dir(id); }) {}

    ~RealService() override {
        // Without stop() (tests, an error at start): wait for the imports in
        // flight, which would otherwise outlive what they use.
        if (!stopped_) stop(std::chrono::hours(24 * 365));
    }

    json list_connectors() override {
        json list = json::array();
        for (const auto& c : store_.connectors()) list.push_back(connector_json(c));
        return {{"connectors", list}};
    }

    json get_connector(const std::string& name) override { return connector_json(find_connector(name)); }

    json create_connector(const json& body) override {
        if (!body.is_object()) throw bad("the body must be a JSON object");
        if (!body.contains("name")) throw bad("\"name\" is required");
        auto name = text_field(body, "name", max_name, false);
        if (!valid_name(name, max_name)) throw bad("\"name\" must be 1 to 64 of [A-Za-z0-9._-]");
        if (!body.contains("url")) throw bad("\"url\" is required");
        bool import_now = import_now_flag(body);
        state::ConnectorRecord record;
        record.name = name;
        record.config = apply_body(default_config(options_.defaults), body);
        seal_secret_options(record.config, secret_names_, secrets_);
        check_type(record.config);
        record.sealed_password = password_of(body, "");
        record.created = record.updated = now_text();
        record.next_run = next_run_of(record.config, "");
        {
            std::lock_guard lock(mutex_);
            if (store_.connector(name)) throw ServiceError(Kind::conflict, "a connector named " + name + " exists");
            record.id = store_.create_connector(record);
        }
        wake_scheduler();
        if (import_now) submit(record, Priority::manual, "manual");
        return connector_json(find_connector(name));
    }

    json update_connector(const std::string& name, const json& body) override {
        if (!body.is_object()) throw bad("the body must be a JSON object");
        if (body.contains("name") && (!body["name"].is_string() || body["name"].get<std::string>() != name))
            throw bad("a connector cannot be renamed: remove it and add another");
        bool import_now = import_now_flag(body);
        state::ConnectorRecord record;
        {
            std::lock_guard lock(mutex_);
            record = find_connector(name);
            const json config_before = record.config;
            auto before = record.config["schedule"];
            auto type_before = record.config.value("type", "");
            record.config = apply_body(record.config, body);
            seal_secret_options(record.config, secret_names_, secrets_);
            // An edit by whoever holds the API token must not turn the stored
            // password (or secret option) into theirs by pointing the
            // connector at their server.
            const bool secrets_stored = !record.sealed_password.empty() || config_before.contains("sealed_options");
            if (secrets_stored && !gives_secrets_again(body, !record.sealed_password.empty(), config_before) &&
                moves_credentials(config_before, record.config))
                throw bad("a connector's URL (its scheme, host or port), type or plugin options changed: give its "
                          "password (and its secret plugin options) again (stored secrets are only sent where "
                          "they were given for), or \"password\": null to drop it");
            // Only a type changed now: a stored one whose plugin went away must
            // not block other edits, even those (the dashboard's toggles) that
            // send the whole connector back; its imports say what is wrong.
            if (record.config.value("type", "") != type_before) check_type(record.config);
            if (body.contains("password")) record.sealed_password = password_of(body, record.sealed_password);
            record.updated = now_text();
            if (record.config["schedule"] != before) record.next_run = next_run_of(record.config, "");
            store_.update_connector(record);
        }
        wake_scheduler();
        if (import_now) submit(record, Priority::manual, "manual");
        return connector_json(find_connector(name));
    }

    // A running import is cancelled first and the removal waits (bounded)
    // for it to stop.
    void remove_connector(const std::string& name) override {
        auto record = find_connector(name);
        if (auto* queue = running_queue()) {
            if (auto active = queue->active(record.id)) cancel(*active);
            if (!queue->wait_until_inactive(record.id, remove_wait))
                throw ServiceError(Kind::conflict, "the import of connector " + name + " was cancelled but is still "
                                                   "stopping; remove the connector again shortly");
        }
        // Its imports' report files go with it (the rows do): nothing could
        // reach them any more, and a new import of that id must not find them.
        const auto imports = store_.imports(record.name, max_imports_listed);
        store_.remove_connector(record.id);
        for (const auto& done : imports) {
            std::error_code failed;
            std::filesystem::remove_all(runner_.reports_dir(done.id), failed);
            if (failed)
                spdlog::warn("serve: the reports of import {} were not removed: {}", done.id, failed.message());
        }
    }

    json import_now(const std::string& name) override {
        auto record = find_connector(name);
        return import_json(*store_.import(submit(record, Priority::manual, "manual")));
    }

    json list_imports(const std::string& connector, size_t limit) override {
        limit = limit == 0 ? 50 : std::min<size_t>(limit, 500);
        json list = json::array();
        for (const auto& i : store_.imports(connector, limit)) list.push_back(import_json(i));
        return {{"imports", list}};
    }

    json get_import(int64_t id) override { return import_json(find_import(id)); }

    json registry_types() override { return types_json(); }

    json types_json() const {
        json types = json::array();
        for (const auto& plugin : plugins_.plugins)
            if (plugin->registry())
                for (const auto& type : plugin->registry_types())
                    types.push_back({{"type", type}, {"plugin", plugin->id()}, {"description", plugin->description()}});
        std::sort(types.begin(), types.end(), [](const json& a, const json& b) {
            return a["type"].get<std::string>() < b["type"].get<std::string>();
        });
        return {{"types", types}};
    }

    json cancel_import(int64_t id) override {
        auto record = find_import(id);
        if (record.state != "queued" && record.state != "running")
            throw ServiceError(Kind::conflict, "import " + std::to_string(id) + " has already ended (" + record.state +
                                                   ")");
        cancel(id);
        return import_json(find_import(id));
    }

    std::vector<ReportFile> import_reports(int64_t id) override {
        find_import(id);
        std::vector<ReportFile> files;
        std::error_code error;
        auto dir = runner_.reports_dir(id);
        for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
            if (!entry.is_regular_file(error) || entry.is_symlink(error)) continue;
            auto file_name = entry.path().filename().string();
            if (!file_name.empty() && file_name[0] != '.') files.push_back({file_name, entry.path()});
        }
        std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return files;
    }

    json list_images(const ImageQuery& q) override {
        static const std::set<std::string> sorts{"repository", "tag",    "last_scanned", "critical", "high",
                                                 "medium",     "low",    "status",       "connector"};
        static const std::set<std::string> severities{"", "critical", "high", "medium", "low"};
        static const std::set<std::string> statuses{"", "scanned", "failed", "scan_failed"};
        if (!sorts.count(q.sort)) throw bad("sort must be one of repository, tag, last_scanned, critical, high, "
                                            "medium, low, status, connector");
        if (q.order != "asc" && q.order != "desc") throw bad("order must be asc or desc");
        if (!severities.count(q.severity)) throw bad("severity must be critical, high, medium or low");
        if (!statuses.count(q.status)) throw bad("status must be scanned, failed or scan_failed");
        if (q.limit < 1 || q.limit > 500) throw bad("limit must be from 1 to 500");
        if (q.search.size() > max_search || q.repository.size() > max_url || q.connector.size() > max_name)
            throw bad("a filter is too long");
        state::ImageFilter f{q.connector, q.repository, q.severity, q.status, q.search, q.sort,
                             q.order == "desc",  q.limit,      q.offset};
        auto page = store_.images(f);
        json rows = json::array();
        for (const auto& r : page.rows) rows.push_back(image_json(r));
        return {{"total", page.total}, {"images", rows}};
    }

    json get_image(int64_t id) override {
        auto row = store_.image(id);
        if (!row) throw ServiceError(Kind::not_found, "no image " + std::to_string(id));
        json detail = {{"image", image_json(*row)},          {"vulnerabilities", json::array()},
                       {"misconfigurations", json::array()}, {"packages", json::array()},
                       {"layers", json::array()},            {"malware_findings", json::array()},
                       {"os", nullptr},                      {"notes", json::array()}};
        if (row->status == "scanned")
            if (auto stored = store_.stored_result(*row)) {
                auto result = json::parse(*stored, nullptr, false);
                if (result.is_object()) {
                    mark_suppressed(result);
                    for (const char* key : {"vulnerabilities", "misconfigurations", "packages", "notes"})
                        if (result.contains(key) && result[key].is_array()) detail[key] = result[key];
                    if (result.contains("os")) detail["os"] = result["os"];
                    if (result.contains("malware") && result["malware"].is_object())
                        detail["malware_findings"] = result["malware"].value("findings", json::array());
                    detail["layers"] = layers_of(result);
                }
            }
        json history = json::array();
        for (const auto& h : store_.image_history(id, history_limit))
            history.push_back({{"import_id", h.import_id},
                               {"scanned_at", h.scanned_at},
                               {"status", h.status},
                               {"digest", h.digest},
                               {"reason", h.reason},
                               {"vulnerabilities", counts_json(h.vulnerabilities)}});
        detail["history"] = history;
        return detail;
    }

    std::string metrics_text() override {
        auto t = store_.totals();
        std::map<std::string, int64_t> states{{"queued", 0},  {"running", 0}, {"succeeded", 0},
                                              {"partial", 0}, {"failed", 0},  {"interrupted", 0}, {"cancelled", 0}};
        for (const auto& [state, count] : t.by_state) states[state] = count;
        std::string out;
        out += "# HELP regscan_imports Imports by state: queued and running now; the others ever recorded, removed ones "
               "included.\n# TYPE regscan_imports gauge\n";
        for (const auto& [state, count] : states) out += fmt::format("regscan_imports{{state=\"{}\"}} {}\n", state, count);
        out += "# HELP regscan_imports_running Imports running now.\n# TYPE regscan_imports_running gauge\n";
        out += fmt::format("regscan_imports_running {}\n", queue_ ? queue_->running() : 0);
        out += "# HELP regscan_images_scanned Images in the index whose last scan succeeded.\n"
               "# TYPE regscan_images_scanned gauge\n";
        out += fmt::format("regscan_images_scanned {}\n", t.images_scanned);
        out += "# HELP regscan_image_failures Images in the index whose last scan failed or timed out.\n"
               "# TYPE regscan_image_failures gauge\n";
        out += fmt::format("regscan_image_failures {}\n", t.image_failures);
        out += "# HELP regscan_import_duration_seconds Duration of finished imports.\n"
               "# TYPE regscan_import_duration_seconds summary\n";
        out += fmt::format("regscan_import_duration_seconds_sum {:.3f}\n", t.duration_seconds_sum);
        out += fmt::format("regscan_import_duration_seconds_count {}\n", t.duration_count);
        return out;
    }

    void start() override {
        {
            std::lock_guard lock(mutex_);
            if (queue_) return;
            queue_ = std::make_unique<ImportQueue>(options_.max_concurrent_imports, [this](const QueuedImport& q) {
                auto cancelled = cancel_flag(q.import_id);
                runner_.run(q.import_id, cancel_, *cancelled);
                retention_.request(q.connector_id);
                std::lock_guard lock(cancels_mutex_);
                cancels_.erase(q.import_id);
            });
        }
        // A secret option an older server stored in clear is sealed now.
        for (auto record : store_.connectors()) {
            const auto before = record.config;
            if (!record.config.contains("options")) continue;
            seal_secret_options(record.config, secret_names_, secrets_);
            if (record.config == before) continue;
            store_.update_connector_erasing_old(record);
            spdlog::info("serve: connector {}: its secret plugin options are now stored encrypted", record.name);
        }
        // Imports queued when the server stopped keep their place.
        for (const auto& queued : store_.imports_in_state("queued")) {
            auto record = store_.connector(queued.connector_id);
            if (!record) continue;
            queue_->submit(record->id, queued.trigger == "manual" ? Priority::manual : Priority::scheduled,
                           [&] { return queued.id; });
        }
        // An import the server died in is interrupted; its connector runs once more.
        std::set<int64_t> restarted;
        for (const auto& interrupted : store_.interrupt_running(now_text())) {
            if (!restarted.insert(interrupted.connector_id).second) continue;
            if (auto record = store_.connector(interrupted.connector_id)) {
                spdlog::info("serve: import {} of connector {} was interrupted; running it again", interrupted.id,
                             record->name);
                submit(*record, Priority::scheduled, "startup");
            }
        }
        // A bound lowered since the last start applies now, not at each connector's next import.
        for (const auto& record : store_.connectors()) retention_.request(record.id);
        run_due_imports();
        if (scheduler_thread_) scheduler_ = std::thread([this] { schedule_loop(); });
    }

    void stop(std::chrono::seconds grace) override {
        {
            std::lock_guard lock(mutex_);
            if (stopped_) return;
            stopped_ = true;
        }
        cancel_ = true;
        retention_.stop();
        {
            std::lock_guard lock(schedule_mutex_);
            schedule_stop_ = true;
        }
        schedule_wake_.notify_all();
        if (scheduler_.joinable()) scheduler_.join();
        if (!queue_) return;
        // The queue's stop waits for the images in flight; bounded by `grace`.
        auto stopping = std::async(std::launch::async, [this] { return queue_->stop(); });
        // The queue itself stays (stopped, it refuses work) until the service
        // is destroyed: a request still in flight may hold it.
        if (stopping.wait_for(grace) == std::future_status::ready) {
            stopping.get();  // still-queued imports stay queued in the state: the next start runs them
            return;
        }
        spdlog::warn("serve: imports still running after {}s: marked interrupted", grace.count());
        left_running_ = true;
        store_.interrupt_running(now_text());
        // The workers are still inside the engine: neither the queue nor the
        // future may be destroyed (both would wait for them). The process is
        // exiting; they are left to it.
        (void)queue_.release();
        new std::future<std::vector<QueuedImport>>(std::move(stopping));
    }

    [[nodiscard]] bool imports_left_running() const override { return left_running_; }

    size_t run_due_imports() override {
        {
            std::lock_guard lock(mutex_);
            if (!queue_ || stopped_) return 0;
        }
        auto now = clock_();
        size_t queued = 0;
        for (const auto& record : store_.connectors()) {
            if (!record.config["schedule"].value("enabled", false) || record.next_run.empty()) continue;
            auto next = util::parse_rfc3339(record.next_run);
            if (next && !is_due(*next, now)) continue;
            auto every = parse_interval(record.config["schedule"].value("every", "")).value_or(default_interval);
            store_.set_next_run(record.id, util::format_utc(serve::next_run(now, every)));
            try {
                submit(record, Priority::scheduled, "scheduled");
                ++queued;
            } catch (const std::exception& e) {
                spdlog::warn("serve: the scheduled import of connector {} was not queued: {}", record.name, e.what());
            }
        }
        return queued;
    }

private:
    std::string now_text() { return util::format_utc(clock_()); }

    state::ConnectorRecord find_connector(const std::string& name) {
        if (!valid_name(name, max_name)) throw ServiceError(Kind::not_found, "no such connector");
        auto record = store_.connector(name);
        if (!record) throw ServiceError(Kind::not_found, "no connector named " + name);
        return *record;
    }

    state::ImportRecord find_import(int64_t id) {
        auto record = store_.import(id);
        if (!record) throw ServiceError(Kind::not_found, "no import " + std::to_string(id));
        return *record;
    }

    static bool import_now_flag(const json& body) {
        if (!body.contains("import_now")) return false;
        if (!body["import_now"].is_boolean()) throw bad("\"import_now\" must be true or false");
        return body["import_now"].get<bool>();
    }

    // The sealed password the body asks for: `current` when it has none; ""
    // (no password) for "" or null.
    std::string password_of(const json& body, const std::string& current) {
        if (!body.contains("password")) return current;
        const auto& value = body["password"];
        if (value.is_null()) return "";
        if (!value.is_string()) throw bad("\"password\" must be a string");
        auto password = value.get<std::string>();
        if (password.size() > max_password) throw bad("\"password\" is too long");
        if (password.empty()) return "";
        log::add_secret(password);
        return secrets_.seal(password);
    }

    std::string next_run_of(const json& config, const std::string& anchor) {
        if (!config["schedule"].value("enabled", false)) return "";
        auto every = parse_interval(config["schedule"].value("every", "")).value_or(default_interval);
        auto from = anchor.empty() ? clock_() : util::parse_rfc3339(anchor).value_or(clock_());
        return util::format_utc(serve::next_run(from, every));
    }

    json connector_json(const state::ConnectorRecord& c) {
        json out = c.config;
        out.erase("password");
        hide_secret_options(out, secret_names_);
        out["name"] = c.name;
        out["has_password"] = !c.sealed_password.empty();
        auto last = store_.last_import(c.id);
        out["last_import"] = last ? import_json(*last) : json(nullptr);
        out["next_run"] = or_null(c.next_run);
        json running = nullptr;
        for (const auto& i : store_.imports(c.name, 1))
            if (i.state == "queued" || i.state == "running") running = import_json(i);
        out["running"] = running;
        return out;
    }

    int64_t submit(const state::ConnectorRecord& record, Priority priority, const std::string& trigger) {
        ImportQueue* queue = nullptr;
        {
            std::lock_guard lock(mutex_);
            if (queue_ && !stopped_) queue = queue_.get();
        }
        if (!queue) throw ServiceError(Kind::conflict, "the server is not running imports (starting or stopping)");
        try {
            auto create = [&] { return store_.create_import(record.id, record.name, trigger, now_text()); };
            auto submitted = queue->submit(record.id, priority, create);
            // The import the queue holds may have just ended: its runner records
            // the end before the queue lets go of the connector. Then this one
            // is queued once it has, not answered with the one that ended.
            if (!submitted.created) {
                auto held = store_.import(submitted.import_id);
                if (held && held->state != "queued" && held->state != "running" &&
                    queue->wait_until_inactive(record.id, held_import_release)) {
                    {
                        std::lock_guard lock(mutex_);
                        if (stopped_) throw ServiceError(Kind::conflict, "the server is stopping");
                    }
                    submitted = queue->submit(record.id, priority, create);
                }
            }
            return submitted.import_id;
        } catch (const std::runtime_error& e) {
            throw ServiceError(Kind::conflict, e.what());
        }
    }

    void wake_scheduler() { schedule_wake_.notify_all(); }

    // Stored results are unmarked (triage applies as a run reports); the
    // detail marks each finding as the policy in force today does, so the
    // page says why a finding is not in the counts. A policy file that no
    // longer reads leaves the findings unmarked (the next import says why).
    void mark_suppressed(json& result) {
        std::shared_ptr<const triage::Policy> policy;
        try {
            policy = marking_.get(clock_());
        } catch (const std::exception& e) {
            spdlog::warn("serve: the triage policy cannot be read to mark an image's findings: {}", e.what());
            return;
        }
        if (!policy) return;
        scan::ImageResult image;
        try {
            image = result.get<scan::ImageResult>();
        } catch (const json::exception&) {
            return;  // not a result this version wrote: shown as stored
        }
        policy->apply(image);
        result["vulnerabilities"] = image.vulnerabilities;
        result["misconfigurations"] = image.misconfigurations;
        if (result.contains("malware") && result["malware"].is_object())
            result["malware"]["findings"] = image.malware.findings;
    }

    // A type no plugin offers would only fail at the import: refused here,
    // naming those there are.
    void check_type(const json& config) const {
        auto type = config.value("type", "");
        if (type.empty() || plugins_.for_type(type)) return;
        std::string known;
        const json types = types_json();
        for (const auto& entry : types["types"])
            known += (known.empty() ? "" : ", ") + entry["type"].get<std::string>();
        throw bad("\"type\" " + type + " is not a registry type of this server's plugins (" +
                  (known.empty() ? "none loaded" : known) + "; empty: identify the registry)");
    }

    // The queue, once started (it lives as long as the service).
    ImportQueue* running_queue() {
        std::lock_guard lock(mutex_);
        return queue_.get();
    }

    // The cancel flag of one import, made on first use; the runner holds it
    // while the import runs.
    std::shared_ptr<std::atomic<bool>> cancel_flag(int64_t import_id) {
        std::lock_guard lock(cancels_mutex_);
        auto& flag = cancels_[import_id];
        if (!flag) flag = std::make_shared<std::atomic<bool>>(false);
        return flag;
    }

    // A queued import leaves the queue and ends cancelled here; a running one
    // is flagged and its runner ends it cancelled.
    void cancel(int64_t import_id) {
        auto record = store_.import(import_id);
        if (!record) return;
        ImportQueue* queue = running_queue();
        cancel_flag(import_id)->store(true);
        if (record->state == "queued" && queue && queue->active(record->connector_id) == import_id &&
            queue->drop_queued(record->connector_id)) {
            store_.finish_import(import_id, "cancelled", now_text(), 0, 0, 0, "cancelled on request before it started");
            retention_.request(record->connector_id);
            std::lock_guard lock(cancels_mutex_);
            cancels_.erase(import_id);
        }
        spdlog::info("serve: import {} of connector {} cancelled on request", import_id, record->connector);
    }

    void schedule_loop() {
        std::unique_lock lock(schedule_mutex_);
        while (!schedule_stop_) {
            // A minute is the smallest interval: checking twice a minute, and
            // whenever a connector changes, is on time.
            schedule_wake_.wait_for(lock, std::chrono::seconds(30));
            if (schedule_stop_) break;
            lock.unlock();
            try {
                run_due_imports();
            } catch (const std::exception& e) {
                spdlog::error("serve: scheduler: {}", log::redact(e.what()));
            }
            lock.lock();
        }
    }

    ServiceOptions options_;
    const plugin::PluginSet& plugins_;
    const std::set<std::string> secret_names_;  // plugin options kept like the password
    Clock clock_;
    bool scheduler_thread_;
    state::ServiceStore store_;
    SecretBox secrets_;
    ImportRunner runner_;
    ImportRetention retention_;
    MarkingPolicy marking_{options_.defaults};
    std::atomic<bool> cancel_{false};  // the server is stopping: every import
    std::mutex cancels_mutex_;
    std::map<int64_t, std::shared_ptr<std::atomic<bool>>> cancels_;  // an import cancelled on request
    std::mutex mutex_;
    std::unique_ptr<ImportQueue> queue_;
    bool stopped_ = false;
    std::atomic<bool> left_running_{false};
    std::mutex schedule_mutex_;
    std::condition_variable schedule_wake_;
    bool schedule_stop_ = false;
    std::thread scheduler_;
};

}  // namespace

std::unique_ptr<Service> make_service(const ServiceOptions& options, const plugin::PluginSet& plugins) {
    return std::make_unique<RealService>(options, plugins, system_clock(), true);
}

std::unique_ptr<Service> make_service(const ServiceOptions& options, const plugin::PluginSet& plugins, Clock clock) {
    return std::make_unique<RealService>(options, plugins, std::move(clock), false);
}

}  // namespace regscan::serve
