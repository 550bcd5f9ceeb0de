#include "app/state_command.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/data_paths.hpp"
#include "app/subcommand_options.hpp"
#include "limits/limits.hpp"
#include "scan/layer_facts.hpp"
#include "state/migrations.hpp"
#include "state/open_database.hpp"
#include "state/sqlite_db.hpp"
#include "state/state_prune.hpp"
#include "state/state_store.hpp"
#include "util/time.hpp"

namespace regscan::app {
namespace po = boost::program_options;
namespace {

constexpr const char* usage = R"(Usage: regscan state prune --older-than AGE [options]

Remove from the state what has aged past AGE (e.g. 90d, 36h; at least 1h), so that it stops
growing as tags move, signature sets change and runs add up:
  - the results and stored renderings of a tag at a digest no run has seen since then
    (a tag rebuilt every night leaves one such digest a night),
  - the record that the tag was at that digest (seen there again, it counts as new),
  - the ended runs no remaining result names,
  - layer analyses and malware verdicts written before then (a layer still in use is
    analysed again when an image holding it changes), and layer analyses of an older
    analysis version,
  - the fleet queue's batches whose every item ended before then.
What a 'regscan serve' image index row shows is kept whatever its age. A row removed costs
a scan later, never a wrong result. Rows go in batches of 2000, each its own transaction;
--dry-run counts what would go in one transaction, rolled back. A SQLite file keeps its
size unless --vacuum. The state is --state, else the config file's 'state = ...', else
<data dir>/state.db. A prune (not a dry run) first brings an older state to this release's
tables, which an older regscan then refuses.

Exit codes: 0 success, 1 internal error, a database error, --vacuum failed or standard output
lost, 2 bad arguments or a state that cannot be opened or used.
)";

po::options_description options_for_prune() {
    po::options_description options("Options");
    options.add_options()("help,h", "show this help")(
        "state", po::value<std::string>(),
        "the state: a SQLite file or a PostgreSQL URL (default: the config file's 'state = ...', else "
        "<data dir>/state.db)")(
        "config", po::value<std::string>(),
        "config file of name = value lines whose 'state' is used (default ./config, else ~/.config/regscan/config)")(
        "older-than", po::value<std::string>(), "the age past which rows go (e.g. 90d, 36h; at least 1h)")(
        "dry-run", po::bool_switch(), "count what would go, remove nothing")(
        "vacuum", po::bool_switch(),
        "then VACUUM: SQLite rewrites the file without its free pages (nothing else may write meanwhile); "
        "PostgreSQL marks the space reusable")(
        "json", po::bool_switch(), "print the counts as JSON");
    return options;
}

nlohmann::json counts_json(const state::PruneCounts& c) {
    return {{"results", c.results},         {"tag_rows", c.tag_rows},           {"images", c.images},
            {"scans", c.scans},             {"layer_facts", c.layer_facts},     {"layer_malware", c.layer_malware},
            {"queue_items", c.queue_items}, {"batches", c.batches}};
}

// The state as 'registry' finds it: --state, else the config file's
// `state = ...` (its other lines are not this command's), else the default
// file. Only a file asked for with --config must be readable.
std::string state_location(const po::variables_map& values, const std::map<std::string, std::string>& env) {
    if (values.count("state")) {
        // An empty --state (an unset variable in a script) must not fall
        // through to some other state.
        if (values["state"].as<std::string>().empty()) throw Fatal(ExitCode::bad_arguments, "--state: empty");
        return values["state"].as<std::string>();
    }
    const bool asked = values.count("config") > 0;
    const std::filesystem::path config =
        asked ? std::filesystem::path(values["config"].as<std::string>()) : default_config_path(env);
    if (!config.empty()) {
        // Read once (a pipe or FIFO given as --config cannot be read twice).
        std::ifstream stream(config);
        std::ostringstream text;
        if (stream && !std::filesystem::is_directory(config)) text << stream.rdbuf();
        if ((!stream || std::filesystem::is_directory(config)) && asked)
            throw Fatal(ExitCode::bad_arguments, "cannot read config file " + config.string());
        // Masked before a parse error could quote a line that holds one.
        std::istringstream lines(text.str());
        for (std::string line; std::getline(lines, line);) state::register_database_url_secrets(line);
        po::options_description state_only;
        state_only.add_options()("state", po::value<std::string>());
        try {
            std::istringstream parsed(text.str());
            po::variables_map file;
            po::store(po::parse_config_file(parsed, state_only, true), file);
            if (file.count("state") && !file["state"].as<std::string>().empty())
                return file["state"].as<std::string>();
        } catch (const po::error& e) {
            if (asked) throw Fatal(ExitCode::bad_arguments, "config file " + config.string() + ": " + e.what());
        }
    }
    return default_state_path(env).string();
}

}  // namespace

ExitCode run_state_command(const std::vector<std::string>& arguments, std::ostream& out,
                           const std::map<std::string, std::string>& env) {
    // A PostgreSQL URL's password is masked in every message, even one
    // about the argument that holds it.
    for (const auto& argument : arguments) state::register_database_url_secrets(argument);
    const auto options = options_for_prune();
    if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h") {
        out << usage_with_options(usage, options);
        return arguments.empty() ? ExitCode::bad_arguments : ExitCode::ok;
    }
    if (arguments[0] != "prune")
        throw Fatal(ExitCode::bad_arguments,
                    "state: unknown command '" + arguments[0] + "'; see 'regscan state --help'");
    const auto values =
        parse_verb_options(std::vector<std::string>(arguments.begin() + 1, arguments.end()), options, "state prune");
    if (values.count("help")) {
        out << usage_with_options(usage, options);
        return ExitCode::ok;
    }
    const std::string location = state_location(values, env);
    if (!values.count("older-than"))
        throw Fatal(ExitCode::bad_arguments, "state prune: --older-than is required (e.g. --older-than 90d)");
    std::chrono::seconds age;
    try {
        age = limits::parse_duration(values["older-than"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw Fatal(ExitCode::bad_arguments, std::string("--older-than: ") + e.what());
    }
    // A sanity bound: what a run still going recorded early (each image when
    // it finishes) must stay until it ends (docs/cli.md: longer than the
    // longest run).
    if (age < std::chrono::hours(1))
        throw Fatal(ExitCode::bad_arguments, "--older-than: at least 1h");
    // Pruning must not create a state where there was none, nor turn another
    // database (an OSV file given by mistake) into one.
    if (!state::is_postgres_url(location) && !std::filesystem::exists(location))
        throw Fatal(ExitCode::bad_arguments, "state prune: no state at " + location);
    std::shared_ptr<state::Database> db;
    try {
        // A SQLite file is first looked at read-only: opened to write, it
        // would be put in WAL mode, another database too.
        if (!state::is_postgres_url(location) && !state::SqliteDb(location, true).has_table("images"))
            throw Fatal(ExitCode::bad_arguments, "state prune: " + location +
                                                     " holds no regscan state (no scan has used it)");
        db = state::open_database(location);
    } catch (const Fatal&) {
        throw;
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, std::string("state prune: ") + e.what());
    }
    if (!db->has_table("images"))
        throw Fatal(ExitCode::bad_arguments, "state prune: " + state::printable_location(location) +
                                                 " holds no regscan state (no scan has used it)");
    if (state::schema_version(*db, "state") > state::StateStore::schema_version)
        throw Fatal(ExitCode::bad_arguments, "state prune: " + state::printable_location(location) +
                                                 " was made by a newer regscan; prune it with that one");
    state::PruneOptions prune;
    prune.cutoff = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - age;
    prune.analysis_version = scan::layer_analysis_version;
    prune.dry_run = values["dry-run"].as<bool>();
    const auto counts = state::prune_state(*db, prune);
    // What was removed is said even when the vacuum fails (a writer holds the
    // file): the prune itself is done.
    bool vacuum = values["vacuum"].as<bool>() && !prune.dry_run, vacuum_failed = false;
    if (vacuum) {
        try {
            db->exec("VACUUM");
        } catch (const std::exception& e) {
            spdlog::error("state prune: the rows are removed, but VACUUM failed: {}", e.what());
            vacuum = false;
            vacuum_failed = true;
        }
    }

    if (values["json"].as<bool>()) {
        out << nlohmann::json{{"state", state::printable_location(location)},
                              {"cutoff", util::format_utc(prune.cutoff)},
                              {"dry_run", prune.dry_run},
                              {"vacuumed", vacuum},
                              {prune.dry_run ? "would_remove" : "removed", counts_json(counts)}}
                   .dump(2)
            << "\n";
        return vacuum_failed ? ExitCode::internal_error : ExitCode::ok;
    }
    out << fmt::format("{} from {} what no run has seen or written since {}:\n",
                       prune.dry_run ? "Would remove" : "Removed", state::printable_location(location),
                       util::format_utc(prune.cutoff));
    out << fmt::format("  image results          {}\n", counts.results)
        << fmt::format("  tag results            {}\n", counts.tag_rows)
        << fmt::format("  tag digests seen       {}\n", counts.images)
        << fmt::format("  runs                   {}\n", counts.scans)
        << fmt::format("  layer analyses         {}\n", counts.layer_facts)
        << fmt::format("  layer malware verdicts {}\n", counts.layer_malware)
        << fmt::format("  fleet queue items      {}\n", counts.queue_items);
    if (vacuum) out << "Vacuumed.\n";
    return vacuum_failed ? ExitCode::internal_error : ExitCode::ok;
}

}  // namespace regscan::app
