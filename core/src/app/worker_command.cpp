#include "app/worker_command.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/command_line.hpp"
#include "app/forwarded_arguments.hpp"
#include "app/stop_signals.hpp"
#include "fleet/worker.hpp"
#include "http/plain_url.hpp"
#include "limits/limits.hpp"
#include "log/logging.hpp"
#include "state/work_queue.hpp"

namespace regscan::app {
namespace po = boost::program_options;
namespace {

po::options_description worker_options() {
    po::options_description options("Worker options");
    options.add_options()
        ("help,h", "show this help")
        ("worker-id", po::value<std::string>(), "this worker's name in the queue and the logs (default host:pid)")
        ("exit-when-idle", po::bool_switch(), "exit 0 once no image is queued or being scanned (default: wait for work)")
        ("lease", po::value<std::string>()->default_value("60s"),
         "how long a claim holds without renewal (renewed every third of it while scanning); a worker lost for "
         "longer hands its image on")
        ("max-attempts", po::value<int>()->default_value(3),
         "claims of one image before it ends failed (worker lost, or a scan error each time)")
        ("shutdown-grace", po::value<std::string>()->default_value("20s"),
         "on SIGTERM/SIGINT, how long images in flight may take to finish before they are released to other "
         "workers")
        ("connector-key", po::value<std::string>(),
         "serve's connector key file (<serve data dir>/serve-secret.key, mode 0600): images queued by a "
         "connector's import are pulled with that connector's credentials and plugin options from the state "
         "(read again for each image), only where the import's sealed grant says; without it, with this "
         "worker's own")
        ("poll", po::value<std::string>()->default_value("1s"),
         "how often an idle worker looks for work (e.g. 500ms, 2s)")
        ("credentials-for", po::value<std::string>(),
         "the registry URL this worker's own credentials (--username/--password, environment, config file) "
         "belong to: used only for the images queued for that registry (scheme, host, port); other registries' "
         "images get docker's or none (default: every registry queued, with a warning)")
        ("docker-refresh", po::value<std::string>()->default_value("10m"),
         "how long docker's credentials for a registry (config, credential helper) are used before they are "
         "looked up again; a new session only when they changed; 0s: for every image");
    return options;
}

std::chrono::milliseconds duration_ms(const std::string& flag, const std::string& text,
                                      limits::ZeroDuration zero = limits::ZeroDuration::refused) {
    // Milliseconds too ("200ms"), for --poll; the rest as every duration flag reads them.
    if (text.size() > 2 && text.compare(text.size() - 2, 2, "ms") == 0 &&
        text.find_first_not_of("0123456789") == text.size() - 2 && text.size() <= 9)
        return std::chrono::milliseconds(std::stoll(text.substr(0, text.size() - 2)));
    try {
        return std::chrono::duration_cast<std::chrono::milliseconds>(limits::parse_duration(text, zero));
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, "--" + flag + ": " + e.what());
    }
}

// Flags of `registry` that mean nothing to a worker: refused with the reason.
const std::vector<std::pair<std::string, std::string>> refused_flags = {
    {"--enqueue", "a worker scans what is queued; 'regscan registry URL --enqueue' queues"},
    {"--wait", "'regscan registry URL --wait' waits for the fleet"},
    {"--mode", "a worker always scans"},
    {"--output-dir", "a worker writes no reports; 'regscan registry URL --wait' does"},
    {"--format", "a worker writes no reports; 'regscan registry URL --wait' does"},
    {"--fail-on", "a worker has no exit code per image"},
    {"--allowList", "images are selected when queued"},
    {"--denyList", "images are selected when queued"},
    {"--max-images", "images are selected when queued"},
};

}  // namespace

po::options_description fleet_options() {
    po::options_description options("Fleet options (a --state shared with 'regscan worker's)");
    options.add_options()
        ("enqueue", po::bool_switch(),
         "discover and select images as usual, queue them in the state for 'regscan worker's, print how many "
         "and exit 0 without scanning")
        ("wait", po::bool_switch(),
         "queue as --enqueue does, wait for the workers to finish the batch, then report as a normal run")
        ("wait-timeout", po::value<std::string>()->default_value("6h"),
         "--wait: how long to wait for the fleet; images left are then scanned here")
        ("priority", po::value<std::string>()->default_value("user"),
         "queue priority: user (ahead of scheduled work) or scheduled");
    return options;
}

void apply_fleet_options(engine::RunOptions& run, const po::variables_map& cli) {
    run.enqueue = cli.count("enqueue") && cli["enqueue"].as<bool>();
    run.wait = cli.count("wait") && cli["wait"].as<bool>();
    if (run.enqueue && run.wait) throw Fatal(ExitCode::bad_arguments, "--enqueue and --wait exclude each other");
    if (cli.count("wait-timeout"))
        run.wait_timeout =
            std::chrono::duration_cast<std::chrono::seconds>(duration_ms("wait-timeout", cli["wait-timeout"].as<std::string>()));
    std::string priority = cli.count("priority") ? cli["priority"].as<std::string>() : "user";
    if (priority == "user") run.queue_priority = state::priority_user;
    else if (priority == "scheduled") run.queue_priority = state::priority_scheduled;
    else throw Fatal(ExitCode::bad_arguments, "--priority must be user or scheduled, not '" + priority + "'");
}

ExitCode run_worker_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env,
                            const plugin::PluginSet& plugins) {
    const po::options_description own_options = worker_options();
    const ForwardedArguments split = split_arguments("worker", own_options, arguments);
    const po::variables_map& own = split.own;
    const std::vector<std::string>& forwarded = split.forwarded;
    if (own.count("help")) {
        std::ostringstream out;
        out << "Usage: regscan worker --state STATE --db OSV_DB [options]\n\n"
               "A member of a scanning fleet: claims images that 'regscan registry URL --enqueue' (or --wait,\n"
               "or 'regscan serve') queued in the shared state, scans each, and writes its results and marks\n"
               "it done in one transaction under the claim's lease. Run as many as you like, anywhere that\n"
               "reaches the state and the registries. --concurrency is the number of images at once (default 4).\n"
               "Credentials for the registries come as for 'regscan registry' (--username, environment, config\n"
               "file). Exit: 0 on SIGTERM/SIGINT (images in flight finish within --shutdown-grace, else go back\n"
               "to the queue) or, with --exit-when-idle, once nothing is queued; 2 for bad arguments or a state\n"
               "that cannot be opened.\n\n"
            << own_options << "\n";
        std::istringstream none;
        auto registry = parse_command_line({"registry", "--help"}, none, {}, plugins).help_text;
        auto common = registry.find("Common options");
        out << (common == std::string::npos ? registry : registry.substr(common));
        std::cout << out.str();
        return ExitCode::ok;
    }
    split.refuse("worker", "worker", refused_flags);
    const bool concurrency_given = split.forwards("--concurrency");
    // The registry command parses the rest; its URL is each job's.
    std::vector<std::string> registry_arguments{"registry", "https://worker.invalid"};
    registry_arguments.insert(registry_arguments.end(), forwarded.begin(), forwarded.end());
    // --password-stdin reads the first line of standard input, as for `registry`.
    Command command = parse_command_line(registry_arguments, std::cin, env, plugins);
    log::init(command.log_level);

    fleet::WorkerOptions options;
    options.run = command.run;
    options.environment = env;
    options.run.url.clear();
    options.run.progress = false;
    if (!concurrency_given) options.run.concurrency = 4;
    options.worker_id = own.count("worker-id") ? own["worker-id"].as<std::string>() : fleet::default_worker_id();
    if (options.worker_id.empty() || options.worker_id.size() > 200)
        throw Fatal(ExitCode::bad_arguments, "--worker-id must be 1 to 200 characters");
    options.exit_when_idle = own["exit-when-idle"].as<bool>();
    options.lease = duration_ms("lease", own["lease"].as<std::string>());
    if (options.lease < std::chrono::seconds(1)) throw Fatal(ExitCode::bad_arguments, "--lease must be at least 1s");
    options.max_attempts = own["max-attempts"].as<int>();
    if (options.max_attempts < 1 || options.max_attempts > 100)
        throw Fatal(ExitCode::bad_arguments, "--max-attempts must be between 1 and 100");
    options.shutdown_grace =
        std::chrono::duration_cast<std::chrono::seconds>(duration_ms("shutdown-grace", own["shutdown-grace"].as<std::string>()));
    options.idle_poll = duration_ms("poll", own["poll"].as<std::string>());
    // Zero: docker's credentials are looked up again for every image.
    options.docker_refresh =
        duration_ms("docker-refresh", own["docker-refresh"].as<std::string>(), limits::ZeroDuration::allowed);
    if (own.count("credentials-for")) {
        const std::string url = own["credentials-for"].as<std::string>();
        if (auto problem = http::plain_url_problem(url))
            throw Fatal(ExitCode::bad_arguments, "--credentials-for must be a registry URL (http(s)://host[:port]): " +
                                                     *problem);
        options.credentials_origin = http::origin_of(url);
    }
    if (own.count("connector-key")) {
        options.connector_key = own["connector-key"].as<std::string>();
        if (!std::filesystem::is_regular_file(options.connector_key))
            throw Fatal(ExitCode::bad_arguments, "--connector-key: no such file: " + options.connector_key);
    }
    if (options.idle_poll < std::chrono::milliseconds(10)) options.idle_poll = std::chrono::milliseconds(10);

    // SIGTERM and SIGINT are taken by sigwait in a thread of their own: block
    // them before any thread starts so every thread inherits the mask.
    const sigset_t stop_signals = block_stop_signals();
    static std::atomic<bool> stop{false};
    std::thread([stop_signals] {
        int received = 0;
        while (sigwait(&stop_signals, &received) != 0) {
        }
        spdlog::info("worker: signal {} received: stopping", received);
        stop = true;
    }).detach();
    return fleet::run_worker(options, plugins, stop);
}

}  // namespace regscan::app
