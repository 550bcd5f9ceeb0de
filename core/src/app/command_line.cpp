#include "app/command_line.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include "app/completion.hpp"
#include "app/man_page.hpp"
#include "app/exit_codes.hpp"
#include "app/data_paths.hpp"
#include "app/plugin_options.hpp"
#include "app/suggestion.hpp"
#include "app/worker_command.hpp"
#include "app/db_command.hpp"
#include "auth/docker_config.hpp"
#include "engine/image_run.hpp"
#include "filter/pattern_filter.hpp"
#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "state/open_database.hpp"
#include "state/postgres_db.hpp"
#include "oci/manifest.hpp"
#include "report/table_report.hpp"
#include "triage/fail_on.hpp"
#include "triage/policy.hpp"

#include <unistd.h>

extern char** environ;

namespace regscan::app {
namespace po = boost::program_options;
namespace {

const std::vector<std::string> known_formats = {"table", "json", "sarif", "cyclonedx", "spdx", "csv"};

constexpr const char* usage = R"(Usage: regscan <command> [options]

Scan whole container registries for vulnerable images.

Commands:
  registry <url>   discover every repository and tag of a registry and scan (or, with
                   --mode=dry-run, list) its images
  image <ref>      scan one image, e.g. reg.example:5000/team/app:1.0 or
                   http://127.0.0.1:5000/team/app@sha256:...
  db               import, update and inspect the offline OSV vulnerability database
  malware status   the malware signature sets --malware would use: files, versions,
                   dates, signature and rule counts, and whether they are too old
  state prune      remove from the state what no run has seen or written for a while
                   (--older-than 90d; see 'regscan state --help')
  plugins          list the plugins found (name, version, SDK version, registry types,
                   path) and the files refused, with the reason
  serve            run as a service: connectors, scheduled imports, JSON API and dashboard on
                   http://127.0.0.1:8686/ (see 'regscan serve --help', docs/serve.md)
  connector        add|list|import|remove the connectors of a running 'regscan serve'
  worker           a member of a scanning fleet: scans the images 'registry --enqueue' (or
                   --wait) queued in a shared --state (see 'regscan worker --help')
  version          show the version
  completion SHELL a completion script for bash, zsh or fish, from the options --help
                   lists (e.g. source <(regscan completion bash))
  man              the manual page (roff), from the same options (regscan man | man -l -)

Options:
  -h [ --help ]    show this help, or a command's with 'regscan <command> --help'
  --version        show the version

Exit codes: 0 success, 1 internal error or standard output lost, 2 bad arguments, 3 registry unreachable,
4 authentication failed, 5 no plugin for the registry, 6 some repositories or images failed,
7 findings at or above --fail-on, 130/143 stopped by SIGINT/SIGTERM ('registry' reports what
finished and leaves the images in flight for the next run; a second signal quits at once).
)";

po::options_description common_options() {
    po::options_description options("Common options");
    options.add_options()
        ("help,h", "show this help")
        ("plugin-dir", po::value<std::vector<std::string>>()->composing(),
         "extra plugin directory, searched before REGSCAN_PLUGIN_PATH and the install directory (repeatable)")
        ("log-level", po::value<std::string>()->default_value("info"),
         "trace, debug, info, warning, error or off")
        ("quiet,q", po::bool_switch(),
         "no progress line and only errors in the log (unless --log-level says otherwise); reports and the "
         "summary are still written");
    return options;
}

po::options_description registry_options() {
    po::options_description options("Registry options");
    options.add_options()
        ("type", po::value<std::string>(), "force the registry type (DEFAULT_V2, ECR, ACR, DOCKERHUB, ...)")
        ("username", po::value<std::string>(), "registry user (env REGSCAN_REGISTRY_USERNAME)")
        ("password", po::value<std::string>(), "registry password or token (env REGSCAN_REGISTRY_PASSWORD)")
        ("password-stdin", po::bool_switch(), "read the password from the first line of standard input")
        ("mode", po::value<std::string>()->default_value("scan"), "scan, or dry-run to list images only")
        ("allowList", po::value<std::vector<std::string>>()->composing(),
         "keep only images whose repository:tag matches one of these comma-separated patterns (repeatable)")
        ("denyList", po::value<std::vector<std::string>>()->composing(),
         "skip images matching one of these comma-separated patterns; deny wins (repeatable)")
        ("max-images", po::value<size_t>()->default_value(0), "scan at most N images (0: no limit)")
        ("platform", po::value<std::string>()->default_value("linux/amd64"),
         "platform picked from multi-platform indexes: os/arch[/variant], or all")
        ("ca-cert", po::value<std::string>(), "PEM CA bundle to trust for the registry's TLS certificate")
        ("insecure", po::bool_switch(), "do not verify TLS certificates")
        ("concurrency", po::value<size_t>()->default_value(8), "requests in flight at once")
        ("output-dir", po::value<std::string>()->default_value("."), "directory for reports")
        ("config", po::value<std::string>(),
         "config file of name = value lines (default ./config, else ~/.config/regscan/config)")
        ("request-timeout", po::value<long>()->default_value(600), "seconds one HTTP request may take")
        ("retries", po::value<int>()->default_value(4), "retries of a request answered 429/5xx or cut off")
        ("max-retry-wait", po::value<long>()->default_value(120),
         "longest wait in seconds before a retry, whatever Retry-After asks (a longer ask is logged)")
        ("resolve", po::value<std::vector<std::string>>()->composing(),
         "HOST:PORT:ADDRESS: connect to ADDRESS for HOST:PORT, TLS still checking HOST, as curl --resolve "
         "(repeatable)")
        ("option", po::value<std::vector<std::string>>()->composing(),
         "plugin option NAME=VALUE passed to the registry plugin (repeatable)")
        ("max-tags-per-repo", po::value<size_t>()->default_value(0),
         "per repository, keep only the N most recently pushed tags (where the registry tells push times)")
        ("max-tag-age", po::value<int>()->default_value(0),
         "skip tags pushed more than DAYS days ago (where the registry tells push times)");
    return options;
}

// Bounds on what a registry may send (limits/limits.hpp, docs/limits.md).
po::options_description limit_options() {
    const limits::Limits defaults;
    auto mib = [](size_t bytes) { return std::to_string(bytes / limits::MiB) + "M"; };
    auto duration = [](std::chrono::seconds s) {
        return s.count() % 3600 == 0 ? std::to_string(s.count() / 3600) + "h"
               : s.count() % 60 == 0 ? std::to_string(s.count() / 60) + "m"
                                     : std::to_string(s.count()) + "s";
    };
    po::options_description options("Limits (a hostile registry fails one image or repository, never the run)");
    options.add_options()
        ("max-manifest-size", po::value<std::string>()->default_value(mib(defaults.max_manifest_size)),
         "largest manifest or index accepted (bytes, or with K, M, G)")
        ("max-config-size", po::value<std::string>()->default_value(mib(defaults.max_config_size)),
         "largest image config accepted")
        ("max-listing-size", po::value<std::string>()->default_value(mib(defaults.max_listing_size)),
         "most bytes of one listing, all pages together (the catalog, or one repository's tags)")
        ("max-layers", po::value<size_t>()->default_value(defaults.max_layers), "most layers in one image manifest")
        ("max-index-entries", po::value<size_t>()->default_value(defaults.max_index_entries),
         "most entries in one index")
        ("max-repositories", po::value<size_t>()->default_value(defaults.max_repositories),
         "most repositories kept from the listing (the first N)")
        ("max-listed-tags", po::value<size_t>()->default_value(defaults.max_listed_tags),
         "most tags kept from one repository's listing (the first N)")
        ("max-listing-pages", po::value<size_t>()->default_value(defaults.max_listing_pages),
         "most requests of one listing")
        ("listing-timeout", po::value<std::string>()->default_value(duration(defaults.listing_timeout)),
         "longest time one listing may take (the catalog, or one repository's tags)")
        ("discovery-timeout", po::value<std::string>()->default_value(duration(defaults.discovery_timeout)),
         "longest time the whole discovery may take")
        ("malware-max-file-size", po::value<std::string>()->default_value(mib(defaults.malware_max_file_size)),
         "--malware: a larger file is not examined and makes the image 'incomplete'")
        ("malware-max-scan-size", po::value<std::string>()->default_value(mib(defaults.malware_max_scan_size)),
         "--malware: most bytes examined of one file, archive members included (past it: incomplete)")
        ("malware-max-recursion", po::value<size_t>()->default_value(defaults.malware_max_recursion),
         "--malware: deepest archive nesting examined (past it: incomplete)")
        ("malware-max-files", po::value<size_t>()->default_value(defaults.malware_max_files),
         "--malware: most members examined in one archive (past it: incomplete)")
        ("malware-file-timeout", po::value<std::string>()->default_value(duration(defaults.malware_file_timeout)),
         "--malware: longest time examining one file, per engine (past it: incomplete)");
    return options;
}

po::options_description malware_options() {
    po::options_description options("Malware options");
    options.add_options()
        ("malware", po::bool_switch(),
         "examine every file of every layer with ClamAV (and YARA rules, if given); verdicts are cached per "
         "layer and signature version")
        ("clamav-db", po::value<std::string>(),
         "directory of ClamAV signature files (.cvd, .cld, .hdb, .ndb, ...; default /var/lib/clamav, kept "
         "current by freshclam)")
        ("yara-rules", po::value<std::string>(), "a YARA rule file, or a directory of .yar/.yara files")
        ("max-signature-age", po::value<std::string>()->default_value("7d"),
         "warn when the newest file of a signature set is older than this (e.g. 36h, 7d)");
    return options;
}

po::options_description scan_options() {
    po::options_description options("Scan options");
    options.add_options()
        ("format", po::value<std::vector<std::string>>()->composing(),
         "reports to write, comma-separated: table, json, sarif, cyclonedx, spdx (SPDX 2.3 JSON), csv (default "
         "table,json,csv)")
        ("sarif-per-image", po::bool_switch(),
         "with --format sarif: one SARIF file per image, each its own code-scanning category, instead of one")
        ("sbom-per-image", po::bool_switch(),
         "with --format cyclonedx or spdx: one SBOM per image instead of one for the registry")
        ("table-mode", po::value<std::string>(),
         "with --format table: detailed (default: one line per image, then the tables) or summary (only the one "
         "line per image)")
        ("color", po::value<std::string>(),
         "colour the severity words of the table: auto (default: when standard output is a terminal and NO_COLOR "
         "is unset or empty), always or never")
        ("fail-on", po::value<std::string>(),
         "exit with code 7 when a counted finding is at or above this severity (low, medium, high, critical; "
         "vulnerabilities, misconfigurations and any malware), or only in the categories given: "
         "vulnerabilities[:SEVERITY],misconfigurations[:SEVERITY],malware")
        ("severity", po::value<std::vector<std::string>>()->composing(),
         "count only findings of these severities, comma-separated (critical, high, medium, low, unknown); the "
         "others are suppressed")
        ("ignore-unfixed", po::bool_switch(), "suppress vulnerabilities with no fixed version")
        ("ignore-status", po::value<std::vector<std::string>>()->composing(),
         "suppress vulnerabilities of these statuses, comma-separated (fixed, affected, will_not_fix, fix_deferred, "
         "end_of_life, under_investigation)")
        ("ignore-file", po::value<std::string>(),
         "ignore file: one 'ID [exp:YYYY-MM-DD] [pkg:NAME] [path:PATTERN] [image:PATTERN] [# reason]' per line; "
         "ID: a vulnerability, misconfiguration, malware signature or matched file's sha256 (default "
         "./.regscanignore when it exists; see docs/triage.md)")
        ("no-ignore-file", po::bool_switch(), "read no ignore file, not even ./.regscanignore")
        ("vex", po::value<std::vector<std::string>>()->composing(),
         "OpenVEX or CycloneDX VEX JSON file (repeatable): a not_affected statement suppresses the vulnerability "
         "in the products it names")
        ("max-db-age", po::value<std::string>()->default_value("7d"),
         "warn when the vulnerability database was last imported longer ago than this (e.g. 36h, 7d)")
        ("strict", po::bool_switch(),
         "warnings about the data are errors (exit 2): a vulnerability database older than --max-db-age, and with "
         "--malware a signature set that is missing, empty, older than --max-signature-age or does not load")
        ("image-timeout", po::value<std::string>()->default_value("60m"),
         "give up on one image after this long (e.g. 90s, 30m, 2h); it is reported as scan_failed")
        ("db", po::value<std::string>(), "OSV database file (env REGSCAN_DB; default <data dir>/osv.db)")
        ("state", po::value<std::string>(),
         "the state: a SQLite file (default <data dir>/state.db) or a PostgreSQL URL "
         "postgresql://user[:password]@host[:port]/database (its password is never printed; rather give it in "
         "the config file, PGPASSWORD or ~/.pgpass)")
        ("state-reconnect-timeout", po::value<std::string>()->default_value("60s"),
         "with a PostgreSQL state: how long to keep reconnecting when the connection is lost (a restart, a "
         "failover) before the statement fails (e.g. 30s, 5m)")
        ("project", po::value<std::string>(),
         "project whose images and results the state keeps apart (env REGSCAN_PROJECT_ID or TCS_PROJECT_ID)")
        ("no-progress", po::bool_switch(), "no live progress line, even on a terminal");
    return options;
}

std::chrono::seconds parse_duration(const std::string& flag, const std::string& text) {
    try {
        return limits::parse_duration(text);
    } catch (const std::invalid_argument& e) {
        throw Fatal(ExitCode::bad_arguments, "--" + flag + ": " + e.what());
    }
}

size_t parse_size(const std::string& flag, const std::string& text) {
    try {
        return limits::parse_size(text);
    } catch (const std::invalid_argument& e) {
        throw Fatal(ExitCode::bad_arguments, "--" + flag + ": " + e.what());
    }
}

size_t positive(const std::string& flag, size_t value) {
    if (value == 0) throw Fatal(ExitCode::bad_arguments, "--" + flag + " must be positive");
    return value;
}

std::string percent_decode(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Userinfo in a URL ("https://alice:secret@host") is taken as credentials
// and removed from the URL, which is logged. The password is registered as
// a secret before anything can print it.
std::string take_url_credentials(const std::string& url, auth::Credentials& from_url) {
    auto scheme_end = url.find("://");
    size_t authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    size_t authority_end = url.find_first_of("/?#", authority_start);
    auto authority = url.substr(authority_start, authority_end == std::string::npos ? std::string::npos
                                                                                     : authority_end - authority_start);
    auto at = authority.rfind('@');
    if (at == std::string::npos) return url;
    auto userinfo = authority.substr(0, at);
    auto colon = userinfo.find(':');
    from_url.username = percent_decode(userinfo.substr(0, colon));
    from_url.password = colon == std::string::npos ? "" : percent_decode(userinfo.substr(colon + 1));
    log::add_secret(from_url.password);
    log::add_secret(userinfo);
    return url.substr(0, authority_start) + authority.substr(at + 1) +
           (authority_end == std::string::npos ? "" : url.substr(authority_end));
}

// `regscan image` writes no file unless asked: its one report goes to -o.
po::options_description image_output_options() {
    po::options_description options("Image output");
    options.add_options()
        ("output,o", po::value<std::string>(),
         "write the report (one --format, default table) to FILE, or '-' for standard output (the summary then "
         "goes to standard error); with one format and neither -o nor --output-dir, '-o -' is meant and no file "
         "is written; several formats or --output-dir write every report into the directory, as registry does");
    return options;
}

// What `regscan image --help` leaves out: options about discovering and
// filtering a registry's repositories and tags, which one image has not
// (they are still accepted, e.g. from a config file shared with `registry`).
const std::set<std::string> registry_only_options = {
    "mode",           "allowList",      "denyList",         "max-images",        "max-tags-per-repo",
    "max-tag-age",    "option",         "max-listing-size", "max-repositories",  "max-listed-tags",
    "max-listing-pages", "listing-timeout", "discovery-timeout"};

// `group` without the options `image` has no use for.
po::options_description for_image(const std::string& caption, const po::options_description& group) {
    po::options_description kept(caption);
    for (const auto& option : group.options())
        if (!registry_only_options.contains(option->long_name())) kept.add(option);
    return kept;
}

// The options `regscan image --help` lists: no registry-only and no plugin
// options (those are in `regscan registry --help`).
po::options_description image_help_options() {
    po::options_description options = common_options();
    options.add(for_image("Registry options", registry_options()));
    options.add(scan_options());
    options.add(malware_options());
    options.add(for_image("Limits (a hostile registry fails one image or repository, never the run)", limit_options()));
    options.add(image_output_options());
    return options;
}

std::string help_for(const std::string& command, const po::options_description& options) {
    std::ostringstream out;
    if (command == "image")
        out << "Usage: regscan image <reference> [options]\n\n"
               "Scan one image with the same engine and reports as 'regscan registry'. <reference> is\n"
               "[scheme://]host[:port]/repository[:tag|@digest] (https unless http:// is given); without a\n"
               "registry, as docker reads it: alpine:3.19 is docker.io/library/alpine:3.19. One report (default\n"
               "table) goes to standard output, or to -o FILE; no file is written unless asked (-o, several\n"
               "--format, or --output-dir).\n\n"
               "Without a registry or network: oci:DIR[:REF] (an OCI image layout), docker-archive:FILE[:REF|:@N]\n"
               "(docker save output; REF or @N picks one image of several) and sbom:FILE (a CycloneDX or SPDX 2.3\n"
               "JSON SBOM, its packages matched against the database).\n\n";
    else if (command == "registry")
        out << "Usage: regscan registry <url> [options]\n\n"
               "Discover every repository and tag of the registry at <url>, filter them, and scan each\n"
               "image (or, with --mode=dry-run, write the inventory <host>-report.csv).\n\n";
    else
        out << "Usage: regscan plugins [options]\n\nList the plugins found and the files refused.\n\n";
    if (command == "image")
        out << image_help_options()
            << "\nRegistry plugins' options (--acr-auth, --ecr-role-arn, ...) apply too: see 'regscan registry --help'.\n";
    else
        out << options << "\nPatterns match the whole repository:tag; '*' matches any run of characters, '/'\n"
                          "included; 'foo' means 'foo:*'.\n";
    out << "Credentials: --username/--password, --password-stdin, env REGSCAN_REGISTRY_USERNAME/\n"
           "REGSCAN_REGISTRY_PASSWORD (or TCS_REGISTRY_USERNAME/TCS_REGISTRY_PASSWORD), docker's config.json\n"
           "($DOCKER_CONFIG or ~/.docker: credHelpers, credsStore, auths), config file.\n"
           "Plugins: --plugin-dir, then REGSCAN_PLUGIN_PATH (colon-separated), then the install directory.\n";
    return out.str();
}

std::string env_or(const std::map<std::string, std::string>& env, std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (auto it = env.find(name); it != env.end() && !it->second.empty()) return it->second;
    return {};
}

// The value of `name`: command line first, then the config file.
template <class T>
T pick(const po::variables_map& cli, const po::variables_map& file, const std::string& name) {
    if (cli.count(name) && !cli[name].defaulted()) return cli[name].as<T>();
    if (file.count(name) && !file[name].defaulted()) return file[name].as<T>();
    return cli[name].as<T>();
}

std::vector<std::string> pick_list(const po::variables_map& cli, const po::variables_map& file,
                                   const std::string& name) {
    std::vector<std::string> values;
    for (const auto* map : {&cli, &file})
        if (map->count(name)) {
            const auto& more = (*map)[name].as<std::vector<std::string>>();
            values.insert(values.end(), more.begin(), more.end());
            break;  // the command line replaces the file's list
        }
    return values;
}

std::string pick_string(const po::variables_map& cli, const po::variables_map& file, const std::string& name) {
    if (cli.count(name)) return cli[name].as<std::string>();
    if (file.count(name)) return file[name].as<std::string>();
    return {};
}

bool pick_flag(const po::variables_map& cli, const po::variables_map& file, const std::string& name) {
    return (cli.count(name) && cli[name].as<bool>()) || (file.count(name) && file[name].as<bool>());
}

// One group per plugin that declares options; an option two plugins share
// (or one the core has) is added once.
void add_plugin_options(po::options_description& into, const plugin::PluginSet& plugins) {
    for (const auto& p : plugins.plugins) {
        po::options_description group("Options of the " + p->id() + " plugin");
        bool any = false;
        for (const auto& option : p->options()) {
            if (into.find_nothrow(option.name, false)) continue;
            std::string help = option.help + (option.env.empty() ? "" : " (env " + option.env + ")");
            group.add_options()(option.name.c_str(), po::value<std::vector<std::string>>()->composing(), help.c_str());
            any = true;
        }
        if (any) into.add(group);
    }
}

// Values of plugin options: command line, then config file, then the
// environment variable the plugin named. Repeated values are comma-joined.
void collect_plugin_options(engine::RunOptions& run, const po::variables_map& cli, const po::variables_map& file,
                            const std::map<std::string, std::string>& env, const plugin::PluginSet& plugins) {
    for (const auto& p : plugins.plugins)
        for (const auto& option : p->options()) {
            std::string joined;
            for (const auto& value : pick_list(cli, file, option.name)) joined += (joined.empty() ? "" : ",") + value;
            if (!joined.empty()) run.given_plugin_options.insert(option.name);
            if (joined.empty() && !option.env.empty()) joined = env_or(env, {option.env.c_str()});
            if (!joined.empty()) run.plugin_options[option.name] = joined;
        }
    // (SDK 1.3) A secret option's value, given here or as --option NAME=VALUE,
    // is redacted from every log line from now on.
    for (const auto& name : plugins.secret_option_names())
        if (auto it = run.plugin_options.find(name); it != run.plugin_options.end()) log::add_secret(it->second);
}

limits::Limits build_limits(const po::variables_map& cli, const po::variables_map& file) {
    limits::Limits l;
    auto size = [&](const char* flag) { return parse_size(flag, pick<std::string>(cli, file, flag)); };
    auto count = [&](const char* flag) { return positive(flag, pick<size_t>(cli, file, flag)); };
    auto duration = [&](const char* flag) { return parse_duration(flag, pick<std::string>(cli, file, flag)); };
    l.max_manifest_size = size("max-manifest-size");
    l.max_config_size = size("max-config-size");
    l.max_listing_size = size("max-listing-size");
    l.max_layers = count("max-layers");
    l.max_index_entries = count("max-index-entries");
    l.max_repositories = count("max-repositories");
    l.max_listed_tags = count("max-listed-tags");
    l.max_listing_pages = count("max-listing-pages");
    l.listing_timeout = duration("listing-timeout");
    l.discovery_timeout = duration("discovery-timeout");
    auto count32 = [&](const char* flag) {
        size_t value = count(flag);
        if (value > UINT32_MAX) throw Fatal(ExitCode::bad_arguments, std::string("--") + flag + " is too large");
        return static_cast<uint32_t>(value);
    };
    l.malware_max_file_size = size("malware-max-file-size");
    l.malware_max_scan_size = size("malware-max-scan-size");
    l.malware_max_recursion = count32("malware-max-recursion");
    l.malware_max_files = count32("malware-max-files");
    l.malware_file_timeout = duration("malware-file-timeout");
    if (l.malware_file_timeout.count() > INT32_MAX / 1000)
        throw Fatal(ExitCode::bad_arguments, "--malware-file-timeout is too long");
    return l;
}

void add_scan_settings(engine::RunOptions& run, const po::variables_map& cli, const po::variables_map& file,
                       const std::map<std::string, std::string>& env) {
    auto formats = filter::split_patterns(pick_list(cli, file, "format"));
    if (!formats.empty()) run.formats = formats;
    try {
        auto no_color = env.find("NO_COLOR");
        report::set_table_style(report::resolve_table_style(pick_string(cli, file, "table-mode"),
                                                            pick_string(cli, file, "color"), isatty(STDOUT_FILENO),
                                                            no_color == env.end() ? "" : no_color->second));
    } catch (const std::invalid_argument& e) {
        throw Fatal(ExitCode::bad_arguments, e.what());
    }
    for (const auto& format : run.formats)
        if (std::find(known_formats.begin(), known_formats.end(), format) == known_formats.end())
            throw Fatal(ExitCode::bad_arguments, "--format: unknown format '" + format +
                                                     "'; known: table, json, sarif, cyclonedx, spdx, csv");
    // The report registry's one-file-per-image forms (report/reporter_registry.cpp).
    for (auto& format : run.formats) {
        if (format == "sarif" && pick_flag(cli, file, "sarif-per-image")) format = "sarif-per-image";
        if ((format == "cyclonedx" || format == "spdx") && pick_flag(cli, file, "sbom-per-image")) format += "-per-image";
    }
    run.fail_on = pick_string(cli, file, "fail-on");
    try {
        if (!run.fail_on.empty()) triage::parse_fail_on(run.fail_on);
        if (pick_flag(cli, file, "no-ignore-file") && !pick_string(cli, file, "ignore-file").empty())
            throw Fatal(ExitCode::bad_arguments, "--no-ignore-file and --ignore-file: give one of them");
        triage::PolicyOptions asked{pick_list(cli, file, "severity"), pick_flag(cli, file, "ignore-unfixed"),
                                    pick_string(cli, file, "ignore-file"), pick_list(cli, file, "vex"),
                                    pick_list(cli, file, "ignore-status"), pick_flag(cli, file, "no-ignore-file")};
        run.triage_options = std::make_shared<const triage::PolicyOptions>(std::move(asked));
        run.triage = triage::load_policy(*run.triage_options);
    } catch (const triage::InputError& e) {
        throw Fatal(ExitCode::bad_arguments, e.what());
    }
    run.image_timeout = parse_duration("image-timeout", pick<std::string>(cli, file, "image-timeout"));
    run.db_path = pick_string(cli, file, "db");
    if (run.db_path.empty()) run.db_path = default_db_path(env).string();
    run.state_path = pick_string(cli, file, "state");
    state::register_database_url_secrets(run.state_path);  // before anything can print it
    if (run.state_path.empty()) run.state_path = default_state_path(env).string();
    state::PostgresOptions postgres;
    postgres.reconnect_deadline = parse_duration("state-reconnect-timeout",
                                                 pick<std::string>(cli, file, "state-reconnect-timeout"));
    state::set_default_postgres_options(postgres);
    run.project = pick_string(cli, file, "project");
    if (run.project.empty()) run.project = env_or(env, {"REGSCAN_PROJECT_ID", "TCS_PROJECT_ID"});
    if (run.project.empty()) run.project = "default";
    run.max_tags_per_repo = pick<size_t>(cli, file, "max-tags-per-repo");
    run.max_tag_age_days = pick<int>(cli, file, "max-tag-age");
    if (run.max_tag_age_days < 0) throw Fatal(ExitCode::bad_arguments, "--max-tag-age must not be negative");
    run.progress = !pick_flag(cli, file, "no-progress") && isatty(STDERR_FILENO);
    run.malware.enabled = pick_flag(cli, file, "malware");
    run.malware.clamav_db = pick_string(cli, file, "clamav-db");
    run.malware.yara_rules = pick_string(cli, file, "yara-rules");
    run.strict = pick_flag(cli, file, "strict");
    run.malware.strict = run.strict;
    run.max_db_age = parse_duration("max-db-age", pick<std::string>(cli, file, "max-db-age"));
    run.malware.max_signature_age = std::chrono::duration_cast<std::chrono::hours>(
        parse_duration("max-signature-age", pick<std::string>(cli, file, "max-signature-age")));
}

// `credentials_url`: the registry whose docker credentials are looked up ("":
// the URL given).
// -o for `regscan image`: one report (one --format, default table) goes to
// -o FILE, or to standard output when neither -o nor --output-dir is given,
// and no file is written; several formats, or --output-dir, write every
// report into the directory as `registry` does.
void choose_image_output(Command& command, const po::variables_map& cli, const po::variables_map& file) {
    auto given = [&](const char* name) {
        return (cli.count(name) && !cli[name].defaulted()) || (file.count(name) && !file[name].defaulted());
    };
    command.platform_given = given("platform");
    command.image_output = pick_string(cli, file, "output");
    const auto formats = filter::split_patterns(pick_list(cli, file, "format"));
    if (command.image_output.empty() && (given("output-dir") || formats.size() > 1)) return;
    if (command.image_output.empty()) command.image_output = "-";
    if (formats.empty()) command.run.formats = {"table"};
    if (command.run.formats.size() != 1)
        throw Fatal(ExitCode::bad_arguments, "image: -o takes one --format (or give --output-dir DIR for several)");
    if (command.run.formats.front() == "csv")
        throw Fatal(ExitCode::bad_arguments,
                    "image: --format csv writes two files (vulnerabilities and misconfigurations): give --output-dir DIR");
}

engine::RunOptions build_run(const po::variables_map& cli, const po::variables_map& file, std::istream& in,
                             const std::map<std::string, std::string>& env, const std::string& credentials_url) {
    engine::RunOptions run;
    run.url = pick_string(cli, file, "url");
    if (run.url.empty()) throw Fatal(ExitCode::bad_arguments, "registry: missing <url>");
    auth::Credentials from_url;
    run.url = take_url_credentials(run.url, from_url);
    if (run.url.find("://") == std::string::npos) run.url = "https://" + run.url;
    // Refused at once: any other scheme would only fail later, after retries.
    if (auto scheme = run.url.substr(0, run.url.find("://")); scheme != "https" && scheme != "http")
        throw Fatal(ExitCode::bad_arguments, "unsupported URL scheme '" + scheme +
                                                 "': a registry is reached over https:// (or http://)");
    while (run.url.size() > 8 && run.url.back() == '/') run.url.pop_back();
    run.type = pick_string(cli, file, "type");

    std::string mode = pick<std::string>(cli, file, "mode");
    if (mode == "scan") run.mode = engine::Mode::scan;
    else if (mode == "dry-run" || mode == "dryrun") run.mode = engine::Mode::dry_run;
    else throw Fatal(ExitCode::bad_arguments, "--mode must be scan or dry-run, not '" + mode + "'");

    // Credentials: command line, then environment, then docker's config (a
    // credential helper, else its auths entry; only when neither gave any
    // part), then the config file; where each part came from is kept to name
    // it when a registry refuses them.
    std::vector<std::string> sources;
    auto note = [&](const std::string& value, const char* source) {
        if (!value.empty() && std::find(sources.begin(), sources.end(), source) == sources.end())
            sources.push_back(source);
    };
    run.credentials.username = cli.count("username") ? cli["username"].as<std::string>() : "";
    note(run.credentials.username, "the command line");
    if (run.credentials.username.empty()) {
        run.credentials.username = env_or(env, {"REGSCAN_REGISTRY_USERNAME", "TCS_REGISTRY_USERNAME"});
        note(run.credentials.username, "the environment");
    }
    if (cli.count("password-stdin") && cli["password-stdin"].as<bool>()) {
        if (cli.count("password")) throw Fatal(ExitCode::bad_arguments, "--password and --password-stdin exclude each other");
        std::getline(in, run.credentials.password);
        if (!run.credentials.password.empty() && run.credentials.password.back() == '\r')
            run.credentials.password.pop_back();
        note(run.credentials.password, "standard input");
    } else if (cli.count("password")) {
        run.credentials.password = cli["password"].as<std::string>();
        note(run.credentials.password, "the command line");
    }
    if (run.credentials.password.empty()) {
        run.credentials.password = env_or(env, {"REGSCAN_REGISTRY_PASSWORD", "TCS_REGISTRY_PASSWORD"});
        note(run.credentials.password, "the environment");
    }
    std::optional<auth::Credentials> docker;
    if (run.credentials.empty() && from_url.empty())
        docker = auth::docker_credentials(credentials_url.empty() ? run.url : credentials_url, env);
    if (docker) {
        run.credentials = *docker;  // with its source; `sources` stays empty
    } else {
        if (run.credentials.username.empty() && file.count("username")) {
            run.credentials.username = file["username"].as<std::string>();
            note(run.credentials.username, "the config file");
        }
        if (run.credentials.password.empty() && file.count("password")) {
            run.credentials.password = file["password"].as<std::string>();
            note(run.credentials.password, "the config file");
        }
    }
    for (const auto& source : sources)
        run.credentials.source += (run.credentials.source.empty() ? "" : " and ") + source;
    if (!from_url.empty()) {
        if (!run.credentials.empty())
            throw Fatal(ExitCode::bad_arguments,
                        "credentials are given both in the URL and otherwise: give them once (--username and "
                        "--password-stdin keep them out of the process list)");
        run.credentials = from_url;
        run.credentials.source = "the URL";
    }

    run.allow = pick_list(cli, file, "allowList");
    run.deny = pick_list(cli, file, "denyList");
    run.max_images = pick<size_t>(cli, file, "max-images");
    run.platform = pick<std::string>(cli, file, "platform");
    run.platform_given = (cli.count("platform") && !cli["platform"].defaulted()) ||
                         (file.count("platform") && !file["platform"].defaulted());
    try {
        oci::PlatformSelector::parse(run.platform);
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, std::string("--platform: ") + e.what());
    }
    run.concurrency = pick<size_t>(cli, file, "concurrency");
    if (run.concurrency == 0 || run.concurrency > 256)
        throw Fatal(ExitCode::bad_arguments, "--concurrency must be between 1 and 256");
    run.output_dir = pick<std::string>(cli, file, "output-dir");
    run.plugin_dirs = pick_list(cli, file, "plugin-dir");
    for (const auto& option : pick_list(cli, file, "option")) {
        // Generic form for a plugin option the plugin did not declare.
        auto eq = option.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Fatal(ExitCode::bad_arguments, "--option takes NAME=VALUE, not '" + option + "'");
        run.plugin_options[option.substr(0, eq)] = option.substr(eq + 1);
    }

    run.http.verify_tls = !pick_flag(cli, file, "insecure");
    run.http.ca_cert = pick_string(cli, file, "ca-cert");
    if (!run.http.ca_cert.empty() && !std::filesystem::exists(run.http.ca_cert))
        throw Fatal(ExitCode::bad_arguments, "--ca-cert: no such file: " + run.http.ca_cert);
    long timeout = pick<long>(cli, file, "request-timeout");
    if (timeout < 0) throw Fatal(ExitCode::bad_arguments, "--request-timeout must not be negative");
    run.http.request_timeout = std::chrono::seconds(timeout);
    run.http.max_retries = pick<int>(cli, file, "retries");
    if (run.http.max_retries < 0) throw Fatal(ExitCode::bad_arguments, "--retries must not be negative");
    long max_wait = pick<long>(cli, file, "max-retry-wait");
    if (max_wait < 0) throw Fatal(ExitCode::bad_arguments, "--max-retry-wait must not be negative");
    run.http.max_retry_delay = std::chrono::seconds(max_wait);
    run.http.user_agent = std::string("regscan/") + REGSCAN_VERSION;
    run.limits = build_limits(cli, file);
    run.http.max_body_size = run.limits.max_body_size;
    run.http.max_error_body = run.limits.max_error_body;
    run.http.resolve = pick_list(cli, file, "resolve");
    for (const auto& entry : run.http.resolve)
        if (std::count(entry.begin(), entry.end(), ':') < 2)
            throw Fatal(ExitCode::bad_arguments, "--resolve takes HOST:PORT:ADDRESS, not '" + entry + "'");
    return run;
}

}  // namespace

std::map<std::string, std::string> process_environment() {
    std::map<std::string, std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string text(*entry);
        auto eq = text.find('=');
        if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
    }
    return env;
}

std::vector<std::string> plugin_dirs_in(const std::vector<std::string>& arguments) {
    std::vector<std::string> dirs;
    for (size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--plugin-dir" && i + 1 < arguments.size()) dirs.push_back(arguments[++i]);
        else if (arguments[i].rfind("--plugin-dir=", 0) == 0) dirs.push_back(arguments[i].substr(13));
    }
    return dirs;
}

// The options `regscan NAME` accepts (registry, image, plugins): what the
// parser, --help and `regscan completion` use.
po::options_description command_options(const std::string& name, const plugin::PluginSet& plugins) {
    po::options_description visible = common_options();
    if (name == "registry" || name == "image") {
        visible.add(registry_options());
        visible.add(scan_options());
        visible.add(malware_options());
        visible.add(limit_options());
        add_plugin_options(visible, plugins);
    }
    if (name == "registry") visible.add(fleet_options());
    if (name == "image") visible.add(image_output_options());
    return visible;
}

Command parse_command_line(const std::vector<std::string>& arguments, std::istream& in,
                           const std::map<std::string, std::string>& env, const plugin::PluginSet& plugins) {
    Command command;
    if (!arguments.empty() && arguments[0] == "man") {
        if (arguments.size() != 1) throw Fatal(ExitCode::bad_arguments, "usage: regscan man");
        const auto registry = command_options("registry", plugins), image = command_options("image", plugins),
                   plugin_list = command_options("plugins", plugins);
        command.help_text = man_page(REGSCAN_VERSION, usage,
                                     {{"registry", &registry}, {"image", &image}, {"plugins", &plugin_list}});
        return command;
    }
    if (!arguments.empty() && arguments[0] == "completion") {
        if (arguments.size() != 2) throw Fatal(ExitCode::bad_arguments, "usage: regscan completion bash|zsh|fish");
        const auto registry = command_options("registry", plugins), plugin_list = command_options("plugins", plugins);
        // image: what its --help lists, and the plugins' options (they apply too); not the registry-only ones.
        auto image = image_help_options();
        add_plugin_options(image, plugins);
        try {
            command.help_text = completion_script(
                arguments[1], {{"registry", &registry}, {"image", &image}, {"plugins", &plugin_list}, {"db", nullptr},
                               {"malware", nullptr}, {"state", nullptr}, {"serve", nullptr}, {"connector", nullptr},
                               {"worker", nullptr}, {"version", nullptr}, {"completion", nullptr}, {"man", nullptr}});
        } catch (const std::invalid_argument& e) {
            throw Fatal(ExitCode::bad_arguments, e.what());
        }
        return command;
    }
    if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" || arguments[0] == "help") {
        command.help_text = usage;
        return command;
    }
    if (arguments[0] == "--version" || arguments[0] == "version") {
        command.kind = CommandKind::version;
        return command;
    }
    const std::string name = arguments[0];
    if (name != "registry" && name != "plugins" && name != "image")
        throw Fatal(ExitCode::bad_arguments,
                    "unknown command '" + name + "'" +
                        did_you_mean(name, {"registry", "image", "plugins", "db", "malware", "state", "serve", "connector",
                                            "worker", "version", "completion", "man"}) +
                        "; see 'regscan --help'");

    po::options_description visible = command_options(name, plugins);
    po::options_description all = visible;
    all.add_options()("url", po::value<std::string>(), "registry URL");
    po::positional_options_description positional;
    if (name == "registry" || name == "image") positional.add("url", 1);

    std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
    po::variables_map cli, file;
    try {
        po::store(po::command_line_parser(rest).options(all).positional(positional).run(), cli);
        po::notify(cli);
    } catch (const po::unknown_option& e) {
        // Perhaps the option of a plugin that was refused: say so, and why;
        // else perhaps a typo of a known one.
        std::string hint = refused_plugins_hint(e.get_option_name(), plugins);
        if (hint.empty()) {
            std::vector<std::string> known;
            for (const auto& option : all.options()) known.push_back(option->long_name());
            std::string typed = e.get_option_name();
            typed.erase(0, typed.find_first_not_of('-'));
            typed = typed.substr(0, typed.find('='));  // boost names it with its value
            hint = did_you_mean(typed, known, "--");
        }
        throw Fatal(ExitCode::bad_arguments, name + ": " + e.what() + hint + "; see 'regscan " + name + " --help'");
    } catch (const po::error& e) {
        throw Fatal(ExitCode::bad_arguments, name + ": " + e.what() + "; see 'regscan " + name + " --help'");
    }
    if (cli.count("help")) {
        command.help_text = help_for(name, visible);
        return command;
    }

    if (name == "registry" || name == "image") {
        std::filesystem::path config =
            cli.count("config") ? std::filesystem::path(cli["config"].as<std::string>()) : default_config_path(env);
        if (!config.empty()) {
            // An unrelated file that happens to be named ./config (or the
            // user's default one) must not stop every run: only a config
            // file asked for with --config is an error when it does not parse.
            const bool asked = cli.count("config") > 0;
            auto refuse = [&](const std::string& why) {
                if (asked) throw Fatal(ExitCode::bad_arguments, why);
                spdlog::warn("{}: not used as a regscan config file (pass --config FILE to use one)", why);
            };
            std::ifstream stream(config);
            po::variables_map parsed;
            if (!stream || std::filesystem::is_directory(config)) {
                refuse("cannot read config file " + config.string());
            } else {
                try {
                    po::store(po::parse_config_file(stream, all), parsed);
                    po::notify(parsed);
                    file = std::move(parsed);
                } catch (const po::unknown_option& e) {
                    refuse("config file " + config.string() + ": " + e.what() +
                           refused_plugins_hint(e.get_option_name(), plugins));
                } catch (const po::error& e) {
                    refuse("config file " + config.string() + ": " + e.what());
                }
            }
        }
        command.kind = name == "image" ? CommandKind::image : CommandKind::registry;
        if (name == "image") {
            // The reference names the registry and the one image to scan.
            std::string reference = pick_string(cli, file, "url");
            if (reference.empty()) throw Fatal(ExitCode::bad_arguments, "image: missing <reference>");
            auth::Credentials ignored;  // build_run takes them from the same text
            command.image_reference = take_url_credentials(reference, ignored);
        }
        command.run = build_run(cli, file, in, env,
                                name == "image" ? engine::parse_image_reference(command.image_reference).registry_url
                                                : std::string());
        add_scan_settings(command.run, cli, file, env);
        if (name == "registry") apply_fleet_options(command.run, cli);
        if (name == "image") choose_image_output(command, cli, file);
        collect_plugin_options(command.run, cli, file, env, plugins);
    } else {
        command.kind = CommandKind::plugins;
        command.run.plugin_dirs = pick_list(cli, file, "plugin-dir");
    }
    command.log_level = pick<std::string>(cli, file, "log-level");
    if (pick_flag(cli, file, "quiet")) {
        auto given = [](const po::variables_map& values) {
            return values.count("log-level") && !values["log-level"].defaulted();
        };
        if (!given(cli) && !given(file)) command.log_level = "error";  // an explicit --log-level wins
        command.run.progress = false;
    }
    if (command.log_level == "warning") command.log_level = "warn";
    static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(levels.begin(), levels.end(), command.log_level) == levels.end())
        throw Fatal(ExitCode::bad_arguments, "--log-level must be one of trace, debug, info, warning, error, off");
    return command;
}

}  // namespace regscan::app
