// A real PostgreSQL 15 (Debian's postgresql-15) for unit tests: initdb into a
// temporary directory, started on a free loopback port (and a Unix socket in
// the same directory), password authentication, fsync off; stopped and
// removed by the destructor. As root, initdb and postgres run as the user
// postgres (they refuse root). When it cannot start, the constructor throws
// with the server's log: the test fails, it is never skipped.
//
//   auto& pg = regscan::test::PostgresServer::shared();  // one per test process
//   std::string url = pg.fresh_database();               // an empty database of its own
//   regscan::test::PostgresServer own;                    // for tests that stop or restart it
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>

namespace regscan::test {

class PostgresServer {
public:
    static constexpr const char* bin_dir = "/usr/lib/postgresql/15/bin";
    static constexpr const char* user = "regscan";

    PostgresServer() {
        std::string pattern = (std::filesystem::temp_directory_path() / "regscan-pg-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("PostgresServer: mkdtemp failed");
        dir_ = pattern;
        password_ = "pw-" + std::to_string(getpid()) + "-" + std::to_string(counter()++) + "-s3cret";
        std::ofstream(dir_ / "pwfile") << password_ << "\n";
        if (geteuid() == 0) {
            struct passwd* pw = getpwnam("postgres");
            if (!pw) throw std::runtime_error("PostgresServer: running as root and there is no user postgres");
            as_user_ = "runuser -u postgres -- ";
            for (const auto& p : {dir_, dir_ / "pwfile"})
                if (chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0)
                    throw std::runtime_error("PostgresServer: cannot chown " + p.string());
        }
        run(std::string(bin_dir) + "/initdb -D " + quoted(dir_ / "data") + " -U " + user + " --pwfile=" +
                quoted(dir_ / "pwfile") + " --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >" +
                quoted(dir_ / "initdb.log") + " 2>&1",
            dir_ / "initdb.log");
        port_ = free_port();
        start();
        admin("CREATE DATABASE regscan");
    }

    ~PostgresServer() {
        if (running_) std::system((as_user_ + bin_dir + "/pg_ctl -D " + quoted(dir_ / "data") +
                                   " -m immediate -w stop >/dev/null 2>&1").c_str());
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // One server for the whole test process, started on first use.
    static PostgresServer& shared() {
        static PostgresServer server;
        return server;
    }

    // postgresql://regscan:<password>@127.0.0.1:<port>/<database>
    [[nodiscard]] std::string url(const std::string& database = "regscan") const {
        return "postgresql://" + std::string(user) + ":" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
               database;
    }
    [[nodiscard]] const std::string& password() const { return password_; }
    [[nodiscard]] int port() const { return port_; }

    // A new empty database; returns its URL.
    std::string fresh_database() {
        std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter()++);
        admin("CREATE DATABASE " + name);
        return url(name);
    }

    // Starts the stopped server on the same port and data (pg_ctl -w waits
    // until it accepts connections, bounded by -t).
    void start() {
        run(as_user_ + bin_dir + "/pg_ctl -D " + quoted(dir_ / "data") + " -l " + quoted(dir_ / "server.log") +
                " -w -t 60 -o \"-p " + std::to_string(port_) + " -k " + quoted(dir_) +
                " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" "
                "start >/dev/null 2>&1",
            dir_ / "server.log");
        running_ = true;
    }
    // mode: immediate (a crash: clients are cut at once) or fast.
    void stop(const std::string& mode = "immediate") {
        run(as_user_ + bin_dir + "/pg_ctl -D " + quoted(dir_ / "data") + " -m " + mode + " -w -t 60 stop >/dev/null 2>&1",
            dir_ / "server.log");
        running_ = false;
    }
    void restart(const std::string& mode = "immediate") {
        stop(mode);
        start();
    }

    // Runs SQL as the superuser on the database `postgres`; throws on error.
    void admin(const std::string& sql, const std::string& database = "postgres") const {
        std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url(database).c_str()), PQfinish);
        if (PQstatus(conn.get()) != CONNECTION_OK)
            throw std::runtime_error("PostgresServer: cannot connect: " + std::string(PQerrorMessage(conn.get())));
        std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), PQclear);
        auto status = PQresultStatus(result.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error("PostgresServer: " + sql + ": " + PQresultErrorMessage(result.get()));
    }

private:
    static std::atomic<int>& counter() {
        static std::atomic<int> value{0};
        return value;
    }
    static std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

    void run(const std::string& command, const std::filesystem::path& log) const {
        std::string full = command.rfind(as_user_, 0) == 0 ? command : as_user_ + command;
        if (std::system(full.c_str()) != 0) {
            std::ifstream in(log);
            std::stringstream text;
            text << in.rdbuf();
            std::string tail = text.str();
            if (tail.size() > 4000) tail = tail.substr(tail.size() - 4000);
            throw std::runtime_error("PostgresServer: failed: " + full + "\n" + tail);
        }
    }

    // A port the kernel just handed out on 127.0.0.1 (free unless another
    // process takes it in the moment before the server binds it).
    static int free_port() {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof address;
        if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            if (fd >= 0) close(fd);
            throw std::runtime_error("PostgresServer: no free loopback port");
        }
        close(fd);
        return ntohs(address.sin_port);
    }

    std::filesystem::path dir_;
    std::string password_;
    std::string as_user_;
    int port_ = 0;
    bool running_ = false;
};

}  // namespace regscan::test
