#include "app/db_command.hpp"

#include <chrono>
#include <optional>
#include <iostream>
#include <random>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "http/http_client.hpp"
#include "util/time.hpp"
#include "vulndb/debian_tracker.hpp"
#include "vulndb/osv_download.hpp"
#include "vulndb/osv_importer.hpp"
#include "vulndb/osv_sources.hpp"
#include "vulndb/tracker_source.hpp"
#include "vulndb/vuln_database.hpp"

namespace regscan::app {
namespace po = boost::program_options;
namespace {

constexpr const char* usage = R"(Usage: regscan db <command> [options]

Build and inspect the offline OSV vulnerability database scans match against.

Commands:
  import PATH...   import OSV records: JSON files, directories of them (recursive), or
                   the per-ecosystem all.zip archives OSV publishes; --debian-tracker FILE
                   adds the Debian Security Tracker's statuses (will_not_fix, ...)
  status           ecosystems, record counts, statuses, last import and age, fingerprint
  update           download <source>/<ecosystem>/all.zip for each ecosystem and import it
                   (--debian-tracker: and the tracker's export)

A record replaces a stored one only when its 'modified' time is newer, so importing the
same data again changes nothing. A malformed record is reported (file and reason) and
skipped; the others are still imported.

Exit codes: 0 success, 1 internal error or standard output lost, 2 bad arguments, 3 no ecosystem could be
downloaded, 6 some records were rejected or some ecosystems not downloaded.
)";

constexpr const char* debian_tracker_url = "https://security-tracker.debian.org/tracker/data/json";

constexpr const char* default_ecosystems = "AlmaLinux,Alpine,Debian,Go,Maven,npm,PyPI,Rocky Linux,Ubuntu";

std::string env_value(const std::map<std::string, std::string>& env, const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
}

po::options_description options_for(const std::string& command) {
    po::options_description options("Options");
    options.add_options()("help,h", "show this help")(
        "db", po::value<std::string>(),
        "database file (env REGSCAN_DB; default $XDG_DATA_HOME/regscan/osv.db, else "
        "~/.local/share/regscan/osv.db)");
    if (command == "status") options.add_options()("json", po::bool_switch(), "print the status as JSON");
    if (command == "import")
        options.add_options()("debian-tracker", po::value<std::string>(),
                              ("the Debian Security Tracker's JSON export (" + std::string(debian_tracker_url) +
                               "): its statuses of unfixed issues (ignored: will_not_fix, postponed: "
                               "fix_deferred, end-of-life, undetermined) replace the stored ones")
                                  .c_str());
    if (command == "update")
        options.add_options()("source", po::value<std::string>()->default_value(vulndb::default_osv_source),
                              "OSV mirror: <source>/<ecosystem>/all.zip is downloaded")(
            "ecosystems", po::value<std::vector<std::string>>()->composing(),
            (std::string("comma-separated OSV ecosystems (repeatable; default ") + default_ecosystems + ")").c_str())(
            "ca-cert", po::value<std::string>(), "PEM CA bundle to trust for the mirror's TLS certificate")(
            "insecure", po::bool_switch(), "do not verify TLS certificates")(
            "timeout", po::value<long>()->default_value(3600), "seconds one archive download may take (0: no limit)")(
            "debian-tracker", po::value<std::string>()->implicit_value(debian_tracker_url),
            ("also download the Debian Security Tracker's JSON export (default URL " + std::string(debian_tracker_url) +
             ") and import its statuses")
                .c_str());
    return options;
}

std::string help_for(const std::string& command, const po::options_description& options) {
    std::ostringstream text;
    if (command == "import")
        text << "Usage: regscan db import [options] [PATH...]\n\nImport OSV JSON files, directories of them and "
                "all.zip archives, and with --debian-tracker the Debian Security Tracker's statuses.\n\n";
    else if (command == "status")
        text << "Usage: regscan db status [options]\n\nShow ecosystems, record counts, last import, age and the "
                "data fingerprint.\n\n";
    else
        text << "Usage: regscan db update [options]\n\nDownload <source>/<ecosystem>/all.zip for each ecosystem "
                "and import it.\n\n";
    text << options;
    return text.str();
}

std::vector<std::string> split_list(const std::vector<std::string>& values) {
    std::vector<std::string> items;
    for (const auto& value : values) {
        size_t start = 0;
        while (start <= value.size()) {
            size_t comma = value.find(',', start);
            std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            while (!item.empty() && item.front() == ' ') item.erase(item.begin());
            while (!item.empty() && item.back() == ' ') item.pop_back();
            if (!item.empty()) items.push_back(item);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return items;
}

void print_report(std::ostream& out, const vulndb::ImportReport& report) {
    out << fmt::format("{:<20} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "ECOSYSTEM", "READ", "IMPORTED", "UPDATED",
                       "UNCHANGED", "REJECTED");
    auto row = [&](const std::string& name, const vulndb::ImportCounts& c) {
        out << fmt::format("{:<20} {:>9} {:>9} {:>9} {:>9} {:>9}\n", name, c.read, c.imported, c.updated, c.unchanged,
                           c.rejected);
    };
    for (const auto& [ecosystem, counts] : report.by_ecosystem) row(ecosystem, counts);
    row("total", report.total());
    if (!report.status_source.empty())
        out << fmt::format("Statuses    : {} from the {} (unfixed issues it will not fix, defers, ...)\n",
                           report.statuses, report.status_source);
}

void log_rejections(const vulndb::ImportReport& report) {
    for (const auto& rejection : report.rejections) spdlog::error("rejected {}", rejection.describe());
}

std::filesystem::path database_path(const po::variables_map& values, const std::map<std::string, std::string>& env) {
    if (values.count("db")) {
        std::string path = values["db"].as<std::string>();
        if (path.empty()) throw Fatal(ExitCode::bad_arguments, "db: --db must name a file");
        return path;
    }
    return default_db_path(env);
}

// A source that could not be read, or nothing read at all, fails an import
// as a whole: nothing is committed (the importer rolls back).
bool worth_committing(const vulndb::OsvImporter& importer) {
    const auto& pending = importer.pending();
    return (pending.total().read > 0 || !pending.status_source.empty()) && !importer.source_rejected();
}

// No empty database is left behind for a scan to call every image clean with.
void remove_if_created(const std::filesystem::path& db, bool existed) {
    if (existed) return;
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(db.string() + suffix, ignored);
}

ExitCode finish_import(const vulndb::ImportReport& report, const std::filesystem::path& db,
                       std::chrono::steady_clock::time_point started, std::ostream& out) {
    log_rejections(report);
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    out << "Database    : " << db.string() << "\n";
    print_report(out, report);
    out << fmt::format("Fingerprint : {}\nTook        : {:.1f}s\n", report.fingerprint, elapsed);
    return report.total().rejected ? ExitCode::partial_failure : ExitCode::ok;
}

ExitCode run_import(const std::vector<std::string>& paths, const std::string& tracker, const std::filesystem::path& db,
                    std::ostream& out) {
    if (paths.empty() && tracker.empty())
        throw Fatal(ExitCode::bad_arguments, "db import: no PATH given (see 'regscan db import --help')");
    auto started = std::chrono::steady_clock::now();
    const bool existed = std::filesystem::exists(db);
    std::optional<vulndb::ImportReport> report;
    {
        vulndb::OsvImporter importer(db);
        for (const auto& path : paths) vulndb::import_path(importer, path);
        if (!tracker.empty()) vulndb::import_debian_tracker(importer, tracker);
        if (worth_committing(importer))
            report = importer.commit();
        else
            log_rejections(importer.pending());
    }
    if (!report) {
        remove_if_created(db, existed);
        throw Fatal(ExitCode::partial_failure,
                    "db import: " + std::string(existed ? "nothing imported, " + db.string() + " is unchanged"
                                                        : "nothing imported, no database created") +
                        " (a source could not be read, or held no OSV record)");
    }
    return finish_import(*report, db, started, out);
}


// "3d 4h", "2h 5m", "12m", "40s" since an RFC 3339 time.
std::string age_of(const std::string& when) {
    auto then = util::parse_rfc3339(when);
    if (!then) return "?";
    long long seconds = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - *then)
                            .count();
    if (seconds < 0) seconds = 0;
    if (seconds >= 86400) return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
    if (seconds >= 3600) return fmt::format("{}h {}m", seconds / 3600, seconds % 3600 / 60);
    if (seconds >= 60) return fmt::format("{}m", seconds / 60);
    return fmt::format("{}s", seconds);
}

// Stored times carry nanoseconds for ordering; seconds are enough to read.
std::string readable_time(const std::string& stored) {
    if (stored.size() >= 20 && stored[19] == '.') return stored.substr(0, 19) + "Z";
    return stored;
}

ExitCode run_status(const std::filesystem::path& db, bool as_json, std::ostream& out) {
    vulndb::VulnDatabase database(db);
    auto status = database.status();
    if (as_json) {
        nlohmann::json ecosystems = nlohmann::json::array();
        for (const auto& e : status.ecosystems)
            ecosystems.push_back({{"ecosystem", e.ecosystem},
                                  {"records", e.records},
                                  {"newest_modified", readable_time(e.newest_modified)},
                                  {"last_import", e.last_import}});
        nlohmann::json document = {{"path", status.path.string()},   {"fingerprint", status.fingerprint},
                                   {"last_import", status.last_import}, {"records", status.records},
                                   {"withdrawn", status.withdrawn},   {"ecosystems", ecosystems},
                                   {"statuses", {{"count", status.statuses},
                                                 {"source", status.status_source},
                                                 {"last_import", status.status_import}}}};
        out << document.dump(2) << "\n";
        return ExitCode::ok;
    }
    out << "Database    : " << status.path.string() << "\n";
    out << fmt::format("Records     : {} ({} withdrawn)\n", status.records, status.withdrawn);
    out << "Last import : "
        << (status.last_import.empty() ? std::string("never") : status.last_import + " (" + age_of(status.last_import) + " ago)")
        << "\n";
    out << "Statuses    : "
        << (status.status_source.empty()
                ? std::string("none (regscan db import --debian-tracker FILE adds Debian's)")
                : fmt::format("{} from the {}, imported {} ({} ago)", status.statuses, status.status_source,
                              status.status_import, age_of(status.status_import)))
        << "\n";
    out << "Fingerprint : " << status.fingerprint << "\n\n";
    out << fmt::format("{:<28} {:>9}  {:<21} {}\n", "ECOSYSTEM", "RECORDS", "NEWEST RECORD", "LAST IMPORT");
    for (const auto& e : status.ecosystems)
        out << fmt::format("{:<28} {:>9}  {:<21} {}\n", e.ecosystem, e.records, readable_time(e.newest_modified),
                           e.last_import.empty() ? "-" : e.last_import + " (" + age_of(e.last_import) + " ago)");
    return ExitCode::ok;
}

// Downloads `url` to `file` and imports it with `import` in one transaction; the file is removed whatever happens. Empty, with the
// reason logged, when the download or the import failed.
std::optional<vulndb::ImportReport> download_and_import(
    http::HttpClient& client, const std::string& url, const std::filesystem::path& file,
    const std::filesystem::path& db, uint64_t max_bytes,
    void (*import)(vulndb::OsvImporter&, const std::filesystem::path&)) {
    spdlog::info("Downloading {}", url);
    auto download = vulndb::download_to_file(client, url, file, max_bytes);
    if (!download.ok) {
        spdlog::error("{}: {}", url, download.error);
        return std::nullopt;
    }
    spdlog::info("Downloaded {} ({} bytes)", url, download.bytes);
    struct RemoveFile {
        const std::filesystem::path& path;
        ~RemoveFile() {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
        }
    } remove_file{file};
    vulndb::OsvImporter importer(db);
    import(importer, file);
    if (!worth_committing(importer)) {
        log_rejections(importer.pending());
        return std::nullopt;
    }
    return importer.commit();
}

ExitCode run_update(const po::variables_map& values, const std::filesystem::path& db, std::ostream& out) {
    std::string source = values["source"].as<std::string>();
    if (source.rfind("http://", 0) != 0 && source.rfind("https://", 0) != 0)
        throw Fatal(ExitCode::bad_arguments, "db update: --source must be an http:// or https:// URL: " + source);
    auto ecosystems = split_list(values.count("ecosystems") ? values["ecosystems"].as<std::vector<std::string>>()
                                                            : std::vector<std::string>{default_ecosystems});
    if (ecosystems.empty()) throw Fatal(ExitCode::bad_arguments, "db update: --ecosystems names no ecosystem");
    long timeout = values["timeout"].as<long>();
    if (timeout < 0) throw Fatal(ExitCode::bad_arguments, "db update: --timeout must not be negative");
    const bool with_tracker = values.count("debian-tracker") > 0;
    std::string tracker_url = with_tracker ? values["debian-tracker"].as<std::string>() : "";
    if (with_tracker && tracker_url.rfind("http://", 0) != 0 && tracker_url.rfind("https://", 0) != 0)
        throw Fatal(ExitCode::bad_arguments, "db update: --debian-tracker must be an http:// or https:// URL");

    http::ClientOptions options;
    options.verify_tls = !values["insecure"].as<bool>();
    if (values.count("ca-cert")) options.ca_cert = values["ca-cert"].as<std::string>();
    options.request_timeout = std::chrono::seconds(timeout);
    http::HttpClient client(options);

    // Downloads land beside the database: same file system, and a zip needs
    // random access, so it cannot be imported while it streams.
    std::filesystem::path directory = db.has_parent_path() ? db.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(directory);
    std::mt19937_64 random{std::random_device{}()};

    const bool existed = std::filesystem::exists(db);
    vulndb::ImportReport all;
    size_t failed = 0;
    for (const auto& ecosystem : ecosystems) {
        auto report = download_and_import(client, vulndb::ecosystem_zip_url(source, ecosystem),
                                          directory / fmt::format(".osv-download-{:016x}.zip", random()), db,
                                          vulndb::max_download_size, vulndb::import_path);
        if (!report) {
            ++failed;
            continue;
        }
        for (const auto& [name, counts] : report->by_ecosystem) all.by_ecosystem[name] += counts;
        all.rejections.insert(all.rejections.end(), report->rejections.begin(), report->rejections.end());
        all.fingerprint = report->fingerprint;
    }
    if (with_tracker) {
        auto report = download_and_import(client, tracker_url,
                                          directory / fmt::format(".tracker-download-{:016x}.json", random()), db,
                                          vulndb::max_tracker_size, vulndb::import_debian_tracker);
        if (!report) {
            ++failed;
        } else {
            all.statuses = report->statuses;
            all.status_source = report->status_source;
            all.fingerprint = report->fingerprint;
        }
    }
    if (all.fingerprint.empty()) remove_if_created(db, existed);
    log_rejections(all);
    out << "Database    : " << db.string() << "\n";
    out << "Source      : " << source << "\n";
    print_report(out, all);
    if (!all.fingerprint.empty()) out << "Fingerprint : " << all.fingerprint << "\n";
    if (failed == ecosystems.size() + (with_tracker ? 1 : 0)) return ExitCode::unreachable;
    if (failed || all.total().rejected) return ExitCode::partial_failure;
    return ExitCode::ok;
}

}  // namespace

std::filesystem::path default_db_path(const std::map<std::string, std::string>& env) {
    if (std::string explicit_path = env_value(env, "REGSCAN_DB"); !explicit_path.empty()) return explicit_path;
    std::filesystem::path data_home = env_value(env, "XDG_DATA_HOME");
    // The XDG spec ignores a relative XDG_DATA_HOME.
    if (data_home.empty() || data_home.is_relative()) {
        std::string home = env_value(env, "HOME");
        data_home = home.empty() ? std::filesystem::path(".local/share") : std::filesystem::path(home) / ".local" / "share";
    }
    return data_home / "regscan" / "osv.db";
}

ExitCode run_db_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env) {
    return run_db_command(arguments, env, std::cout);
}

ExitCode run_db_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env,
                        std::ostream& out) {
    if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" || arguments[0] == "help") {
        out << usage;
        return arguments.empty() ? ExitCode::bad_arguments : ExitCode::ok;
    }
    const std::string& command = arguments[0];
    if (command != "import" && command != "status" && command != "update")
        throw Fatal(ExitCode::bad_arguments, "db: unknown command '" + command + "' (import, status or update)");

    auto options = options_for(command);
    po::options_description hidden;
    hidden.add_options()("path", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    if (command == "import") positional.add("path", -1);
    po::variables_map values;
    try {
        std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
        po::store(po::command_line_parser(rest).options(all).positional(positional).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        throw Fatal(ExitCode::bad_arguments, "db " + command + ": " + e.what());
    }
    if (values.count("help")) {
        out << help_for(command, options);
        return ExitCode::ok;
    }
    auto db = database_path(values, env);
    try {
        if (command == "import")
            return run_import(values.count("path") ? values["path"].as<std::vector<std::string>>()
                                                   : std::vector<std::string>{},
                              values.count("debian-tracker") ? values["debian-tracker"].as<std::string>() : "", db, out);
        if (command == "status") return run_status(db, values["json"].as<bool>(), out);
        return run_update(values, db, out);
    } catch (const vulndb::DbError& e) {
        throw Fatal(ExitCode::internal_error, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        throw Fatal(ExitCode::internal_error, e.what());
    }
}

}  // namespace regscan::app
