// `regscan db import|status|update`: builds and inspects the offline OSV
// vulnerability database the scan matches against.
#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"

namespace regscan::app {

// $REGSCAN_DB, else $XDG_DATA_HOME/regscan/osv.db, else
// ~/.local/share/regscan/osv.db (XDG Base Directory defaults).
std::filesystem::path default_db_path(const std::map<std::string, std::string>& env);

// `arguments` are those after "db". Reports go to `out` (stdout by
// default), rejected records and failures to the log. Exit codes: 0 done,
// 2 bad arguments (thrown as Fatal), 6 some records rejected or some
// ecosystem not downloaded, 3 no ecosystem could be downloaded.
ExitCode run_db_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env);
ExitCode run_db_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env,
                        std::ostream& out);

}  // namespace regscan::app
