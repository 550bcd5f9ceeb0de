#include "auth/credential_helper.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "log/secrets.hpp"

namespace regscan::auth {
namespace {

constexpr const char* prefix = "docker-credential-";

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_ = -1;
};

// The first line of what the helper printed, short: enough to say why it
// failed without echoing a whole (possibly secret) answer. Control
// characters are the log sink's to escape.
std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    if (line.size() > 200) line = line.substr(0, 200) + "...";
    return log::redact(line);
}

bool says_not_found(const std::string& text) {
    return text.find("credentials not found") != std::string::npos;
}

}  // namespace

bool valid_helper_name(const std::string& name) {
    if (name.empty() || name.size() > 200 || name.front() == '-' || name.front() == '.') return false;
    for (unsigned char c : name)
        if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

std::string find_credential_helper(const std::string& name, const std::string& path_variable) {
    if (!valid_helper_name(name)) return {};
    for (size_t start = 0; start <= path_variable.size();) {
        size_t end = path_variable.find(':', start);
        if (end == std::string::npos) end = path_variable.size();
        std::string directory = path_variable.substr(start, end - start);
        start = end + 1;
        // An empty entry would mean the working directory: a file dropped
        // there must not be run.
        if (directory.empty() || directory.front() != '/') continue;
        std::string candidate = directory + "/" + prefix + name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return {};
}

HelperAnswer run_credential_helper(const std::string& program, const std::string& server_url,
                                   const std::map<std::string, std::string>& environment,
                                   const HelperOptions& options) {
    HelperAnswer answer;
    // Standard input is a socket so that writing to a helper that exited
    // without reading gives EPIPE (MSG_NOSIGNAL), not SIGPIPE.
    int in_pair[2], out_pipe[2], err_pipe[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
        answer.error = std::string("cannot start it: ") + std::strerror(errno);
        return answer;
    }
    Fd in_parent(in_pair[0]), in_child(in_pair[1]);
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        answer.error = std::string("cannot start it: ") + std::strerror(errno);
        return answer;
    }
    Fd out_parent(out_pipe[0]), out_child(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        answer.error = std::string("cannot start it: ") + std::strerror(errno);
        return answer;
    }
    Fd err_parent(err_pipe[0]), err_child(err_pipe[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_child.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_child.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_child.get(), STDERR_FILENO);
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : environment) env_strings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string program_copy = program, get = "get";
    char* argv[] = {program_copy.data(), get.data(), nullptr};
    pid_t pid = -1;
    // posix_spawn, not posix_spawnp: `program` is already a full path found
    // on PATH, and no shell ever sees it.
    // The helper does not inherit what regscan changed: SIGPIPE, which
    // regscan ignores (an ignored signal stays ignored across exec), is at
    // its default again, and no signal is blocked (the stop-signal threads
    // block SIGINT/SIGTERM everywhere else, and a mask is inherited too).
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults, unblocked;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigemptyset(&unblocked);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setsigmask(&attributes, &unblocked);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    int spawned = ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv, envp.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        answer.error = std::string("cannot start it: ") + std::strerror(spawned);
        return answer;
    }
    in_child.reset();
    out_child.reset();
    err_child.reset();

    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    std::string input = server_url + "\n";
    (void)::send(in_parent.get(), input.data(), input.size(), MSG_NOSIGNAL);
    ::shutdown(in_parent.get(), SHUT_WR);

    std::string out, err;
    bool out_open = true, err_open = true, timed_out = false, too_large = false;
    while (out_open || err_open) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd fds[2] = {{out_open ? out_parent.get() : -1, POLLIN, 0}, {err_open ? err_parent.get() : -1, POLLIN, 0}};
        int ready = ::poll(fds, 2, static_cast<int>(left.count()));
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        char buffer[4096];
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                (i == 0 ? out_open : err_open) = false;
                continue;
            }
            std::string& into = i == 0 ? out : err;
            if (into.size() + static_cast<size_t>(n) > options.max_output) {
                too_large = true;
                out_open = err_open = false;
                break;
            }
            into.append(buffer, static_cast<size_t>(n));
        }
    }
    int status = 0;
    bool exited = false;
    while (!timed_out && !too_large) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            exited = true;
            break;
        }
        if (done < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            timed_out = true;
            break;
        }
        // The helper closed its output but has not exited yet: poll on
        // nothing for a short while (bounded by the deadline).
        ::poll(nullptr, 0, 10);
    }
    if (!exited) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (timed_out) {
        answer.error = "no answer within " + std::to_string(options.timeout.count() / 1000) + " s (killed)";
        return answer;
    }
    if (too_large) {
        answer.error = "answer larger than " + std::to_string(options.max_output) + " bytes (killed)";
        return answer;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (says_not_found(out) || says_not_found(err)) {
            answer.status = HelperAnswer::Status::not_found;
            return answer;
        }
        std::string said = first_line(out.empty() ? err : out);
        answer.error = (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                          : "killed by signal " + std::to_string(WTERMSIG(status))) +
                       (said.empty() ? "" : ": " + said);
        return answer;
    }
    try {
        auto body = nlohmann::json::parse(out);
        if (!body.is_object() || !body.contains("Secret") || !body["Secret"].is_string())
            throw std::runtime_error("no Secret");
        answer.secret = body["Secret"].get<std::string>();
        log::add_secret(answer.secret);
        if (body.contains("Username") && body["Username"].is_string()) answer.username = body["Username"].get<std::string>();
    } catch (const std::exception&) {
        answer.error = "its answer is not the JSON object {\"ServerURL\", \"Username\", \"Secret\"}";
        return answer;
    }
    if (answer.secret.empty()) {
        answer.status = HelperAnswer::Status::not_found;
        return answer;
    }
    answer.status = HelperAnswer::Status::found;
    return answer;
}

}  // namespace regscan::auth
